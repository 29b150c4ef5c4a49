import assert from "node:assert/strict";
import { MAX_TYPE_LENGTH, schemaType } from "./_schema_type.ts";

Deno.test("schemaType names the types of common schemas", () => {
  const cases: [unknown, string][] = [
    [{ type: "integer", format: "uint64", minimum: 0 }, "integer"],
    [{ type: ["string", "null"] }, "string | null"],
    [{ type: "array", items: { type: "integer" } }, "integer[]"],
    [{ type: "array", items: { type: ["string", "null"] } }, "(string | null)[]"],
    [{ type: "array", items: [{ type: "string" }, { type: "number" }] }, "[string, number]"],
    [{ type: "array", prefixItems: [{ type: "boolean" }] }, "[boolean]"],
    [{ type: "array" }, "array"],
    [{ type: "object", title: "Point" }, "Point"],
    [{ type: "object" }, "object"],
    [{ properties: { a: {} } }, "object"],
    [{ $ref: "#/components/schemas/Sieve" }, "Sieve"],
    [{ $ref: "#/definitions/Other" }, "Other"],
    [{ const: "pong", type: "string" }, '"pong"'],
    [{ enum: ["a", "b", 3] }, '"a" | "b" | 3'],
    [{ enum: [1, 2, 3, 4, 5] }, "1 | 2 | 3 | 4 | …"],
    [{ oneOf: [{ type: "integer" }, { type: "null" }] }, "integer | null"],
    [{ anyOf: [{ type: "integer" }, {}] }, "any"],
    [{ not: {} }, "never"],
    [false, "never"],
    [true, "any"],
    [{}, "any"],
    [null, "any"],
    ["integer", "any"],
    [{ type: 5 }, "any"],
    [{ const: 18446744073709551615n }, "18446744073709551615"],
  ];
  for (const [schema, type] of cases) {
    assert.equal(
      schemaType(schema),
      type,
      JSON.stringify(schema, (_, v) => typeof v === "bigint" ? String(v) : v),
    );
  }
});

Deno.test("schemaType stops at a depth and a length", () => {
  let deep: unknown = { type: "integer" };
  for (let i = 0; i < 100; i++) deep = { type: "array", items: deep };
  assert.equal(schemaType(deep), "…[][][][]");
  const wide = { enum: ["x".repeat(100)] };
  assert.equal(schemaType(wide), `"${"x".repeat(18)}…`);
  const union = {
    anyOf: Array.from(
      { length: 4 },
      (_, i) => ({
        title: `T${i}`,
        type: "object",
        $ref: `#/components/schemas/${"N".repeat(30)}${i}`,
      }),
    ),
  };
  assert.equal(schemaType(union).length, MAX_TYPE_LENGTH);
  assert.match(schemaType(union), /…$/);
});
