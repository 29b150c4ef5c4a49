/**
 * The engine instances one compiled module runs in.
 *
 * An engine instance is a wasm32 program: its memory holds at most 4 GiB,
 * shared by the module's compiled code and every guest running in it. So a
 * module starts in one instance and gets more when its guests' memory limits
 * would not fit together: a guest is placed in an instance only if the
 * limits of the guests there, counted twice (a memory growing past 8 MiB
 * moves into room for the capacities its buffer doubles to, less than twice
 * its limit), plus each guest's largest call stack and what its memory
 * outgrew, still fit.
 * Extra instances are dropped as soon as their last guest ends; the first
 * one too, once its heap has held much, so that the memory it grew to is given
 * back. A failed instance fails only the guests it held and is replaced.
 *
 * @module
 */

import { createEngineSync, type Engine } from "./_engine.ts";

/** What the guests of one instance may hold together (their limits, doubled). */
const CAPACITY = 3.5 * 2 ** 30;
/**
 * The largest call stack of one guest: Wasmi's limit of 1,000,000 values of
 * 8 bytes. It is not part of `maxMemory`, so it is reserved here.
 */
const STACK_BYTES = 8_000_000;
/**
 * What a large guest memory leaves behind on its way into its room (the
 * buffers it outgrew below 8 MiB, each with its room; crates/wasmi-wasm/src/
 * alloc.rs), reserved here with the doubled limit.
 */
const OUTGROWN_BYTES = 32 * 2 ** 20;
/**
 * An idle first instance whose heap once held more than this is dropped too
 * (its memory's size also counts room that large guest memories get and
 * may never touch).
 */
const RECYCLE_BYTES = 256 * 2 ** 20;

interface Entry {
  engine: Engine;
  /** The module's handle in `engine`. */
  handle: number;
  /** The doubled memory limits of the guests running in it. */
  committed: number;
  guests: number;
}

/** A place to run one guest; call `done` when it has ended. */
export interface Lease {
  engine: Engine;
  handle: number;
  done(): void;
}

/** The engine instances of one compiled module. */
export class EnginePool {
  readonly #bytes: Uint8Array;
  readonly #entries: Entry[] = [];

  /**
   * @param bytes The module's bytes (compiled again for each new instance).
   * @param engine The instance the module was first compiled in.
   * @param handle The module's handle there.
   */
  constructor(bytes: Uint8Array, engine: Engine, handle: number) {
    this.#bytes = bytes;
    this.#add(engine, handle);
  }

  /** The number of instances now. */
  get size(): number {
    return this.#entries.length;
  }

  /**
   * An instance with room for a guest of `maxMemory` bytes, new if none has.
   *
   * @param maxMemory The guest's memory limit.
   * @returns the lease
   */
  acquire(maxMemory: number): Lease {
    const need = 2 * maxMemory + STACK_BYTES + OUTGROWN_BYTES;
    for (const entry of [...this.#entries]) {
      if (entry.engine.failure !== undefined && entry.guests === 0) this.#drop(entry);
    }
    let entry = this.#entries.find((e) =>
      e.engine.failure === undefined && (e.guests === 0 || e.committed + need <= CAPACITY)
    );
    if (entry === undefined) {
      const engine = createEngineSync();
      entry = this.#add(engine, engine.compile(this.#bytes));
    }
    const chosen = entry;
    chosen.committed += need;
    chosen.guests++;
    let done = false;
    return {
      engine: chosen.engine,
      handle: chosen.handle,
      done: () => {
        if (done) return;
        done = true;
        chosen.committed -= need;
        chosen.guests--;
        if (chosen.guests > 0) return;
        const first = chosen === this.#entries[0];
        if (
          chosen.engine.failure !== undefined || !first ||
          chosen.engine.heapPeakBytes() > RECYCLE_BYTES
        ) {
          this.#drop(chosen);
        }
      },
    };
  }

  /** Frees the module in every instance; running guests are not affected. */
  dispose(): void {
    for (const entry of [...this.#entries]) this.#drop(entry);
  }

  #add(engine: Engine, handle: number): Entry {
    const entry = { engine, handle, committed: 0, guests: 0 };
    engine.retain();
    this.#entries.push(entry);
    return entry;
  }

  #drop(entry: Entry): void {
    const index = this.#entries.indexOf(entry);
    if (index < 0) return;
    this.#entries.splice(index, 1);
    entry.engine.freeModule(entry.handle);
    entry.engine.release();
  }
}
