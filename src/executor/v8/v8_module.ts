/**
 * A guest module compiled for V8's own WebAssembly: instrumented for fuel
 * once per memory limit, compiled by V8, instantiated per run.
 *
 * @module
 */

import type { GuestCallbacks } from "../_guest_engine.ts";
import { type Description, instrument } from "./_instrumenter.ts";
import { V8Guest } from "./v8_guest.ts";

const PAGE = 65536;
const MAX_PAGES = 65536;

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
  readonly #compiled = new Map<number, Promise<WebAssembly.Module>>();

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
    const module = new V8Module(bytes.slice(), instrumented.description);
    const compiled = WebAssembly.compile(instrumented.bytes);
    module.#compiled.set(pages, compiled);
    await compiled;
    return module;
  }

  /** The compiled module for guests of at most `maxMemory` bytes. */
  prepare(maxMemory: number): Promise<WebAssembly.Module> {
    const pages = pagesOf(maxMemory);
    let compiled = this.#compiled.get(pages);
    if (compiled === undefined) {
      compiled = instrument(this.#bytes, pages).then((i) => WebAssembly.compile(i.bytes));
      compiled.catch(() => this.#compiled.delete(pages));
      this.#compiled.set(pages, compiled);
    }
    return compiled;
  }

  /** Forgets the compiled code (guests running now keep theirs). */
  dispose(): void {
    this.#compiled.clear();
  }

  /** A new guest instance (instantiated when it first runs). */
  instantiate(maxMemory: number, host: GuestCallbacks): V8Guest {
    return new V8Guest(this, maxMemory, host);
  }
}

function pagesOf(maxMemory: number): number {
  return Math.min(MAX_PAGES, Math.floor(maxMemory / PAGE));
}
