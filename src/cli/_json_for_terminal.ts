/**
 * JSON that is safe to print on a terminal.
 *
 * @module
 */

import { bigintReplacer } from "../rpc/_json_codec.ts";

// JSON.stringify escapes C0 characters in strings, but leaves DEL, C1 (such
// as U+009B, a one-character CSI), the line separators and the
// bidirectional overrides as they are. They can only occur inside strings,
// where `\uNNNN` means the same: the output is the same JSON value.
const UNESCAPED = /[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `JSON.stringify(value, null, indent)` with every control character that
 * `JSON.stringify` leaves as it is written as a `\uNNNN` escape, and every
 * `bigint` written as its exact digits.
 *
 * @param value A value from a plugin.
 * @param indent Indentation, as for `JSON.stringify`.
 * @returns the JSON text
 */
export function jsonForTerminal(value: unknown, indent?: number): string {
  return JSON.stringify(value, bigintReplacer, indent).replace(
    UNESCAPED,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
