/**
 * Checking one numeric limit against the ranges the library enforces, for
 * messages that name a manifest field or a CLI flag instead of an option.
 *
 * @module
 */

import { type LimitName, LIMITS } from "../_limit_ranges.ts";

export type { LimitName };

/**
 * Checks a limit's value against its range (the library's, so that a
 * manifest or flag accepts exactly what `Plugin.load` does).
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
