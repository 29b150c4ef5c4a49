/**
 * One guest instance on V8's own WebAssembly, run in fuel slices through
 * JSPI: the instrumented module calls `out_of_fuel` when a slice is spent,
 * and imports that may wait are `WebAssembly.Suspending`, so the guest's
 * whole stack suspends until the executor resumes it. Each
 * {@linkcode V8Guest.run} resolves with a step, as a Wasmi run returns one.
 *
 * @module
 */

import {
  type EngineSpeed,
  type GuestCallbacks,
  type GuestInstance,
  type HostReply,
  Status,
  type Step,
  SUSPEND,
} from "../_guest_engine.ts";
import { WebAssemblyMemory } from "../../wasi/guest_memory.ts";
import type { GuestMemory } from "../../wasi/guest_memory.ts";
import { MAX_TABLE_ENTRIES, TABLE_ENTRY_BYTES } from "../_instance_limits.ts";
import { METERING } from "./_instrumenter.ts";
import type { MemoryPool } from "./_memory_pool.ts";
import type { V8Module } from "./v8_module.ts";

/** Imports that may wait: they suspend the guest (every call of one suspends, ≈ 0.1 µs). */
const WAITING_IMPORTS: ReadonlySet<string> = new Set([
  "fd_read",
  "fd_write",
  "poll_oneoff",
  "random_get",
  "proc_exit",
  "proc_raise",
]);
const PAGE = 65536;
/**
 * The most fuel per millisecond a module may learn: V8 runs a straight run
 * of `i32.add`s at ≈ 2.8 M, a bare loop at ≈ 0.9 M (a module whose loop
 * charges an unexecuted 1,000-unit `if` arm learned 14 M).
 */
const MAX_FUEL_PER_MS = 4_000_000;

interface JspiWebAssembly {
  Suspending: new (fn: (...args: never[]) => unknown) => unknown;
  promising(fn: unknown): (...args: unknown[]) => Promise<unknown>;
}

/** Whether this runtime has JSPI (`WebAssembly.Suspending` and `WebAssembly.promising`). */
export function hasJspi(): boolean {
  const wasm = WebAssembly as unknown as Partial<JspiWebAssembly>;
  return typeof wasm.Suspending === "function" && typeof wasm.promising === "function";
}

/** Fuel per millisecond of V8 running each module's instrumented guests, learned from their slices. */
const speeds = new WeakMap<V8Module, EngineSpeed>();

/**
 * The learned speed of `module`'s guests.
 *
 * @internal Exported for tests.
 */
export function speedOf(module: V8Module): EngineSpeed {
  let speed = speeds.get(module);
  if (speed === undefined) {
    speed = { fuelPerMs: 1_000_000, maxFuelPerMs: MAX_FUEL_PER_MS };
    speeds.set(module, speed);
  }
  return speed;
}

/** Never settles: a guest stopped in an import stays suspended until it is collected. */
const never = new Promise<never>(() => {});

/** V8's trap messages in the words of the Wasmi engine, so both engines report alike. */
const TRAPS: ReadonlyArray<[RegExp, string]> = [
  [/^unreachable/, "wasm `unreachable` instruction executed"],
  [/^(divide|remainder) by zero/, "integer divide by zero"],
  [/^divide result unrepresentable/, "integer overflow"],
  [/^float unrepresentable in integer range/, "invalid conversion to integer"],
  [/^memory access out of bounds/, "out of bounds memory access"],
  // At instantiation: an active data or element segment past the end.
  [/data segment \d+ is out of bounds/, "out of bounds memory access"],
  [/^WebAssembly\.Instance\(\): table index is out of bounds/, "out of bounds table access"],
  [/^table index is out of bounds/, "undefined element: out of bounds table access"],
  [/^null function or function signature mismatch/, "indirect call type mismatch"],
  [/^null function/, "uninitialized element"],
  [/^function signature mismatch/, "indirect call type mismatch"],
  [/^Maximum call stack size exceeded/, "call stack exhausted"],
];

/**
 * One guest instance. Create it with {@linkcode V8Module.instantiate}, call
 * {@linkcode V8Guest.run} until a step is not `OutOfFuel` or `Suspended`,
 * and free it with {@linkcode V8Guest.free} (a guest suspended forever is
 * collected by the garbage collector).
 */
export class V8Guest implements GuestInstance {
  readonly speed: EngineSpeed;
  readonly #module: V8Module;
  readonly #memory = new LateMemory();
  #fuel: WebAssembly.Global | undefined;
  #entry: () => Promise<unknown> = () => Promise.resolve();
  readonly #host: GuestCallbacks;
  readonly #maxMemory: number;
  readonly #tables: number[];
  /** Pages of every memory, as the grow hook last saw them (exported or not). */
  readonly #pages: number[];
  #started = false;
  #given = 0;
  /**
   * Fuel the guest still owes: the part of the charge that made its counter
   * negative, paid from the next slice before the charged code runs.
   */
  #debt = 0;
  /** Resolves the step of the run in progress. */
  #settle: ((step: Step) => void) | undefined;
  /** Resumes the guest from the import it waits in. */
  #resume: ((value: number | undefined) => void) | undefined;
  #result: number | undefined;
  #message = "";
  #ended = false;
  /** Whether the guest's stack has unwound (it finished, trapped or was stopped by a throw). */
  #unwound = false;
  /** The memory taken from the module's pool, given back when the guest is freed. */
  #kept: { pool: MemoryPool; memory: WebAssembly.Memory } | undefined;

