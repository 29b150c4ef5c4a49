/**
 * Neutralising control characters before plugin-controlled text reaches a
 * terminal.
 *
 * @module
 */

// The one list of characters that text from a plugin shows escaped, in the
// CLI and in the playground:
// - C0 (U+0000–U+001F, tab, CR and LF included), DEL (U+007F) and C1
//   (U+0080–U+009F, e.g. U+009B, the one-character CSI), which drive a
//   terminal;
// - the line and paragraph separators (U+2028, U+2029);
// - the bidirectional marks, embeddings, overrides and isolates (U+061C,
//   U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), which can make a line
//   read differently from what it holds ("Trojan Source");
// - the invisible ones, which make two different names look the same: soft
//   hyphen (U+00AD), Mongolian vowel separator (U+180E), zero-width space,
//   non-joiner and joiner (U+200B–U+200D), word joiner, invisible operators
//   and the deprecated format characters (U+2060–U+206F), the byte order mark
//   / zero-width no-break space (U+FEFF) and the interlinear annotation
//   characters (U+FFF9–U+FFFB).
const CONTROL =
  // deno-lint-ignore no-control-regex -- matching them is the point
  /[\x00-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;

/**
 * Shows every control character of `text` escaped, so that text from a
 * plugin (a log line, its name, an error message) cannot move the cursor,
 * clear the screen, set the window title, write the clipboard (OSC 52) or
 * forge a log line of its own with an embedded `\r` or `\n` when it is
 * printed, nor spoof what a line or a name reads (bidirectional overrides,
zero-width characters). Characters below U+0080 become `\xNN` (`\x1b`, `\x0a`), the others
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
