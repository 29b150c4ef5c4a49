import assert from "node:assert/strict";
import { engineHeapBytes, GuestModule, Plugin } from "../mod.ts";

Deno.test("10,000 sequential runs leave the engine's heap flat", async () => {
  using module = await GuestModule.compile(
    await Deno.readFile(new URL("../testdata/wat/hello.wasm", import.meta.url)),
  );
  for (let i = 0; i < 100; i++) await module.output();
  const before = await engineHeapBytes();
  for (let i = 0; i < 10_000; i++) {
    const { status } = await module.output();
    assert.equal(status.code, 0);
  }
  const after = await engineHeapBytes();
  // A leak of even one byte per run would show as 10,000 bytes here.
  assert.ok(after - before < 4096, `engine heap grew from ${before} to ${after} bytes`);
});

Deno.test("runs of a module that traps or loops leave the engine's heap flat", async () => {
  using trap = await GuestModule.compile(
    await Deno.readFile(new URL("../testdata/wat/trap.wasm", import.meta.url)),
  );
  using loop = await GuestModule.compile(
    await Deno.readFile(new URL("../testdata/wat/loop.wasm", import.meta.url)),
  );
  const runs = async () => {
    for (let i = 0; i < 200; i++) {
      await trap.output().catch(() => {});
      await loop.output({ fuel: 50_000 }).catch(() => {});
    }
  };
  await runs();
  const before = await engineHeapBytes();
  await runs();
  const after = await engineHeapBytes();
  assert.ok(after - before < 4096, `engine heap grew from ${before} to ${after} bytes`);
});

Deno.test("plugins refused at load (a module that cannot link) leave the engine's heap flat", async () => {
  const bytes = await Deno.readFile(new URL("../testdata/wat/env_import.wasm", import.meta.url));
  const loads = async () => {
    for (let i = 0; i < 50; i++) {
      await assert.rejects(Plugin.load(bytes), WebAssembly.LinkError);
    }
  };
  await loads();
  const before = await engineHeapBytes();
  await loads();
  const after = await engineHeapBytes();
  assert.ok(after - before < 4096, `engine heap grew from ${before} to ${after} bytes`);
});
