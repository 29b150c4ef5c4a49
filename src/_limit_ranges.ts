/**
 * The allowed ranges of the numeric limits a caller sets, and their check.
 * Every limit is validated where it enters the package, so that a value out
 * of range fails at once with its name, never wraps or silently means
 * something else (`maxMemory: 2 ** 32` is not "no memory").
 *
 * @module
 */

/** One limit's range. */
export interface LimitRange {
  min: number;
  max: number;
  /** Whether the value must be a whole number. */
  integer: boolean;
}

const COUNT = { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true };
const BYTES = { min: 1, max: 2 ** 30, integer: true };

/** The ranges of every numeric limit, by option name. */
export const LIMITS = {
  fuel: COUNT,
  fuelSlice: COUNT,
  /** Milliseconds; 2^31 - 1 is the longest timer the platforms support. */
  timeout: { min: 0, max: 2 ** 31 - 1, integer: false },
  /** Bytes of linear memory and tables: at most 65,535 pages of 64 KiB. */
  maxMemory: { min: 0, max: 65535 * 65536, integer: true },
  outputHighWaterMark: BYTES,
  inputHighWaterMark: BYTES,
  /** Bytes; longer strings than 512 MiB do not fit V8's string limit. */
  maxLineLength: { min: 1, max: 2 ** 29, integer: true },
  maxConcurrency: { min: 1, max: 65536, integer: true },
  /** Messages in one JSON-RPC batch. */
  maxBatchSize: COUNT,
  /** Levels of nested arrays and objects in one JSON-RPC line. */
  maxDepth: COUNT,
} as const satisfies Record<string, LimitRange>;

/** The name of a numeric limit. */
export type LimitName = keyof typeof LIMITS;

/** The numeric options of a guest run (`SpawnOptions`). */
export const SPAWN_LIMITS: readonly LimitName[] = [
  "fuel",
  "fuelSlice",
  "timeout",
  "maxMemory",
  "outputHighWaterMark",
  "inputHighWaterMark",
];

/**
 * Checks one limit's value against its range, for messages that name a
 * manifest field or a CLI flag instead of an option.
 *
 * @param name The limit.
 * @param value Its value, of any type.
 * @returns undefined if it is valid, else what it must be, as in
 * `an integer from 1 to 9007199254740991`
 */
export function checkLimit(name: LimitName, value: unknown): string | undefined {
  const { min, max, integer } = LIMITS[name];
  const valid = typeof value === "number" && Number.isFinite(value) &&
    (!integer || Number.isInteger(value)) && value >= min && value <= max;
  return valid ? undefined : `${integer ? "an integer" : "a number"} from ${min} to ${max}`;
}

/**
 * Throws a `RangeError` naming the option and its allowed range unless each
 * given limit in `options` is a number in range. Absent options pass.
 *
 * @param options The options to check.
 * @param names The limits to check in them.
 */
export function checkLimits(
  options: Readonly<Partial<Record<LimitName, unknown>>>,
  names: readonly LimitName[],
): void {
  for (const name of names) {
    const value = options[name];
    if (value === undefined) continue;
    const problem = checkLimit(name, value);
    if (problem !== undefined) {
      const got = typeof value === "number" ? String(value) : typeof value;
      throw new RangeError(`Option ${name} must be ${problem}, got ${got}`);
    }
  }
}
