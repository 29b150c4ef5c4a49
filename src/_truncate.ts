/**
 * Shortening text to fit one line of output.
 *
 * @module
 */

/**
 * `text` as it is if it has at most `max` characters, else its first
 * `max - 1` followed by `…` (`max` characters in all).
 *
 * @param text The text to shorten.
 * @param max Most characters (UTF-16 code units) to keep, `…` included.
 * @returns the text, shortened to `max` characters
 *
 * @example
 * ```ts ignore
 * import { truncate } from "./_truncate.ts";
 * console.log(truncate("prime_sieve", 6)); // prime…
 * ```
 */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
