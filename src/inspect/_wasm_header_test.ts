import assert from "node:assert/strict";
import { headerProblem } from "./_wasm_header.ts";

const bytes = (...values: number[]) => new Uint8Array(values);
const text = (value: string) => new TextEncoder().encode(value);

Deno.test("headerProblem accepts what starts as a version 1 module", () => {
  assert.equal(headerProblem(bytes(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0)), undefined);
  // Truncated: for the compiler to report.
  assert.equal(headerProblem(bytes(0, 0x61, 0x73, 0x6d, 1)), undefined);
});

Deno.test("headerProblem says what a file that is not a module is, and what to do", () => {
  const next = "pass a .wasm file built for wasm32-wasip1";
  assert.equal(headerProblem(bytes()), `is empty, not a WebAssembly module; ${next}`);
  assert.equal(
    headerProblem(text("# wasmi-plugins\n")),
    `is not a WebAssembly module (it does not start with \\0asm); ${next}`,
  );
  for (const wat of ["(module)", "\n;; a comment\n(; block ;) (module $m\n", "(component)"]) {
    assert.equal(
      headerProblem(text(wat)),
      `is WebAssembly text, not a binary module; convert it with wat2wasm, or ${next}`,
      wat,
    );
  }
  assert.equal(
    headerProblem(bytes(0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0)),
    "is a WebAssembly component (as wasm32-wasip2 builds are), not a module; " +
      "build it for wasm32-wasip1",
  );
  assert.equal(
    headerProblem(bytes(0, 0x61, 0x73, 0x6d, 2, 0, 0, 0)),
    `is a WebAssembly binary of version 2, not a version 1 module; ${next}`,
  );
});
