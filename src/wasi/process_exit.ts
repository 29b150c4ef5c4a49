/**
 * The exception `proc_exit` and `proc_raise` throw to end a guest.
 *
 * @module
 */

/**
 * Thrown by the WASI layer when the guest asks to end (`proc_exit`,
 * `proc_raise`). Executors catch it and end the run with its `code`.
 *
 * @example
 * ```ts
 * import { ProcessExit } from "@wasmi-plugins/host/wasi";
 * const exit = new ProcessExit(33);
 * if (exit.code !== 33) throw new Error("unexpected");
 * ```
 */
export class ProcessExit extends Error {
  /** The exit code (128 + signal for `proc_raise`). */
  readonly code: number;
  /** The signal number given to `proc_raise`, if the guest raised one. */
  readonly signal: number | undefined;

  /**
   * Creates the exception.
   *
   * @param code The exit code.
   * @param signal The raised signal, if any.
   */
  constructor(code: number, signal?: number) {
    super(
      signal === undefined ? `Guest exited with code ${code}` : `Guest raised signal ${signal}`,
    );
    this.name = "ProcessExit";
    this.code = code;
    this.signal = signal;
  }
}
