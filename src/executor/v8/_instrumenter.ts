/**
 * The bundled fuel instrumenter (crates/fuel-instrument): rewrites a guest
 * module so that it meters its own fuel (see the crate's docs for exactly
 * what changes), and tells which proposals a module uses.
 *
 * @module
 */

import { decodeEngine } from "../_engine_bytes.ts";
import { ENGINE_GZIP_BASE64 as INSTRUMENTER_GZIP_BASE64 } from "./_instrumenter_wasm.ts";

/** The names the rewritten module uses (crates/fuel-instrument `instrument.rs`). */
export const METERING = {
  importModule: "wasmi_plugins",
  outOfFuel: "out_of_fuel",
  grow: "grow",
  memory: "memory",
  fuelExport: "\0wasmi-plugins:fuel",
  startExport: "\0wasmi-plugins:start",
} as const;

/** The original module's imports, exports, memories and tables. */
export interface Description {
  imports: { module: string; name: string; kind: string; params?: string[]; results?: string[] }[];
  exports: { name: string; kind: string; params?: string[]; results?: string[] }[];
  /** Initial pages of every memory. */
  memories: number[];
  /** Initial entries of every table. */
  tables: number[];
  /**
   * The limits in pages of the memory the rewritten module imports as
   * `wasmi_plugins::memory` (a module's one defined memory becomes an
   * import, so that instances can reuse memories), if it does.
   */
  memoryImport?: { initial: number; maximum: number };
}

/** A rewritten module and the original's description. */
export interface Instrumented {
  bytes: Uint8Array<ArrayBuffer>;
  description: Description;
}

interface Exports {
  memory: WebAssembly.Memory;
  buffer_alloc(len: number): number;
  instrument_module(ptr: number, len: number, maxPages: number): number;
  module_features(ptr: number, len: number, flags: number): number;
  output_ptr(): number;
  output_len(): number;
  text_ptr(): number;
  text_len(): number;
  output_free(): void;
}

let compiled: Promise<WebAssembly.Module> | undefined;
let instance: Exports | undefined;
const decoder = new TextDecoder();

/** The post-MVP proposals a module uses (see src/executor/features.ts). */
export interface Proposals {
  /** wasmparser's names of the proposals, sorted: `exceptions`, `gc`, `threads`, ... */
  proposals: string[];
}

/** A module's description and the post-MVP proposals it uses. */
export interface Scanned extends Description, Proposals {}

/**
 * Validates and rewrites `bytes`, the memory maximum clamped to
 * `maxPages` (64 KiB pages).
 *
 * @throws {WebAssembly.CompileError} if the module is invalid.
 */
export async function instrument(bytes: Uint8Array, maxPages: number): Promise<Instrumented> {
  return await call(
    bytes,
    (e, ptr) => e.instrument_module(ptr, bytes.length, maxPages),
    (e, text) => ({
      bytes: new Uint8Array(e.memory.buffer, e.output_ptr(), e.output_len()).slice(),
      description: JSON.parse(text) as Description,
    }),
  );
}

/**
 * The proposals `bytes` uses, from its sections and code, without
 * compiling it (parsed, not validated: for a module the platform
 * validated).
 *
 * @throws {WebAssembly.CompileError} if the module cannot be parsed.
 */
export async function scanProposals(bytes: Uint8Array): Promise<Proposals> {
  return await call(
    bytes,
    (e, ptr) => e.module_features(ptr, bytes.length, 0),
    (_, text) => JSON.parse(text) as Proposals,
  );
}

/**
 * Validates `bytes` (with every proposal enabled, so that an invalid
 * module gets the validator's message) and gives its description and the
 * proposals it uses, without instrumenting or compiling it.
 *
 * @throws {WebAssembly.CompileError} if the module is invalid.
 */
export async function scanModule(bytes: Uint8Array): Promise<Scanned> {
  return await call(
    bytes,
    (e, ptr) => e.module_features(ptr, bytes.length, 3),
    (_, text) => JSON.parse(text) as Scanned,
  );
}

/** Copies `bytes` in, runs `run`, reads the answer with `read` (or throws the message). */
async function call<T>(
  bytes: Uint8Array,
  run: (exports: Exports, ptr: number) => number,
  read: (exports: Exports, text: string) => T,
): Promise<T> {
  compiled ??= decodeEngine(INSTRUMENTER_GZIP_BASE64).then((wasm) => WebAssembly.compile(wasm));
  const module = await compiled;
  instance ??= new WebAssembly.Instance(module).exports as unknown as Exports;
  const exports = instance;
  try {
    const ptr = exports.buffer_alloc(bytes.length);
    new Uint8Array(exports.memory.buffer, ptr, bytes.length).set(bytes);
    const ok = run(exports, ptr);
    const text = decoder.decode(
      new Uint8Array(exports.memory.buffer, exports.text_ptr(), exports.text_len()),
    );
    if (ok === 0) {
      exports.output_free();
      throw new WebAssembly.CompileError(text.replace(/\s+/g, " "));
    }
    const result = read(exports, text);
    exports.output_free();
    return result;
  } catch (error) {
    // A trap (a bug, or the instrumenter's memory exhausted) leaves its
    // state undefined: the next call gets a fresh instance.
    if (error instanceof WebAssembly.RuntimeError || error instanceof RangeError) {
      instance = undefined;
      throw new WebAssembly.CompileError(`The instrumenter failed: ${error.message}`);
    }
    throw error;
  }
}
