/**
 * A guest module compiled for V8's own WebAssembly: instrumented for fuel
 * once per memory limit, compiled by V8, instantiated per run.
 *
 * @module
 */

import type { GuestCallbacks } from "../_guest_engine.ts";
import { type Description, instrument, type Instrumented } from "./_instrumenter.ts";
import { MemoryPool } from "./_memory_pool.ts";
import { V8Guest } from "./v8_guest.ts";

const PAGE = 65536;
const MAX_PAGES = 65536;

/** The instrumented module compiled by V8, and the memories its instances reuse (if it imports one). */
export interface PreparedModule {
  module: WebAssembly.Module;
  memories: MemoryPool | undefined;
}

/** A validated module, ready to run on V8 with fuel metering. */
export class V8Module {
  /** The module's imports (as the Wasmi engine describes them). */
  readonly imports: Description["imports"];
  /** The module's exports. */
  readonly exports: Description["exports"];
  /** Initial pages of every memory. */
  readonly memoryPages: readonly number[];
  /** Initial entries of every table. */
  readonly tableEntries: readonly number[];
  readonly #bytes: Uint8Array;
  /** The instrumented, compiled module per memory maximum in pages. */
  readonly #compiled = new Map<number, Promise<PreparedModule>>();

  /**
   * A module that was validated (and found to use only what this engine
   * runs); it is instrumented and compiled per memory limit on first use
   * ({@linkcode V8Module.prepare}).
   */
  constructor(bytes: Uint8Array, description: Description) {
    this.#bytes = bytes;
    this.imports = description.imports;
    this.exports = description.exports;
    this.memoryPages = description.memories;
    this.tableEntries = description.tables;
  }

  /** The compiled module for guests of at most `maxMemory` bytes. */
  prepare(maxMemory: number): Promise<PreparedModule> {
    const pages = pagesOf(maxMemory);
    let compiled = this.#compiled.get(pages);
    if (compiled === undefined) {
      compiled = instrument(this.#bytes, pages).then(compile);
      compiled.catch(() => this.#compiled.delete(pages));
      this.#compiled.set(pages, compiled);
    }
    return compiled;
  }

  /** Forgets the compiled code and kept memories (guests running now keep theirs). */
  dispose(): void {
    this.#compiled.clear();
  }

  /** A new guest instance (instantiated when it first runs). */
  instantiate(maxMemory: number, host: GuestCallbacks): V8Guest {
    return new V8Guest(this, maxMemory, host);
  }
}

async function compile(instrumented: Instrumented): Promise<PreparedModule> {
  const { memoryImport } = instrumented.description;
  return {
    module: await WebAssembly.compile(instrumented.bytes),
    memories: memoryImport && new MemoryPool(memoryImport.initial, memoryImport.maximum),
  };
}

function pagesOf(maxMemory: number): number {
  return Math.min(MAX_PAGES, Math.floor(maxMemory / PAGE));
}
