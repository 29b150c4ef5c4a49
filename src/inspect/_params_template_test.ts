import assert from "node:assert/strict";
import type { DescribedMethod } from "./_openrpc.ts";
import { paramsTemplate } from "./_params_template.ts";

const method = (
  params: [string, unknown, boolean?][],
  paramStructure: DescribedMethod["paramStructure"] = "by-position",
): DescribedMethod => ({
  name: "m",
  params: params.map(([name, schema, required = true]) => ({ name, schema, required })),
  paramStructure,
});

Deno.test("paramsTemplate puts a placeholder for each required param in an array or object", () => {
  const two: [string, unknown][] = [["a", { type: "integer" }], ["s", { type: "string" }]];
  assert.equal(paramsTemplate(method(two), {}), '[0, ""]');
  assert.equal(paramsTemplate(method(two, "either"), {}), '[0, ""]');
  assert.equal(
    paramsTemplate(method([["name", { type: "string" }]], "by-name"), {}),
    '{"name": ""}',
  );
  assert.equal(paramsTemplate(method([]), {}), "[]");
  assert.equal(paramsTemplate(method([], "by-name"), {}), "{}");
  // Optional params are left for the user to add.
  assert.equal(paramsTemplate(method([["a", { type: "integer" }, false]]), {}), "[]");
});

Deno.test("paramsTemplate builds placeholders from the schemas", () => {
  const cases: [unknown, string][] = [
    [{ type: "number" }, "0"],
    [{ type: "boolean" }, "false"],
    [{ type: ["null", "string"] }, '""'],
    [{ type: "null" }, "null"],
    [{ type: "array", items: { type: "integer" } }, "[]"],
    [{ type: "array", items: [{ type: "integer" }, { type: "string" }] }, '[0, ""]'],
    [{ const: "pong" }, '"pong"'],
    [{ enum: ["red", "green"] }, '"red"'],
    [{ type: "integer", default: 7 }, "7"],
    [{ type: "string", examples: ["Ada"] }, '"Ada"'],
    [{ anyOf: [{ type: "null" }, { type: "integer" }] }, "0"],
    [{ $ref: "#/components/schemas/Point" }, '{"x": 0, "y": 0}'],
    [{ $ref: "#/components/schemas/Missing" }, "null"],
    [
      { type: "object", properties: { a: { type: "string" }, b: {} }, required: ["a", "zz"] },
      '{"a": ""}',
    ],
    [{
      type: "object",
      properties: { ["__proto__"]: { type: "integer" } },
      required: ["__proto__"],
    }, '{"__proto__": 0}'],
    [{}, "null"],
    [true, "null"],
    [{ const: 18446744073709551615n }, "18446744073709551615"],
  ];
  const schemas = {
    Point: {
      type: "object",
      properties: { x: { type: "integer" }, y: { type: "integer" } },
      required: ["x", "y"],
    },
  };
  for (const [schema, placeholder] of cases) {
    assert.equal(paramsTemplate(method([["p", schema]]), schemas), `[${placeholder}]`, placeholder);
  }
});

Deno.test("paramsTemplate stops following references that loop", () => {
  const schemas = {
    Node: {
      type: "object",
      properties: { next: { $ref: "#/components/schemas/Node" } },
      required: ["next"],
    },
  };
  assert.equal(
    paramsTemplate(method([["n", { $ref: "#/components/schemas/Node" }]]), schemas),
    '[{"next": {"next": null}}]',
  );
});
