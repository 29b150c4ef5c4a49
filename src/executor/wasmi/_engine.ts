/**
 * The bundled Wasmi engine: loading it and a typed view of its C ABI
 * (crates/wasmi-wasm). Nothing here knows about WASI, fuel policy or
 * suspension policy; that is the executor's business.
 *
 * @module
 */

import { decodeEngine } from "../_engine_bytes.ts";
import { ENGINE_GZIP_BASE64 } from "./_engine_wasm.ts";
import { EngineError } from "../errors.ts";
import { Status, type Step } from "../_guest_engine.ts";

/** What `guest_new` and `guest_run` report, and their result (shared with the V8 engine). */
export { Status, type Step };

/** Answers of a host call: 0 done, 1 suspend the guest. */
export type HostAnswer = 0 | 1;

/** What the engine asks the host about one guest. */
export interface GuestHost {
  /** Handles the guest's import calls. */
  call: HostCall;
  /**
   * Whether the guest may hold `bytes` more of memory and tables (a shared
   * budget); a negative `bytes` gives back a grant that was not used.
   */
  grow(bytes: number): boolean;
  /** The engine failed: the guest, wherever it waits, is gone. */
  fail(error: EngineError): void;
}

/**
 * Handles the imports of one guest. `args` and `results` are offsets of
 * `u64` slots in the engine's memory; `memory`/`memoryLength` locate the
 * guest's linear memory there.
 */
export type HostCall = (
  importIndex: number,
  args: number,
  results: number,
  memory: number,
  memoryLength: number,
) => HostAnswer;

interface Exports {
  memory: WebAssembly.Memory;
  scratch(): number;
  buffer_alloc(len: number): number;
  heap_bytes(): number;
  heap_peak_bytes(): number;
  text_ptr(): number;
  text_len(): number;
  module_compile(ptr: number, len: number): number;
  module_describe(module: number): number;
  module_free(module: number): void;
  guest_new(module: number, maxMemory: number): number;
  guest_free(guest: number): void;
  guest_run(guest: number, fuel: bigint): number;
}

const SCRATCH_RESULTS = 32;
const decoder = new TextDecoder();

/**
 * One instance of the engine. Each compiled guest module gets its own (see
 * {@linkcode createEngine}), shared by the module's running guests: when the
 * module is disposed of and its guests have ended, nothing refers to the
 * instance any more and the garbage collector reclaims its memory and
 * compiled code.
 */
export class Engine {
  readonly #exports: Exports;
  readonly #guests = new Map<number, GuestHost>();
  #users = 0;
  readonly #scratch: number;
  #u32: Uint32Array = new Uint32Array(0);
  #i64: BigInt64Array = new BigInt64Array(0);
  #failed: EngineError | undefined;

  constructor(instance: WebAssembly.Instance, guests: Map<number, GuestHost>) {
    this.#exports = instance.exports as unknown as Exports;
    this.#guests = guests;
    this.#scratch = this.#exports.scratch() >>> 0;
  }

