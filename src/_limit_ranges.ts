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
    const { min, max, integer } = LIMITS[name];
    if (
      typeof value !== "number" || !(value >= min && value <= max) ||
      (integer && !Number.isInteger(value))
    ) {
      const kind = integer ? "an integer" : "a number";
      throw new RangeError(
        `Option ${name} must be ${kind} from ${min} to ${max}, got ${describe(value)}`,
      );
    }
  }
}

function describe(value: unknown): string {
  return typeof value === "number" ? String(value) : typeof value;
}