  /** @internal Use {@linkcode V8Module.instantiate}. */
  constructor(module: V8Module, maxMemory: number, host: GuestCallbacks) {
    this.#module = module;
    this.speed = speedOf(module);
    this.#host = host;
    this.#maxMemory = maxMemory;
    this.#tables = [...module.tableEntries];
    this.#pages = [...module.memoryPages];
  }

  /** Instantiates the module; returns the failure's status and message, if any. */
  async #instantiate(): Promise<[Status, string] | undefined> {
    const module = this.#module;
    const { module: compiled, memories } = await module.prepare(this.#maxMemory);
    // Freed while the module was being instrumented or compiled: nothing runs.
    if (this.#ended) return [Status.Error, "the guest has already finished"];
    const initial = module.memoryPages.reduce((sum, pages) => sum + pages * PAGE, 0) +
      this.#tables.reduce((sum, entries) => sum + entries * TABLE_ENTRY_BYTES, 0);
    if (initial > this.#maxMemory || !this.#host.grow(initial)) {
      return [
        Status.MemoryLimit,
        // The Wasmi engine's words for the same refusal.
        "failed to instantiate memory: " +
        "a resource limiter denied to allocate or grow the linear memory",
      ];
    }
    const jspi = WebAssembly as unknown as JspiWebAssembly;
    const host = this.#host;
    const wasi: Record<string, unknown> = {};
    for (const [index, imp] of module.imports.entries()) {
      if (imp.module !== "wasi_snapshot_preview1" || imp.kind !== "func") continue;
      const i64 = (imp.params ?? []).map((t) => t === "i64");
      const waits = WAITING_IMPORTS.has(imp.name);
      const call = (args: (number | bigint)[]) => {
        for (let i = 0; i < args.length; i++) {
          if (!i64[i]) args[i] = (args[i] as number) >>> 0;
        }
        return host.call(index, args, waits);
      };
      wasi[imp.name] = waits
        ? new jspi.Suspending((...args: (number | bigint)[]) => this.#wait(call(args)))
        : (...args: (number | bigint)[]) => this.#answer(call(args));
    }
    const memory = memories?.take();
    let instance: WebAssembly.Instance;
    try {
      instance = new WebAssembly.Instance(compiled, {
        wasi_snapshot_preview1: wasi,
        [METERING.importModule]: {
          [METERING.memory]: memory,
          [METERING.outOfFuel]: new jspi.Suspending(() => this.#stop(Status.OutOfFuel)),
          [METERING.grow]: new jspi.Suspending((target: number, current: number, delta: number) =>
            this.#grow(target, current >>> 0, delta >>> 0)
          ),
        },
      } as WebAssembly.Imports);
    } catch (error) {
      // Data or element segments out of bounds trap at instantiation.
      return classify(error);
    }
    if (memory !== undefined) this.#kept = { pool: memories!, memory };
    const exports = instance.exports;
    this.#fuel = exports[METERING.fuelExport] as WebAssembly.Global;
    this.#fuel.value = BigInt(this.#given - this.#debt);
    this.#debt = 0;
    if (exports.memory instanceof WebAssembly.Memory) {
      this.#memory.target = new WebAssemblyMemory(exports.memory);
    }
    const init = exports[METERING.startExport];
    const start = jspi.promising(exports._start);
    this.#entry = typeof init === "function"
      ? () => jspi.promising(init)().then(() => start())
      : () => start();
    return undefined;
  }

  /** The guest's memory (empty until it runs). */
  get memory(): GuestMemory {
    return this.#memory;
  }

  /** The message of the last step that failed. */
  message(): string {
    return this.#message;
  }

  /**
   * Runs or resumes the guest with `fuel` units; resolves when it stops
   * (in a later microtask of the same task).
   */
  run(fuel: number): Promise<Step> {
    if (this.#ended) {
      return Promise.resolve(this.#step(Status.Error, "the guest has already finished"));
    }
    this.#given = fuel;
    if (this.#fuel !== undefined) {
      this.#fuel.value = BigInt(fuel - this.#debt);
      this.#debt = 0;
    }
    return new Promise<Step>((resolve) => {
      this.#settle = resolve;
      if (!this.#started) {
        this.#started = true;
        this.#instantiate().then((failed) => {
          if (failed !== undefined) return this.#end(...failed);
          let entry: Promise<unknown>;
          try {
            entry = this.#entry();
          } catch (error) {
            // Calling into the guest can throw before it runs (a JS-to-wasm
            // conversion): a failure of the run, like any other.
            entry = Promise.reject(error);
          }
          entry.then(
            () => {
              this.#unwound = true;
              this.#end(Status.Finished, "");
            },
            (error) => {
              this.#unwound = true;
              this.#end(...classify(error));
            },
          );
        }, (error) => this.#end(...classify(error)));
      } else {
        const resume = this.#resume;
        this.#resume = undefined;
        resume?.(this.#result);
      }
    });
  }

  /** Sets the result of the import the guest waits in. */
  setResumeResult(value: number): void {
    this.#result = value;
  }

  /**
   * Forgets the guest; if it is suspended, it is never resumed. The memory
   * of a guest whose stack has unwound goes back to the module's pool
   * (zeroed): nothing can run the instance again.
   */
  free(): void {
    this.#ended = true;
    this.#settle = undefined;
    this.#resume = undefined;
    const kept = this.#kept;
    this.#kept = undefined;
    if (kept !== undefined && this.#unwound) {
      this.#memory.target = undefined;
      kept.pool.give(kept.memory);
    }
  }

  /** A plain import's answer; a plain import cannot suspend, so a stop unwinds the guest. */
  #answer(answer: HostReply): number | undefined {
    if (answer !== SUSPEND) return answer;
    throw new HostStop();
  }

  /** A waiting import's answer: now, or once the executor resumes the guest. */
  #wait(answer: HostReply): number | undefined | Promise<number | undefined> {
    if (answer !== SUSPEND) return answer;
    return this.#stop(Status.Suspended);
  }

  /** Ends the run's step with `status`; the guest waits until the next run. */
  #stop(status: Status): Promise<number | undefined> {
    if (this.#ended) return never;
    this.#result = undefined;
    const stopped = new Promise<number | undefined>((resolve) => this.#resume = resolve);
    this.#report(this.#step(status, ""));
    return stopped;
  }

  /** The grow hook: may memory (`target < 0`) or table `target` grow by `delta`? */
  #grow(target: number, current: number, delta: number): number | Promise<number> {
    const bytes = target < 0 ? delta * PAGE : delta * TABLE_ENTRY_BYTES;
    if (target >= 0 && current + delta > MAX_TABLE_ENTRIES) return 0;
    // `current` is the memory's or table's size now (a growth the hook
    // allowed may still have failed, past the module's own maximum).
    const sizes = target < 0 ? this.#pages : this.#tables;
    const index = target < 0 ? -1 - target : target;
    sizes[index] = current;
    const held = this.#pages.reduce((sum, pages) => sum + pages * PAGE, 0) +
      this.#tables.reduce((sum, entries) => sum + entries * TABLE_ENTRY_BYTES, 0);
    if (held + bytes > this.#maxMemory || !this.#host.grow(bytes)) {
      this.#end(Status.MemoryLimit, "growth operation limited");
      return never;
    }
    sizes[index] = current + delta;
    return 1;
  }

  #end(status: Status, message: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#report(this.#step(status, message));
  }

  #step(status: Status, message: string): Step {
    this.#message = message;
    const left = this.#fuel === undefined ? this.#given : Number(this.#fuel.value as bigint);
    if (left >= 0) return { status, fuelConsumed: this.#given - left, fuelRequired: 0 };
    // Out of fuel in a charge: the slice is spent, the rest of the charge
    // is owed (the executor gives at least that much next, or stops).
    this.#debt = -left;
    return { status, fuelConsumed: this.#given, fuelRequired: -left };
  }

  #report(step: Step): void {
    const settle = this.#settle;
    this.#settle = undefined;
    settle?.(step);
  }
}

const EMPTY = new Uint8Array(0);
const EMPTY_VIEW = new DataView(new ArrayBuffer(0));

/** The guest's memory once it is instantiated. */
class LateMemory implements GuestMemory {
  target: GuestMemory | undefined;

  bytes(): Uint8Array {
    return this.target?.bytes() ?? EMPTY;
  }

  view(): DataView {
    return this.target?.view() ?? EMPTY_VIEW;
  }
}

/** Thrown into a guest whose plain import asked to stop it (exit, host failure). */
class HostStop extends Error {}

/** `WebAssembly.Exception`, which the TypeScript library does not declare. */
const WasmException = (WebAssembly as unknown as { Exception?: abstract new () => object })
  .Exception;

/** The status and message of an error the guest's run rejected with. */
function classify(error: unknown): [Status, string] {
  if (error instanceof HostStop) return [Status.Suspended, ""];
  // A wasm exception the guest threw and did not catch.
  if (WasmException !== undefined && error instanceof WasmException) {
    return [Status.Trap, "uncaught wasm exception"];
  }
  if (error instanceof WebAssembly.RuntimeError || error instanceof RangeError) {
    const found = TRAPS.find(([pattern]) => pattern.test(error.message));
    return [Status.Trap, found?.[1] ?? error.message];
  }
  return [Status.Error, error instanceof Error ? error.message : String(error)];
}
