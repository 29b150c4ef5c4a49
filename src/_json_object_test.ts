import assert from "node:assert/strict";
import { isObject, own } from "./_json_object.ts";

Deno.test("isObject accepts objects only, not arrays or null", () => {
  for (const value of [{}, { a: 1 }, Object.create(null)]) assert.equal(isObject(value), true);
  for (const value of [[], null, undefined, 1, "{}", true]) assert.equal(isObject(value), false);
});

Deno.test("own reads own properties, never inherited ones", () => {
  assert.equal(own({ a: 1 }, "a"), 1);
  assert.equal(own({}, "toString"), undefined);
  assert.equal(own(Object.create({ a: 1 }), "a"), undefined);
  assert.equal(own(JSON.parse('{"__proto__": 2}'), "__proto__"), 2);
});
