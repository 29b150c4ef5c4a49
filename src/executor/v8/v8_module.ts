/**
 * A guest module compiled for V8's own WebAssembly: instrumented for fuel
 * once per memory limit, compiled by V8, instantiated per run.
 *
 * @module
 */

import type { GuestCallbacks } from "../_guest_engine.ts";
import { type Description, instrument, type Instrumented } from "./_instrumenter.ts";
import { MemoryPool } from "./_memory_pool.ts";
import { tableProblem } from "../_instance_limits.ts";
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

  private constructor(bytes: Uint8Array, description: Description) {
    this.#bytes = bytes;
    this.imports = description.imports;
    this.exports = description.exports;
    this.memoryPages = description.memories;
    this.tableEntries = description.tables;
  }

  /**
   * Validates, instruments and compiles a module (for guests of at most
   * `maxMemory` bytes; other limits compile again on first use).
   *
   * @throws {WebAssembly.CompileError} if the bytes are not a valid module.
   */
  static async compile(bytes: Uint8Array, maxMemory: number): Promise<V8Module> {
    const pages = pagesOf(maxMemory);
    const instrumented = await instrument(bytes, pages);
    const tables = tableProblem(instrumented.description.tables);
    if (tables !== undefined) throw new WebAssembly.CompileError(tables);
    const module = new V8Module(bytes.slice(), instrumented.description);
    const compiled = compile(instrumented);
    module.#compiled.set(pages, compiled);
    await compiled;
    return module;
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
