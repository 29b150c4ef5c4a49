import assert from "node:assert/strict";
import { checkLimit } from "./_limit_ranges.ts";

Deno.test("checkLimit accepts the range's ends and rejects what lies outside", () => {
  assert.equal(checkLimit("fuel", 1), undefined);
  assert.equal(checkLimit("fuel", 2 ** 53 - 1), undefined);
  assert.equal(checkLimit("maxMemory", 0), undefined);
  assert.equal(checkLimit("maxMemory", 65535 * 65536), undefined);
  assert.equal(checkLimit("timeout", 0.5), undefined);
  assert.equal(checkLimit("timeout", 2147483647), undefined);
  const integer = "an integer from 0 to 4294901760";
  for (const value of [2 ** 32, -1, 1.5, NaN, Infinity, -Infinity, "1", null, undefined]) {
    assert.equal(checkLimit("maxMemory", value), integer, String(value));
  }
  assert.equal(checkLimit("fuel", 0), "an integer from 1 to 9007199254740991");
  assert.equal(checkLimit("fuel", 2 ** 53), "an integer from 1 to 9007199254740991");
  assert.equal(checkLimit("timeout", 2 ** 31), "a number from 0 to 2147483647");
  assert.equal(checkLimit("timeout", NaN), "a number from 0 to 2147483647");
  assert.equal(checkLimit("maxLineLength", 0), "an integer from 1 to 536870912");
  assert.equal(checkLimit("maxConcurrency", 65537), "an integer from 1 to 65536");
});
