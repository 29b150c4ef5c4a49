/**
 * Memories that ended guests of one module left behind, zeroed, for its
 * next instances: a fresh `WebAssembly.Memory` costs a page fault for every
 * page the guest touches (≈ 1.5 µs each on the CI machine's kind), zeroing
 * a used 1 MiB memory ≈ 7 µs, and fresh memories also make V8 collect
 * garbage more often.
 *
 * @module
 */

const PAGE = 65536;
/** Memories kept per pool, at most. */
const MAX_KEPT = 8;
/** Larger memories are not kept: zeroing one the first time faults in every page it has. */
const MAX_KEPT_BYTES = 4 << 20;

/** Memories of one type (initial and maximum pages), zeroed, ready for a new instance. */
export class MemoryPool {
  readonly #initial: number;
  readonly #maximum: number;
  readonly #kept: WebAssembly.Memory[] = [];

  /**
   * @param initial Pages a new instance's memory has.
   * @param maximum Pages it may grow to.
   */
  constructor(initial: number, maximum: number) {
    this.#initial = initial;
    this.#maximum = maximum;
  }

  /** A memory of the pool's type with every byte zero: one kept, or a new one. */
  take(): WebAssembly.Memory {
    return this.#kept.pop() ??
      new WebAssembly.Memory({ initial: this.#initial, maximum: this.#maximum });
  }

  /**
   * Takes back the memory of an instance that can never run again (its
   * stack has unwound): zeroed and kept, unless it grew (a new instance's
   * memory has exactly the initial size), is large, or the pool is full.
   */
  give(memory: WebAssembly.Memory): void {
    const bytes = this.#initial * PAGE;
    if (memory.buffer.byteLength !== bytes || bytes > MAX_KEPT_BYTES) return;
    if (this.#kept.length >= MAX_KEPT) return;
    new Uint8Array(memory.buffer).fill(0);
    this.#kept.push(memory);
  }
}
