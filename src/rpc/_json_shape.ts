/**
 * A look at a JSON line before it is parsed: how deep its arrays and
 * objects nest and, for an array, how many elements it holds. One linear
 * pass over the bytes (strings are skipped with `indexOf`), in steps of
 * {@linkcode SCAN_STEP} bytes per macrotask, so a peer can refuse a line
 * over its limits without parsing it: a deeply nested value is one that
 * `JSON.stringify`, structured cloning and recursive code cannot take.
 *
 * @module
 */

import { yieldToEventLoop } from "../executor/_yield.ts";

/**
 * Bytes scanned per macrotask: about a millisecond once the scan is
 * compiled, a few more while V8 still interprets it (as on a first long
 * line in a process whose compiler threads are busy).
 */
export const SCAN_STEP = 64 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** What {@linkcode jsonShape} found. */
export interface JsonShape {
  /**
   * How deep arrays and objects nest (0 for a scalar); the scan stops at
   * the first level past `maxDepth`, so at most `maxDepth + 1`.
   */
  depth: number;
  /**
   * For a line that is an array: its top-level commas plus one (its
   * elements, if it is valid JSON); otherwise 0.
   */
  elements: number;
}

/**
 * Scans a line of JSON (UTF-8 bytes: multi-byte characters never contain
 * the ASCII bytes looked for) without parsing it. Invalid JSON gets some
 * answer; `JSON.parse` rejects it afterwards.
 *
 * @param line The line's bytes.
 * @param maxDepth Nesting beyond which the scan stops.
 * @returns its nesting depth and top-level element count, once scanned
 */
export async function jsonShape(line: Uint8Array, maxDepth: number): Promise<JsonShape> {
  let depth = 0;
  let deepest = 0;
  let commas = 0;
  let array: boolean | undefined;
  for (let i = 0, pause = SCAN_STEP; i < line.length; i++) {
    if (i >= pause) {
      await yieldToEventLoop();
      pause = i + SCAN_STEP;
    }
    const byte = line[i];
    if (byte === QUOTE) {
      i = closingQuote(line, i);
    } else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      array ??= byte === OPEN_BRACKET;
      if (++depth > deepest && (deepest = depth) > maxDepth) break;
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) {
      depth--;
    } else if (byte === COMMA && depth === 1) {
      commas++;
    }
  }
  return { depth: deepest, elements: array === true ? commas + 1 : 0 };
}

/** The index of the quote that closes the string opened at `open` (or the line's end). */
function closingQuote(line: Uint8Array, open: number): number {
  for (let from = open + 1;;) {
    const quote = line.indexOf(QUOTE, from);
    if (quote === -1) return line.length;
    // Escaped if an odd run of backslashes precedes it.
    let backslashes = 0;
    while (line[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    from = quote + 1;
  }
}