  /** Counts a user (a module or a running guest) of this instance. */
  retain(): void {
    if (this.#users++ === 0) live.add(this);
  }

  /** Ends a use; the last one takes the instance out of {@linkcode liveEngines}. */
  release(): void {
    if (--this.#users === 0) live.delete(this);
  }

  /** Set once the engine trapped; every later call throws it. */
  get failure(): EngineError | undefined {
    return this.#failed;
  }

  /** The engine's linear memory. */
  get memory(): WebAssembly.Memory {
    return this.#exports.memory;
  }

  /** Bytes the engine's allocator holds now. */
  heapBytes(): number {
    return this.#call(() => this.#exports.heap_bytes() >>> 0);
  }

  /**
   * The most bytes the engine's allocator ever held at once: what its memory
   * was written to, where its size also counts room nothing touched.
   */
  heapPeakBytes(): number {
    return this.#call(() => this.#exports.heap_peak_bytes() >>> 0);
  }

  /** Compiles and validates a module; throws `WebAssembly.CompileError`. */
  compile(bytes: Uint8Array): number {
    return this.#call(() => {
      const ptr = this.#exports.buffer_alloc(bytes.length) >>> 0;
      new Uint8Array(this.memory.buffer, ptr, bytes.length).set(bytes);
      const module = this.#exports.module_compile(ptr, bytes.length);
      if (module === 0) throw new WebAssembly.CompileError(this.#text().replace(/\s+/g, " "));
      return module;
    });
  }

  /** The JSON description of a module's imports and exports. */
  describe(module: number): unknown {
    return this.#call(() => {
      if (this.#exports.module_describe(module) === 0) throw new TypeError("Unknown module handle");
      return JSON.parse(this.#text());
    });
  }

  /** Frees a module handle. */
  freeModule(module: number): void {
    if (this.#failed === undefined) this.#call(() => this.#exports.module_free(module));
  }

  /**
   * Instantiates a module whose imports all go to `host`. Returns the guest
   * handle, or the failing status with its message.
   */
  newGuest(
    module: number,
    maxMemory: number,
    host: GuestHost,
  ): { guest: number } | { status: Status; message: string } {
    return this.#call(() => {
      // Guest ids are handles; the id the next guest gets is unknown until
      // it exists, but a start function may already call the host.
      const pending = this.#guests.get(0);
      this.#guests.set(0, host);
      try {
        const guest = this.#exports.guest_new(module, maxMemory);
        if (guest === 0) {
          return { status: Number(this.#slot(0)) as Status, message: this.#text() };
        }
        this.#guests.set(guest, host);
        return { guest };
      } finally {
        if (pending === undefined) this.#guests.delete(0);
        else this.#guests.set(0, pending);
      }
    });
  }

  /** Frees a guest and its memory. */
  freeGuest(guest: number): void {
    this.#guests.delete(guest);
    if (this.#failed === undefined) this.#call(() => this.#exports.guest_free(guest));
  }

  /** Runs or resumes a guest with at most `fuel` units of fuel. */
  run(guest: number, fuel: number): Step {
    return this.#call(() => {
      const status = this.#exports.guest_run(guest, BigInt(fuel)) as Status;
      return { status, fuelConsumed: Number(this.#slot(0)), fuelRequired: Number(this.#slot(1)) };
    });
  }

  /** The message of the last failed call. */
  message(): string {
    return this.#text();
  }

  /** Sets result `index` of the host call a guest is suspended in. */
  setResumeResult(index: number, value: number | bigint): void {
    this.#setSlot(this.#scratch + (SCRATCH_RESULTS + index) * 8, value);
  }

  /** Reads the `i32` in the `u64` slot at `ptr` as an unsigned number. */
  u32At(ptr: number): number {
    return this.#u32View()[ptr >>> 2]!;
  }

  /** Reads the `u64` slot at `ptr` as a signed bigint. */
  i64At(ptr: number): bigint {
    return this.#i64View()[ptr >>> 3]!;
  }

  /** Writes a value to the `u64` slot at `ptr`. */
  setSlot(ptr: number, value: number | bigint): void {
    this.#setSlot(ptr, value);
  }

  /** Dispatches an import call from the engine to its guest's host. */
  dispatch(
    guest: number,
    importIndex: number,
    args: number,
    results: number,
    memory: number,
    memoryLength: number,
  ): HostAnswer {
    const host = this.#guests.get(guest) ?? this.#guests.get(0);
    if (host === undefined) return 1;
    // Addresses arrive as i32: those past 2 GiB of the engine's memory are
    // negative until read as unsigned.
    return host.call(importIndex, args >>> 0, results >>> 0, memory >>> 0, memoryLength >>> 0);
  }

  /** Asks a guest's host whether the guest may grow by `bytes`: 1 if so. */
  dispatchGrow(guest: number, bytes: number): number {
    const host = this.#guests.get(guest) ?? this.#guests.get(0);
    return host === undefined || host.grow(bytes) ? 1 : 0;
  }

  #setSlot(ptr: number, value: number | bigint): void {
    if (typeof value === "bigint") {
      this.#i64View()[ptr >>> 3] = value;
    } else {
      const u32 = this.#u32View();
      u32[ptr >>> 2] = value;
      u32[(ptr >>> 2) + 1] = value < 0 ? 0xffffffff : 0;
    }
  }

  #slot(index: number): bigint {
    return BigInt.asUintN(64, this.#i64View()[(this.#scratch >>> 3) + index]!);
  }

  // The engine's memory is not shared: growing it detaches the old buffer,
  // and a view of a detached buffer has length 0. Checking the length is
  // cheaper than reading `memory.buffer` on every host call.
  #u32View(): Uint32Array {
    if (this.#u32.length === 0) this.#u32 = new Uint32Array(this.memory.buffer);
    return this.#u32;
  }

  #i64View(): BigInt64Array {
    if (this.#i64.length === 0) this.#i64 = new BigInt64Array(this.memory.buffer);
    return this.#i64;
  }

  #text(): string {
    const ptr = this.#exports.text_ptr() >>> 0;
    const len = this.#exports.text_len() >>> 0;
    return decoder.decode(new Uint8Array(this.memory.buffer, ptr, len));
  }

  #call<T>(body: () => T): T {
    if (this.#failed !== undefined) throw this.#failed;
    try {
      return body();
    } catch (error) {
      // A trap or a stack overflow inside the engine leaves its state
      // undefined: the instance is never used again.
      if (error instanceof WebAssembly.RuntimeError || error instanceof RangeError) {
        const failed = new EngineError(`The engine failed: ${error.message}`, { cause: error });
        this.#failed = failed;
        for (const host of this.#guests.values()) host.fail(failed);
        throw failed;
      }
      throw error;
    }
  }
}

let compiled: Promise<WebAssembly.Module> | undefined;
let ready: WebAssembly.Module | undefined;
/** Engine instances in use (retained by a module or a running guest). */
const live = new Set<Engine>();

/** Compiles the bundled engine once per realm. */
export function compileEngine(): Promise<WebAssembly.Module> {
  compiled ??= decodeEngine(ENGINE_GZIP_BASE64)
    .then((bytes) => WebAssembly.compile(bytes))
    .then((module) => ready = module);
  return compiled;
}

/** The engine instances in use right now. */
export function liveEngines(): Iterable<Engine> {
  return live;
}

/** A fresh engine instance (the bundled module is compiled once per realm). */
export async function createEngine(): Promise<Engine> {
  return instantiateEngine(await compileEngine());
}

/**
 * A fresh engine instance, synchronously: only once {@linkcode createEngine}
 * has been awaited before (the module is compiled).
 */
export function createEngineSync(): Engine {
  if (ready === undefined) throw new TypeError("The engine is not compiled yet");
  return instantiateEngine(ready);
}

function instantiateEngine(module: WebAssembly.Module): Engine {
  const guests = new Map<number, GuestHost>();
  const late: { engine?: Engine } = {};
  const instance = new WebAssembly.Instance(module, {
    host: {
      call: (
        guest: number,
        importIndex: number,
        args: number,
        results: number,
        memory: number,
        memoryLength: number,
      ) => late.engine!.dispatch(guest, importIndex, args, results, memory, memoryLength),
      grow: (guest: number, bytes: number) => late.engine!.dispatchGrow(guest, bytes),
    },
  });
  late.engine = new Engine(instance, guests);
  return late.engine;
}
