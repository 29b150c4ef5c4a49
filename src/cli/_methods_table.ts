/**
 * A plugin's methods as `inspect` prints them: one line each with its
 * signature (params with their types, the result's type) and its summary,
 * aligned like the imports table.
 *
 * @module
 */

import { escapeControlCharacters } from "../_escape_control.ts";
import { truncate } from "../_truncate.ts";
import type { DescribedMethod } from "../inspect/discover_methods.ts";
import { signature as paramsAndResult } from "../inspect/_signature.ts";

/** Widest signature column; longer signatures push their summary right. */
const MAX_SIGNATURE_WIDTH = 56;

/** `text` with its control characters escaped, at most `max` characters. */
function shown(text: string, max: number): string {
  return truncate(escapeControlCharacters(text), max);
}

/**
 * A method's signature: `add(a: integer, b: integer) -> integer`, by name
 * `greet({name: string}) -> string`, optional params marked `?`, and no
 * arrow for a method without a result (it does not answer).
 *
 * @param method The method.
 * @returns the signature, control characters escaped (types included)
 */
export function signature(method: DescribedMethod): string {
  return `${shown(method.name, 64)}${paramsAndResult(method, escapeControlCharacters)}`;
}

/**
 * The lines of a methods table: two spaces, the signature padded to the
 * widest one (up to a limit), two spaces, the summary.
 *
 * @param methods The methods, in the order to print them.
 * @returns one line per method, control characters escaped
 */
export function methodsTable(methods: readonly DescribedMethod[]): string[] {
  const signatures = methods.map(signature);
  const width = Math.min(
    Math.max(0, ...signatures.filter((s) => s.length <= MAX_SIGNATURE_WIDTH).map((s) => s.length)),
    MAX_SIGNATURE_WIDTH,
  );
  return methods.map((method, i) => {
    const summary = method.summary === undefined ? "" : shown(method.summary, 100);
    return `  ${summary === "" ? signatures[i] : `${signatures[i]!.padEnd(width)}  ${summary}`}`;
  });
}
