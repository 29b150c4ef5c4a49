import assert from "node:assert/strict";
import { readOpenRpc } from "../inspect/_openrpc.ts";
import { methodsTable, signature } from "./_methods_table.ts";

const integer = { type: "integer" };

Deno.test("methodsTable aligns signatures and summaries", () => {
  const { methods } = readOpenRpc({
    methods: [
      {
        name: "ping",
        summary: "Answers pong",
        params: [],
        result: { name: "r", schema: { const: "pong" } },
      },
      {
        name: "add",
        summary: "Adds",
        params: [{ name: "a", schema: integer, required: true }, { name: "b", schema: integer }],
        result: { name: "sum", schema: integer },
        paramStructure: "by-position",
      },
      { name: "exit", params: [{ name: "code", schema: integer, required: true }] },
    ],
  })!;
  assert.deepEqual(methodsTable(methods), [
    '  ping() -> "pong"                         Answers pong',
    "  add(a: integer, b?: integer) -> integer  Adds",
    "  exit(code: integer)",
  ]);
});

Deno.test("signature shows by-name params in braces", () => {
  const { methods } = readOpenRpc({
    methods: [{
      name: "greet",
      params: [{ name: "name", schema: { type: "string" }, required: true }],
      result: { name: "r", schema: { type: "string" } },
      paramStructure: "by-name",
    }],
  })!;
  assert.equal(signature(methods[0]!), "greet({name: string}) -> string");
});

Deno.test("methodsTable escapes control characters and shortens long text", () => {
  const { methods } = readOpenRpc({
    methods: [
      { name: "\x1b[2Jx", summary: "a\nb\u009b", params: [] },
      { name: "n".repeat(200), summary: "s".repeat(200), params: [] },
    ],
  })!;
  const [first, second] = methodsTable(methods);
  assert.equal(first, "  \\x1b[2Jx()  a\\x0ab\\u009b");
  assert.equal(second, `  ${"n".repeat(63)}…()  ${"s".repeat(99)}…`);
});

Deno.test("signature escapes control characters in types too", () => {
  const { methods } = readOpenRpc({
    methods: [{
      name: "m",
      params: [{ name: "p", schema: { type: "\x1b[31mred" }, required: true }],
      result: { name: "r", schema: { $ref: "#/components/schemas/%1b[2J" } },
    }],
  })!;
  assert.ok(!signature(methods[0]!).includes("\x1b"));
  assert.match(signature(methods[0]!), /^m\(p: \\x1b\[31mred\) -> /);
});
