/**
 * Reading objects from untrusted JSON (a manifest, a plugin's answer): only
 * their own properties, never inherited ones such as `toString`.
 *
 * @module
 */

/** A JSON object. */
export type JsonObject = Record<string, unknown>;

/**
 * Whether `value` is a JSON object (not an array, not null).
 *
 * @param value Any value.
 * @returns whether it is an object
 *
 * @example
 * ```ts ignore
 * import { isObject } from "./_json_object.ts";
 * console.log(isObject({}), isObject([]), isObject(null)); // true false false
 * ```
 */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * `object[key]` if the object has it as its own property, else undefined.
 *
 * @param object The object.
 * @param key The property's name.
 * @returns the property's value, or undefined
 *
 * @example
 * ```ts ignore
 * import { own } from "./_json_object.ts";
 * console.log(own({ a: 1 }, "a"), own({}, "toString")); // 1 undefined
 * ```
 */
export function own(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}
