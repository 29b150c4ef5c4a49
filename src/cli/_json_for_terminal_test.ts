import assert from "node:assert/strict";
import { jsonForTerminal } from "./_json_for_terminal.ts";

Deno.test("jsonForTerminal escapes what JSON.stringify leaves raw and means the same", () => {
  const value = { "\x9b": ["\x1b[2J", "\x7f\x85\u2028\u202e", 1, null], plain: "ünï ✓" };
  const json = jsonForTerminal(value, 2);
  // deno-lint-ignore no-control-regex -- none may be left
  assert.doesNotMatch(json, /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u202e]/);
  assert.match(json, /"\\u009b": \[/);
  assert.match(json, /"\\u007f\\u0085\\u2028\\u202e"/);
  assert.deepEqual(JSON.parse(json), value);
  assert.equal(jsonForTerminal("pong"), '"pong"');
});

Deno.test("jsonForTerminal writes a bigint as its exact digits", () => {
  assert.equal(jsonForTerminal({ n: 18446744073709551615n }), '{"n":18446744073709551615}');
  assert.equal(jsonForTerminal([2n ** 64n], 2), "[\n  18446744073709551616\n]");
});
