import assert from "node:assert/strict";
import { InputPipe } from "./input_pipe.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("InputPipe copies queued chunks across targets in order", async () => {
  const pipe = new InputPipe();
  const writer = pipe.writable.getWriter();
  await writer.write(bytes("abc"));
  await writer.write(bytes("defg"));
  const [a, b] = [new Uint8Array(2), new Uint8Array(4)];
  assert.equal(pipe.read([a, b]), 6);
  assert.deepEqual([...a, ...b], [...bytes("abcdef")]);
  const rest = new Uint8Array(8);
  assert.equal(pipe.read([rest]), 1);
  assert.equal(rest[0], "g".charCodeAt(0));
});

Deno.test("InputPipe reports no data, then end of input", async () => {
  const pipe = new InputPipe();
  assert.equal(pipe.read([new Uint8Array(4)]), null);
  const waited = pipe.wait();
  const writer = pipe.writable.getWriter();
  await writer.close();
  await waited;
  assert.equal(pipe.read([new Uint8Array(4)]), 0);
});

Deno.test("InputPipe holds writes at the high-water mark until the guest reads", async () => {
  const pipe = new InputPipe({ highWaterMark: 4 });
  const writer = pipe.writable.getWriter();
  let done = false;
  const write = writer.write(bytes("12345")).then(() => done = true);
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(done, false);
  assert.equal(pipe.buffered, 5);
  pipe.read([new Uint8Array(3)]);
  await write;
  assert.equal(done, true);
});

Deno.test("InputPipe rejects writes after the guest closed it", async () => {
  const pipe = new InputPipe();
  pipe.close();
  const writer = pipe.writable.getWriter();
  await assert.rejects(writer.write(bytes("x")), TypeError);
});
