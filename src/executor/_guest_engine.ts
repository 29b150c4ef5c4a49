/**
 * What the executor loop needs from an engine, whichever runs the guest
 * (Wasmi in src/executor/wasmi/, V8 in src/executor/v8/): run a guest with
 * a fuel slice and get a {@linkcode Step}; answer its imports, or suspend it
 * while an answer is pending.
 *
 * @module
 */

import type { GuestMemory } from "../wasi/guest_memory.ts";
import type { EngineError } from "./errors.ts";

/** How a run step ended (crates/wasmi-wasm `RunStatus`; the V8 engine reports the same). */
export const Status = {
  Finished: 0,
  OutOfFuel: 1,
  Suspended: 2,
  Trap: 3,
  MemoryLimit: 4,
  Error: 5,
  Link: 6,
} as const;
/** One of the {@linkcode Status} values. */
export type Status = typeof Status[keyof typeof Status];

/** The result of one run step. */
export interface Step {
  status: Status;
  fuelConsumed: number;
  fuelRequired: number;
}

/** What a host function answers instead of a result: suspend the guest. */
export const SUSPEND: unique symbol = Symbol("suspend");

/** An import's result (`undefined` for none), or {@linkcode SUSPEND}. */
export type HostReply = number | undefined | typeof SUSPEND;

/** What an engine asks the executor about one guest. */
export interface GuestCallbacks {
  /**
   * Handles import `importIndex` (`i32` arguments as unsigned numbers, `i64`
   * as bigints). `canSuspend` is false where the engine cannot suspend the
   * guest in this import (a V8 import that is not `Suspending`): then
   * {@linkcode SUSPEND} ends the run instead.
   */
  call(importIndex: number, args: (number | bigint)[], canSuspend: boolean): HostReply;
  /**
   * Whether the guest may hold `bytes` more of memory and tables; a negative
   * `bytes` gives back a grant whose growth did not happen.
   */
  grow(bytes: number): boolean;
  /** The engine failed: the guest, wherever it waits, is gone. */
  fail(error: EngineError): void;
}

/**
 * One guest instance, as the executor drives it: run it with a fuel slice
 * until a step is not `OutOfFuel` or `Suspended`, set the result of the
 * import it waits in before resuming it, free it at the end.
 */
export interface GuestInstance {
  /** The guest's linear memory, for the WASI layer. */
  readonly memory: GuestMemory;
  /** The speed of the module's guests, learned by the executor to size slices. */
  readonly speed: EngineSpeed;
  /** Runs or resumes the guest with at most `fuel`: a step now (Wasmi), or soon (V8). */
  run(fuel: number): Step | Promise<Step>;
  /** Sets the result of the import the guest is suspended in. */
  setResumeResult(value: number): void;
  /** The message of the last step that failed. */
  message(): string;
  /** Frees the guest (a suspended guest is never resumed). */
  free(): void;
}

/**
 * Fuel per millisecond of one module's guests on an engine, as the executor
 * measured it (each module learns its own: one plugin's code never sizes
 * another's slices).
 */
export interface EngineSpeed {
  fuelPerMs: number;
  /**
   * The most it may learn: the engine's speed on its cheapest code. A guest
   * whose charges outrun its work (a region's dearer `if` arm that never
   * runs, on V8) would otherwise learn a speed its next phase cannot keep.
   */
  readonly maxFuelPerMs: number;
}

/** Creates a guest instance for the executor, or says why it cannot. */
export type CreateGuest = (
  callbacks: GuestCallbacks,
) => GuestInstance | { status: Status; message: string };

/** The engines a guest can run on. */
export type EngineName = "wasmi" | "v8";
