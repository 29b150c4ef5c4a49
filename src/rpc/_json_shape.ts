/**
 * A look at a JSON line before it is parsed: how deep its arrays and
 * objects nest and, for an array, how many elements it holds. One linear
 * pass over the bytes, {@linkcode SCAN_STEP} bytes per macrotask, so that a
 * peer can refuse a line over its limits without parsing it: a deeply
 * nested value is one that `JSON.stringify`, structured cloning and
 * recursive code cannot take.
 *
 * @module
 */

import { yieldToEventLoop } from "../executor/_yield.ts";

/**
 * Bytes scanned per macrotask: about 0.1 ms once the scan is compiled,
 * up to ~10 ms while V8 still interprets it (measured on a first long line
 * in a loaded process whose compiler threads were busy).
 */
export const SCAN_STEP = 16 * 1024;

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
   * elements, if it is valid JSON); otherwise, or once the scan stopped
   * past `maxDepth`, 0.
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
 * @returns its nesting depth and top-level element count: at once for a
 * line of one step, else a promise that settles after the last step
 */
export function jsonShape(line: Uint8Array, maxDepth: number): JsonShape | Promise<JsonShape> {
  const scan: Scan = { at: 0, depth: 0, deepest: 0, commas: 0, array: undefined, inString: false };
  step(line, maxDepth, scan);
  if (scan.at >= line.length) return shapeOf(scan);
  return (async () => {
    while (scan.at < line.length) {
      await yieldToEventLoop();
      step(line, maxDepth, scan);
    }
    return shapeOf(scan);
  })();
}

/** Where a scan is, between steps. */
interface Scan {
  at: number;
  depth: number;
  deepest: number;
  commas: number;
  array: boolean | undefined;
  inString: boolean;
}

function shapeOf(scan: Scan): JsonShape {
  return { depth: scan.deepest, elements: scan.array === true ? scan.commas + 1 : 0 };
}

/** Scans the next {@linkcode SCAN_STEP} bytes (to the end once past `maxDepth`). */
function step(line: Uint8Array, maxDepth: number, scan: Scan): void {
  let { at: i, depth, deepest, commas, array, inString } = scan;
  // Strings are skipped byte by byte: indexOf costs more per call than the
  // short strings JSON is mostly made of.
  for (const end = Math.min(line.length, i + SCAN_STEP); i < end; i++) {
    const byte = line[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      array ??= byte === OPEN_BRACKET;
      if (++depth > deepest && (deepest = depth) > maxDepth) {
        [i, array] = [line.length, false];
        break;
      }
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) {
      depth--;
    } else if (byte === COMMA && depth === 1) {
      commas++;
    }
  }
  Object.assign(scan, { at: i, depth, deepest, commas, array, inString });
}
