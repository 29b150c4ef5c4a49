import assert from "node:assert/strict";
import { GuestModule } from "../executor/guest_module.ts";
import { linkProblems } from "./_link_problems.ts";

const testdata = new URL("../../testdata/", import.meta.url);

async function problemsOf(bytes: Uint8Array): Promise<string[]> {
  using module = await GuestModule.compile(bytes);
  return linkProblems(module);
}

Deno.test("linkProblems is empty for a module that can run", async () => {
  assert.deepEqual(await problemsOf(await Deno.readFile(new URL("wat/hello.wasm", testdata))), []);
});

Deno.test("linkProblems says a module without _start is not a wasip1 command", async () => {
  assert.deepEqual(await problemsOf(await Deno.readFile(new URL("wat/no_start.wasm", testdata))), [
    "is not a wasip1 command (it exports no `_start` function); " +
    "build it as a program with a `main` function, not as a library",
  ]);
});

Deno.test("linkProblems names imports this host does not provide", async () => {
  assert.deepEqual(
    await problemsOf(await Deno.readFile(new URL("wat/env_import.wasm", testdata))),
    [
      "imports `env::foo`, which this host does not provide (it provides " +
      "wasi_snapshot_preview1 functions only); build it for wasm32-wasip1 with no other imports",
    ],
  );
});

Deno.test("linkProblems groups the problems of a reactor with foreign and mistyped imports", async () => {
  // wat2wasm of:
  // (module
  //   (import "wasi_snapshot_preview1" "fd_write" (func (param i32)))
  //   (import "wasi_snapshot_preview1" "nope" (func))
  //   (import "env" "a" (func)) (import "env" "b" (func))
  //   (import "env" "c" (func)) (import "env" "d" (func))
  //   (func (export "_initialize")))
  const hex =
    "0061736d0100000001080260017f0060000002610616776173695f736e617073686f745f70726576696577310866645f7772697465000016776173695f736e617073686f745f7072657669657731046e6f7065000103656e760161000103656e760162000103656e760163000103656e760164000103020101070f010b5f696e697469616c697a6500060a040102000b";
  const bytes = new Uint8Array(hex.match(/../g)!.map((byte) => parseInt(byte, 16)));
  assert.deepEqual(await problemsOf(bytes), [
    "imports `env::a`, `env::b` and 2 more, which this host does not provide (it provides " +
    "wasi_snapshot_preview1 functions only); build it for wasm32-wasip1 with no other imports",
    "imports `wasi_snapshot_preview1::nope`, which is not a WASI preview1 function; " +
    "build it with a wasm32-wasip1 toolchain",
    "imports `wasi_snapshot_preview1::fd_write` with another signature than WASI's; " +
    "build it with a wasm32-wasip1 toolchain",
    "is a WASI reactor (it exports `_initialize`, not `_start`), not a wasip1 command; " +
    "build it as a program with a `main` function",
  ]);
});
