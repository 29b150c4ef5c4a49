/**
 * What the executor loop needs from an engine, whichever runs the guest
 * (Wasmi in src/executor/wasmi/, V8 in src/executor/v8/): run a guest with
 * a fuel slice and get a {@linkcode Step}; answer its imports, or suspend it
 * while an answer is pending.
 *
 * @module
 */

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
export type HostAnswer = number | undefined | typeof SUSPEND;

/** What an engine asks the executor about one guest. */
export interface GuestHost {
  /**
   * Handles import `importIndex` (`i32` arguments as unsigned numbers, `i64`
   * as bigints). `canSuspend` is false where the engine cannot suspend the
   * guest in this import (a V8 import that is not `Suspending`): then
   * {@linkcode SUSPEND} ends the run instead.
   */
  call(importIndex: number, args: (number | bigint)[], canSuspend: boolean): HostAnswer;
  /** Whether the guest may hold `bytes` more of memory and tables. */
  grow(bytes: number): boolean;
}
