import assert from "node:assert/strict";
import { truncate } from "./_truncate.ts";

Deno.test("truncate leaves text of up to max characters alone", () => {
  for (const text of ["", "abc", "abcdef"]) assert.equal(truncate(text, 6), text);
});

Deno.test("truncate cuts longer text to max characters, the last one …", () => {
  assert.equal(truncate("abcdefg", 6), "abcde…");
  assert.equal(truncate("x".repeat(100), 40), `${"x".repeat(39)}…`);
  assert.equal(truncate("abcdefg", 6).length, 6);
});
