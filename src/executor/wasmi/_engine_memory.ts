/**
 * A guest's memory inside the engine's memory, as a {@linkcode GuestMemory}.
 *
 * @module
 */

import type { GuestMemory } from "../../wasi/guest_memory.ts";

/**
 * Views of a guest's linear memory, which lives at `ptr..ptr+length` of the
 * engine's memory. The location changes when the guest grows its memory and
 * the engine's buffer changes when the engine's memory grows; both are
 * checked on every access, so views are never stale and never copied. The
 * engine's memory is not shared, so growing it detaches the old buffer and
 * empties views of it: a view whose length is not the guest's is remade
 * (cheaper than reading the engine's `buffer` on every host call).
 */
export class EngineGuestMemory implements GuestMemory {
  readonly #engine: WebAssembly.Memory;
  #ptr = 0;
  #length = 0;
  #bytes: Uint8Array = new Uint8Array(0);
  #view: DataView = new DataView(new ArrayBuffer(0));

  constructor(engine: WebAssembly.Memory) {
    this.#engine = engine;
  }

  /** Records where the guest's memory is now. */
  locate(ptr: number, length: number): void {
    if (ptr !== this.#ptr || length !== this.#length) {
      this.#ptr = ptr;
      this.#length = length;
      this.#bytes = new Uint8Array(0);
      this.#view = new DataView(new ArrayBuffer(0));
    }
  }

  /** Forgets the location: the guest is gone, later accesses fail. */
  detach(): void {
    this.locate(0, 0);
  }

  bytes(): Uint8Array {
    if (this.#bytes.length !== this.#length) this.#remake();
    return this.#bytes;
  }

  view(): DataView {
    // (A DataView of a detached buffer throws on byteLength: the bytes' view tells.)
    if (this.#bytes.length !== this.#length) this.#remake();
    return this.#view;
  }

  #remake(): void {
    const buffer = this.#engine.buffer;
    this.#bytes = new Uint8Array(buffer, this.#ptr, this.#length);
    this.#view = new DataView(buffer, this.#ptr, this.#length);
  }
}
