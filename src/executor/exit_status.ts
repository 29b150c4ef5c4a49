/**
 * How a guest run ended when it ended with an exit code.
 *
 * @module
 */

/** A guest's exit: `_start` returned (code 0), `proc_exit(n)` or `proc_raise`. */
export interface ExitStatus {
  /** The exit code: 0 when `_start` returned, n for `proc_exit(n)`, 128 + signal for `proc_raise`. */
  code: number;
  /** True when the guest called `proc_exit` (or `proc_raise`). */
  procExit: boolean;
  /** The signal given to `proc_raise`, if any. */
  signal?: number;
  /** Fuel the run consumed. */
  fuelConsumed: number;
}
