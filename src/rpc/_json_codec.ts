/**
 * How a peer turns JSON text into values and back: plain `JSON.parse` and
 * `JSON.stringify`, or a variant that keeps integers beyond 2^53 exact.
 *
 * @module
 */

/**
 * How integers outside the safe range (beyond ±(2^53 - 1)) are read and
 * written: `"number"` reads them as the nearest double (digits are lost)
 * and cannot write `bigint`; `"bigint"` reads them as `bigint` and writes
 * every `bigint` as its exact digits.
 */
export type LargeIntegers = "number" | "bigint";

/** Turns JSON text into a value and a value into JSON text. */
export interface JsonCodec {
  parse(text: string): unknown;
  stringify(value: unknown, indent?: number): string;
}

type Reviver = (key: string, value: unknown, context?: { source?: string }) => unknown;
const rawJSON = (JSON as unknown as { rawJSON?: (text: string) => unknown }).rawJSON;
const INTEGER = /^-?\d+$/;

/**
 * Tells whether this runtime has what `largeIntegers: "bigint"` needs:
 * `JSON.rawJSON` and the source text in `JSON.parse` revivers.
 */
export function bigintJsonSupported(): boolean {
  if (typeof rawJSON !== "function") return false;
  let source: string | undefined;
  const reviver: Reviver = (_key, value, context) => {
    source = context?.source;
    return value;
  };
  JSON.parse("1", reviver as (key: string, value: unknown) => unknown);
  return source === "1";
}

/**
 * Checks a `largeIntegers` setting and that the runtime supports it.
 *
 * @throws {TypeError} for an unknown setting, or `"bigint"` where the
 * runtime lacks `JSON.rawJSON` or `JSON.parse` source text access.
 */
export function checkLargeIntegers(setting: unknown): void {
  if (setting === undefined || setting === "number") return;
  if (setting !== "bigint") {
    throw new TypeError(
      `largeIntegers must be "number" or "bigint", got ${JSON.stringify(setting)}`,
    );
  }
  if (!bigintJsonSupported()) {
    throw new TypeError(
      'largeIntegers: "bigint" needs JSON.rawJSON and source text access in JSON.parse ' +
        "revivers, which this runtime lacks (Deno 2, Node 22, Chromium 114 and later have them)",
    );
  }
}

const reviveLargeInteger: Reviver = (_key, value, context) =>
  typeof value === "number" && !Number.isSafeInteger(value) &&
    context?.source !== undefined && INTEGER.test(context.source)
    ? BigInt(context.source)
    : value;

/** Writes a `bigint` as its digits (with `JSON.stringify`). */
export function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? rawJSON!(value.toString()) : value;
}

const PLAIN: JsonCodec = {
  parse: (text) => JSON.parse(text),
  stringify: (value, indent) => JSON.stringify(value, null, indent),
};

const BIGINT: JsonCodec = {
  parse: (text) => JSON.parse(text, reviveLargeInteger as (key: string, value: unknown) => unknown),
  stringify: (value, indent) => JSON.stringify(value, bigintReplacer, indent),
};

/**
 * The codec for a `largeIntegers` setting.
 *
 * @throws {TypeError} as {@linkcode checkLargeIntegers} does.
 */
export function jsonCodec(largeIntegers: LargeIntegers = "number"): JsonCodec {
  checkLargeIntegers(largeIntegers);
  return largeIntegers === "bigint" ? BIGINT : PLAIN;
}
