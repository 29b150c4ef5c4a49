import assert from "node:assert/strict";
import { LineSplitStream } from "./line_split_stream.ts";

const lines = async (chunks: string[], maxLineLength?: number) => {
  const stream = ReadableStream.from(chunks.map((c) => new TextEncoder().encode(c)))
    .pipeThrough(new LineSplitStream(maxLineLength === undefined ? {} : { maxLineLength }));
  return (await Array.fromAsync(stream)).map((line) => new TextDecoder().decode(line));
};

Deno.test("LineSplitStream joins lines split across chunks", async () => {
  assert.deepEqual(await lines(["ab", "c\nd", "e\n\nf"]), ["abc", "de", "", "f"]);
});

Deno.test("LineSplitStream accepts a line of exactly the limit", async () => {
  assert.deepEqual(await lines(["1234", "\n"], 4), ["1234"]);
});

Deno.test("LineSplitStream errors with RangeError on an endless line", async () => {
  await assert.rejects(lines(["12", "34", "5"], 4), RangeError);
  await assert.rejects(lines(["12345\n"], 4), RangeError);
});
