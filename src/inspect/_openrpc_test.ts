import assert from "node:assert/strict";
import { componentName, readOpenRpc } from "./_openrpc.ts";

Deno.test("readOpenRpc reads the title, version and each method's params and result", () => {
  const document = {
    openrpc: "1.3.2",
    info: { title: "c-example", version: "0.1.0" },
    methods: [
      {
        name: "add",
        summary: "Adds two integers",
        params: [
          { name: "a", schema: { type: "integer" }, required: true },
          { name: "b", schema: { type: "integer" } },
        ],
        result: { name: "sum", schema: { type: "integer" } },
        paramStructure: "by-position",
      },
      { name: "exit", description: "  Ends the plugin\nwithout answering  ", params: [] },
    ],
  };
  assert.deepEqual(readOpenRpc(document), {
    title: "c-example",
    version: "0.1.0",
    methods: [
      {
        name: "add",
        summary: "Adds two integers",
        params: [
          { name: "a", required: true, schema: { type: "integer" } },
          { name: "b", required: false, schema: { type: "integer" } },
        ],
        result: { name: "sum", required: false, schema: { type: "integer" } },
        paramStructure: "by-position",
      },
      { name: "exit", summary: "Ends the plugin", params: [], paramStructure: "either" },
    ],
    schemas: {},
    document,
  });
});

Deno.test("readOpenRpc gives undefined for anything but an object with a methods array", () => {
  for (const value of [null, 1, "x", [], {}, { methods: {} }, { methods: "ping" }]) {
    assert.equal(readOpenRpc(value), undefined, JSON.stringify(value));
  }
  assert.deepEqual(readOpenRpc({ methods: [] })?.methods, []);
});

Deno.test("readOpenRpc skips what does not fit and reads only own fields", () => {
  const document = JSON.parse(`{
    "info": { "title": 5, "version": ["1"] },
    "methods": [
      null, 7, "ping", { "summary": "no name" }, { "name": "" }, { "name": 3 },
      { "$ref": "#/components/methods/x" },
      { "name": "ok", "params": [null, { "schema": {} }, { "name": "p", "required": "yes" }],
        "result": "nope", "paramStructure": "sideways", "summary": 12 },
      { "name": "__proto__", "params": {} }
    ]
  }`);
  const description = readOpenRpc(document)!;
  assert.equal(description.title, undefined);
  assert.equal(description.version, undefined);
  assert.deepEqual(description.methods, [
    {
      name: "ok",
      params: [{ name: "p", required: false, schema: {} }],
      paramStructure: "either",
    },
    { name: "__proto__", params: [], paramStructure: "either" },
  ]);
  // Inherited properties are not fields of the document.
  const inherited = Object.create({ methods: [{ name: "x" }] });
  assert.equal(readOpenRpc(inherited), undefined);
});

Deno.test("readOpenRpc follows content descriptor references one level", () => {
  const description = readOpenRpc({
    components: {
      contentDescriptors: {
        "Name.v1": { name: "name", required: true, schema: { type: "string" } },
        Loop: { $ref: "#/components/contentDescriptors/Loop" },
      },
      schemas: { Point: { type: "object" } },
    },
    methods: [{
      name: "greet",
      params: [
        { $ref: "#/components/contentDescriptors/Name.v1" },
        { $ref: "#/components/contentDescriptors/Loop" },
        { $ref: "#/components/contentDescriptors/Missing" },
        { $ref: "https://example.com/x.json" },
      ],
      paramStructure: "by-name",
    }],
  })!;
  assert.deepEqual(description.methods[0]!.params, [
    { name: "name", required: true, schema: { type: "string" } },
  ]);
  assert.deepEqual(description.schemas, { Point: { type: "object" } });
});

Deno.test("componentName decodes a local reference's last segment", () => {
  assert.equal(componentName("#/components/schemas/Point", "schemas"), "Point");
  assert.equal(componentName("#/components/schemas/a~1b~0c%20d", "schemas"), "a/b~c d");
  assert.equal(componentName("#/components/schemas/a/b", "schemas"), undefined);
  assert.equal(componentName("#/components/errors/E", "schemas"), undefined);
  assert.equal(componentName("#/components/schemas/%E0%A4%A", "schemas"), undefined);
});
