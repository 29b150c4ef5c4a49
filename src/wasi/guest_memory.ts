/**
 * Access to a guest's linear memory, as the WASI layer sees it.
 *
 * @module
 */

/**
 * A guest's linear memory. Implementations return views of the current
 * memory every time (the memory may move when it grows), so callers must not
 * keep a view across a point where the guest runs.
 */
export interface GuestMemory {
  /** The guest's memory as bytes. */
  bytes(): Uint8Array;
  /** The guest's memory as a `DataView` (WASI data is little-endian). */
  view(): DataView;
}

/**
 * A {@linkcode GuestMemory} over a `WebAssembly.Memory` (for guests run by
 * V8's own WebAssembly).
 *
 * @example Wrap an exported memory
 * ```ts
 * import { WebAssemblyMemory } from "@wasmi-plugins/host/wasi";
 * const memory = new WebAssemblyMemory(new WebAssembly.Memory({ initial: 1 }));
 * memory.bytes()[0] = 42;
 * if (memory.view().getUint8(0) !== 42) throw new Error("unexpected");
 * ```
 */
export class WebAssemblyMemory implements GuestMemory {
  readonly #memory: WebAssembly.Memory;
  #bytes: Uint8Array = new Uint8Array(0);
  #view: DataView = new DataView(new ArrayBuffer(0));

  /**
   * Wraps `memory`.
   *
   * @param memory The memory to access.
   */
  constructor(memory: WebAssembly.Memory) {
    this.#memory = memory;
  }

  /**
   * The memory as bytes.
   *
   * @returns a view of the whole memory
   */
  bytes(): Uint8Array {
    if (this.#bytes.buffer !== this.#memory.buffer) {
      this.#bytes = new Uint8Array(this.#memory.buffer);
    }
    return this.#bytes;
  }

  /**
   * The memory as a `DataView`.
   *
   * @returns a view of the whole memory
   */
  view(): DataView {
    if (this.#view.buffer !== this.#memory.buffer) this.#view = new DataView(this.#memory.buffer);
    return this.#view;
  }
}

/**
 * The end of `len` bytes at `ptr` in `memory`.
 *
 * @throws {RangeError} if the range is outside the memory (the executor
 * answers the guest's call with `EFAULT`).
 */
export function checkedEnd(ptr: number, len: number, memory: GuestMemory): number {
  const end = ptr + len;
  if (end > memory.bytes().length) {
    throw new RangeError(`Guest pointer range ${ptr}..${end} is outside its memory`);
  }
  return end;
}
