import assert from "node:assert/strict";
import { OutputPipe } from "./output_pipe.ts";

Deno.test("OutputPipe asks the guest to wait above the high-water mark", async () => {
  const pipe = new OutputPipe({ highWaterMark: 4 });
  assert.equal(pipe.write(new Uint8Array(2)), true);
  const wait = pipe.write(new Uint8Array(3));
  assert.ok(wait instanceof Promise);
  const reader = pipe.readable.getReader();
  assert.equal((await reader.read()).value?.length, 2);
  await wait;
  reader.releaseLock();
  pipe.close();
});

Deno.test("OutputPipe refuses writes once its reader cancelled", async () => {
  const pipe = new OutputPipe();
  await pipe.readable.cancel();
  assert.equal(pipe.write(new Uint8Array(1)), false);
  assert.equal(pipe.open, false);
});

Deno.test("OutputPipe gathers small writes into one chunk until flushed or closed", async () => {
  const pipe = new OutputPipe();
  const bytes = new TextEncoder().encode("line\n");
  for (let i = 0; i < 3; i++) assert.equal(pipe.write(bytes), true);
  bytes.fill(0); // the pipe copied them
  pipe.flush();
  assert.equal(pipe.write(new TextEncoder().encode("xline\n"), 1), true);
  pipe.close();
  const chunks = (await Array.fromAsync(pipe.readable)).map((c) => new TextDecoder().decode(c));
  assert.deepEqual(chunks, ["line\nline\nline\n", "line\n"]);
});

Deno.test("OutputPipe sends a chunk once 16 KiB are gathered, and a large write as its own", async () => {
  const pipe = new OutputPipe({ highWaterMark: 1 << 20 });
  for (let i = 0; i < 1024 + 1; i++) assert.equal(pipe.write(new Uint8Array(16)), true);
  assert.equal(pipe.write(new Uint8Array(100_000)), true);
  pipe.close();
  const sizes = (await Array.fromAsync(pipe.readable)).map((c) => c.length);
  assert.deepEqual(sizes, [16384, 16, 100_000]);
});
