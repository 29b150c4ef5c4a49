import assert from "node:assert/strict";
import { BoundedLineStream } from "./_bounded_line_stream.ts";

async function lines(chunks: string[], maxLineLength: number) {
  let tooLong = 0;
  const stream = ReadableStream.from(chunks.map((c) => new TextEncoder().encode(c)))
    .pipeThrough(new BoundedLineStream({ maxLineLength, onTooLong: () => tooLong++ }))
    .pipeThrough(new TextDecoderStream());
  return { lines: await Array.fromAsync(stream), tooLong };
}

Deno.test("BoundedLineStream passes whole lines, across chunks", async () => {
  assert.deepEqual(await lines(["a\nbb", "b\n", "", "c\nd"], 3), {
    lines: ["a\n", "bbb\n", "c\n", "d"],
    tooLong: 0,
  });
});

Deno.test("BoundedLineStream skips a line over the cap up to its newline and goes on", async () => {
  assert.deepEqual(await lines(["ok\n12", "34", "56\nnext\n", "1234567"], 4), {
    lines: ["ok\n", "next\n"],
    tooLong: 2,
  });
  assert.deepEqual(await lines(["12345\n1234\n"], 4), { lines: ["1234\n"], tooLong: 1 });
});
