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
