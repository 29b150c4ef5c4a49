import assert from "node:assert/strict";
import { GuestModule, resolveEngine } from "./mod.ts";

/** Runs `body` as if this runtime had no JSPI. */
async function withoutJspi(body: () => Promise<void> | void): Promise<void> {
  const wasm = WebAssembly as unknown as Record<string, unknown>;
  const saved = { Suspending: wasm.Suspending, promising: wasm.promising };
  delete wasm.Suspending;
  try {
    await body();
  } finally {
    Object.assign(wasm, saved);
  }
}

Deno.test("resolveEngine defaults to wasmi and picks v8 for auto where JSPI exists", () => {
  assert.equal(resolveEngine(), "wasmi");
  assert.equal(resolveEngine("wasmi"), "wasmi");
  assert.equal(resolveEngine("v8"), "v8");
  assert.equal(resolveEngine("auto"), "v8");
});

Deno.test("resolveEngine falls back to wasmi for auto, and refuses v8, without JSPI", async () => {
  await withoutJspi(async () => {
    assert.equal(resolveEngine("auto"), "wasmi");
    assert.throws(() => resolveEngine("v8"), {
      name: "TypeError",
      message: /WebAssembly\.Suspending/,
    });
    const bytes = await Deno.readFile(new URL("../../testdata/wat/hello.wasm", import.meta.url));
    await assert.rejects(GuestModule.compile(bytes, { engine: "v8" }), {
      name: "TypeError",
      message: /needs JSPI \(WebAssembly\.Suspending and WebAssembly\.promising\)/,
    });
    using module = await GuestModule.compile(bytes, { engine: "auto" });
    assert.equal(module.engine, "wasmi");
  });
});

Deno.test("resolveEngine rejects an unknown engine", () => {
  assert.throws(() => resolveEngine("wasm3" as "v8"), {
    name: "TypeError",
    message: 'Option engine must be "wasmi", "v8" or "auto", got "wasm3"',
  });
});

Deno.test("GuestModule.compile with engine v8 runs the guest on V8", async () => {
  const bytes = await Deno.readFile(new URL("../../testdata/wat/hello.wasm", import.meta.url));
  using module = await GuestModule.compile(bytes, { engine: "v8" });
  assert.equal(module.engine, "v8");
  const { status, stdout } = await module.output();
  assert.equal(status.code, 0);
  assert.equal(new TextDecoder().decode(stdout), "hello\n");
});
