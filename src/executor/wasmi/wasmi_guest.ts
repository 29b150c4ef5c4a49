/**
 * One guest instance in an instance of the bundled Wasmi engine, behind the
 * executor's engine contract: import arguments are read from the engine's
 * `u64` slots, results written back, and a suspension is the engine's own
 * resumable call.
 *
 * @module
 */

import type { Engine } from "./_engine.ts";
import { EngineGuestMemory } from "./_engine_memory.ts";
import {
  type EngineSpeed,
  type GuestCallbacks,
  type GuestInstance,
  type Status,
  type Step,
  SUSPEND,
} from "../_guest_engine.ts";
import type { ModuleImport } from "../module_description.ts";

/**
 * The most fuel per millisecond a module may learn: Wasmi runs a straight
 * run of `i32.add`s at ≈ 1.9 M, a bare loop at ≈ 0.16 M.
 */
const MAX_FUEL_PER_MS = 4_000_000;

/**
 * Fuel per millisecond of Wasmi in V8 running the guests of each engine
 * instance (which holds one module), learned from their slices.
 */
const speeds = new WeakMap<Engine, EngineSpeed>();

/**
 * The learned speed of the guests of `engine`'s module.
 *
 * @internal Exported for tests.
 */
export function speedOf(engine: Engine): EngineSpeed {
  let speed = speeds.get(engine);
  if (speed === undefined) {
    speed = { fuelPerMs: 50_000, maxFuelPerMs: MAX_FUEL_PER_MS };
    speeds.set(engine, speed);
  }
  return speed;
}

/** A guest running in an instance of the Wasmi engine. */
export class WasmiGuest implements GuestInstance {
  readonly memory: EngineGuestMemory;
  readonly speed: EngineSpeed;
  readonly #engine: Engine;
  readonly #guest: number;

  private constructor(engine: Engine, guest: number, memory: EngineGuestMemory) {
    this.#engine = engine;
    this.speed = speedOf(engine);
    this.#guest = guest;
    this.memory = memory;
    engine.retain();
  }

  /**
   * Instantiates `module` (a handle in `engine`) for a guest of at most
   * `maxMemory` bytes whose imports go to `callbacks`.
   *
   * @returns the guest, or the failing status with its message
   */
  static create(
    engine: Engine,
    module: number,
    imports: readonly ModuleImport[],
    maxMemory: number,
    callbacks: GuestCallbacks,
  ): WasmiGuest | { status: Status; message: string } {
    const memory = new EngineGuestMemory(engine.memory);
    const i64Params = imports.map((i) => (i.params ?? []).map((t) => t === "i64"));
    const created = engine.newGuest(module, maxMemory, {
      call: (importIndex, args, results, at, length) => {
        memory.locate(at, length);
        const i64 = i64Params[importIndex]!;
        const argv: (number | bigint)[] = new Array(i64.length);
        for (let i = 0; i < i64.length; i++) {
          argv[i] = i64[i] ? engine.i64At(args + i * 8) : engine.u32At(args + i * 8);
        }
        const reply = callbacks.call(importIndex, argv, true);
        if (reply === SUSPEND) return 1;
        if (reply !== undefined) engine.setSlot(results, reply);
        return 0;
      },
      grow: callbacks.grow,
      fail: callbacks.fail,
    });
    if ("status" in created) return { ...created, message: plainWords(created.message) };
    return new WasmiGuest(engine, created.guest, memory);
  }

  run(fuel: number): Step {
    return this.#engine.run(this.#guest, fuel);
  }

  setResumeResult(value: number): void {
    this.#engine.setResumeResult(0, value);
  }

  message(): string {
    return plainWords(this.#engine.message());
  }

  free(): void {
    this.memory.detach();
    this.#engine.freeGuest(this.#guest);
    this.#engine.release();
  }
}

/**
 * Wasmi 2.0 says "uninitialized element 2" for a call through a null table
 * entry (a leftover it means to remove), and names its internal table
 * handle when an element segment does not fit: said here as the V8 engine
 * says them (src/executor/v8/v8_guest.ts).
 */
function plainWords(message: string): string {
  return message
    .replace(/^uninitialized element 2$/, "uninitialized element")
    .replace(/^out of bounds table access: Table\(.*$/s, "out of bounds table access");
}
