/**
 * The ways a guest run can fail, as error classes callers can catch.
 *
 * @module
 */

/** Why a run failed: the `kind` of a {@linkcode GuestError}. */
export type GuestErrorKind = "trap" | "fuel" | "timeout" | "aborted" | "memory" | "engine";

/**
 * A run that did not end with an exit code. Subclasses name the cause; all
 * carry the fuel the guest consumed.
 */
export class GuestError extends Error {
  /** Why the run failed. */
  readonly kind: GuestErrorKind;
  /** Fuel consumed before the run ended. */
  fuelConsumed = 0;

  /**
   * Creates the error.
   *
   * @param kind Why the run failed.
   * @param message What happened, in a sentence.
   * @param options The underlying cause, if any.
   */
  constructor(kind: GuestErrorKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.kind = kind;
    this.name = new.target.name;
  }
}

/** The guest trapped (`unreachable`, out-of-bounds access, stack overflow, ...). */
export class TrapError extends GuestError {
  /** The engine's description of the trap. */
  readonly trap: string;

  /**
   * Creates the error.
   *
   * @param trap The engine's description of the trap.
   */
  constructor(trap: string) {
    super("trap", `Guest trapped: ${trap}`);
    this.trap = trap;
  }
}

/** The run used up its fuel budget. */
export class FuelExhaustedError extends GuestError {
  /** The budget that was used up. */
  readonly budget: number;

  /**
   * Creates the error.
   *
   * @param budget The budget that was used up.
   */
  constructor(budget: number) {
    super("fuel", `Guest ran out of fuel (budget ${budget})`);
    this.budget = budget;
  }
}

/** The run took longer than its timeout. */
export class TimeoutError extends GuestError {
  /** The timeout in milliseconds. */
  readonly timeout: number;

  /**
   * Creates the error.
   *
   * @param timeout The timeout in milliseconds.
   */
  constructor(timeout: number) {
    super("timeout", `Guest timed out after ${timeout} ms`);
    this.timeout = timeout;
  }
}

/** The run was aborted through its `AbortSignal` or killed. */
export class AbortedError extends GuestError {
  /**
   * Creates the error.
   *
   * @param reason The abort reason.
   */
  constructor(reason: unknown) {
    super("aborted", "Guest run was aborted", { cause: reason });
  }
}

/** The guest tried to grow its memory past its limit. */
export class MemoryLimitError extends GuestError {
  /** The limit in bytes. */
  readonly limit: number;

  /**
   * Creates the error.
   *
   * @param limit The limit in bytes.
   * @param detail The engine's message.
   */
  constructor(limit: number, detail: string) {
    super("memory", `Guest exceeded its memory limit of ${limit} bytes (${detail})`);
    this.limit = limit;
  }
}

/** The engine failed (a bug, or the engine's own memory is exhausted). */
export class EngineError extends GuestError {
  /**
   * Creates the error.
   *
   * @param message What failed.
   * @param options The underlying cause, if any.
   */
  constructor(message: string, options?: ErrorOptions) {
    super("engine", message, options);
  }
}
