/**
 * Neutralising control characters before plugin-controlled text reaches a
 * terminal.
 *
 * @module
 */

// C0 (U+0000–U+001F, tab, CR and LF included), DEL (U+007F), C1
// (U+0080–U+009F, e.g. U+009B, the one-character CSI), the line and
// paragraph separators, and the bidirectional embeddings, overrides and
// isolates (U+202A–U+202E, U+2066–U+2069), which can make a line read
// differently from what it holds ("Trojan Source").
// deno-lint-ignore no-control-regex -- matching them is the point
const CONTROL = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Shows every control character of `text` escaped, so that text from a
 * plugin (a log line, its name, an error message) cannot move the cursor,
 * clear the screen, set the window title, write the clipboard (OSC 52) or
 * forge a log line of its own with an embedded `\r` or `\n` when it is
 * printed. Characters below U+0080 become `\xNN` (`\x1b`, `\x0a`), the others
 * `\uNNNN` (`\u009b`, `\u202e`); everything else, backslashes included, is
 * left as it is.
 *
 * @param text Text that may hold control characters.
 * @returns the text with its control characters escaped
 *
 * @example
 * ```ts ignore
 * import { escapeControlCharacters } from "./_escape_control.ts";
 * console.error(escapeControlCharacters("\x1b]0;owned\x07")); // \x1b]0;owned\x07
 * ```
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x80
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
