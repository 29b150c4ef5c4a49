import assert from "node:assert/strict";
import { MemoryPool } from "./_memory_pool.ts";

Deno.test("MemoryPool gives back used memories zeroed, and drops grown ones", () => {
  const pool = new MemoryPool(2, 4);
  const memory = pool.take();
  assert.equal(memory.buffer.byteLength, 2 * 65536);
  new Uint8Array(memory.buffer).fill(7);
  pool.give(memory);
  const again = pool.take();
  assert.equal(again, memory);
  assert.ok(new Uint8Array(again.buffer).every((byte) => byte === 0));

  again.grow(1);
  pool.give(again);
  const fresh = pool.take();
  assert.notEqual(fresh, again);
  assert.equal(fresh.buffer.byteLength, 2 * 65536);
});

Deno.test("MemoryPool keeps at most a few memories, and no large ones", () => {
  const pool = new MemoryPool(1, 1);
  const memories = Array.from({ length: 20 }, () => pool.take());
  for (const memory of memories) pool.give(memory);
  const reused = new Set(Array.from({ length: 20 }, () => pool.take()));
  assert.equal([...reused].filter((memory) => memories.includes(memory)).length, 8);

  const large = new MemoryPool(128, 128);
  const memory = large.take();
  large.give(memory);
  assert.notEqual(large.take(), memory);
});
