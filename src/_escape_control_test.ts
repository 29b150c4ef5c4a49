import assert from "node:assert/strict";
import { escapeControlCharacters } from "./_escape_control.ts";

Deno.test("escapeControlCharacters leaves printable text alone", () => {
  for (const text of ["", "hello", "INFO a \\x1b b", "naïve – ünïcödé ✓ 😀", "\u00a0\u00ff"]) {
    assert.equal(escapeControlCharacters(text), text);
  }
});

Deno.test("escapeControlCharacters escapes C0, DEL and C1 characters", async (t) => {
  await t.step("every C0 character, tab, CR and LF included", () => {
    for (let code = 0; code < 0x20; code++) {
      const escaped = `\\x${code.toString(16).padStart(2, "0")}`;
      assert.equal(escapeControlCharacters(`a${String.fromCharCode(code)}b`), `a${escaped}b`);
    }
  });
  await t.step("DEL and every C1 character", () => {
    assert.equal(escapeControlCharacters("\x7f"), "\\x7f");
    for (let code = 0x80; code < 0xa0; code++) {
      const escaped = `\\u00${code.toString(16)}`;
      assert.equal(escapeControlCharacters(String.fromCharCode(code)), escaped);
    }
  });
  await t.step("line separators and bidirectional overrides", () => {
    assert.equal(
      escapeControlCharacters("\u2028\u2029\u202a\u202e\u2066\u2069"),
      "\\u2028\\u2029\\u202a\\u202e\\u2066\\u2069",
    );
  });
  await t.step("every bidirectional control and zero-width character", () => {
    const codes = [
      0xad,
      0x61c,
      0x180e,
      ...range(0x200b, 0x200f),
      ...range(0x2028, 0x202e),
      ...range(0x2060, 0x206f),
      0xfeff,
      ...range(0xfff9, 0xfffb),
    ];
    for (const code of codes) {
      const escaped = `\\u${code.toString(16).padStart(4, "0")}`;
      assert.equal(escapeControlCharacters(`a${String.fromCharCode(code)}b`), `a${escaped}b`);
    }
    // Their neighbours are printable and stay as they are.
    for (const code of [0xac, 0xae, 0x61b, 0x200a, 0x2010, 0x2027, 0x202f, 0x2070, 0xfefe]) {
      const text = String.fromCharCode(code);
      assert.equal(escapeControlCharacters(text), text);
    }
  });
});

Deno.test("escapeControlCharacters neutralises terminal attacks", () => {
  const cases: [string, string][] = [
    ["\x1b]0;owned\x07", "\\x1b]0;owned\\x07"], // window title
    ["\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"], // clear the screen
    ["\x1b]52;c;ZXZpbA==\x07", "\\x1b]52;c;ZXZpbA==\\x07"], // OSC 52 clipboard
    ["\x9b31m", "\\u009b31m"], // one-character CSI
    ["ok\r\n[other] INFO forged", "ok\\x0d\\x0a[other] INFO forged"], // a forged log line
  ];
  for (const [text, escaped] of cases) assert.equal(escapeControlCharacters(text), escaped);
});

/** The integers from `first` to `last`, both included. */
function range(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}
