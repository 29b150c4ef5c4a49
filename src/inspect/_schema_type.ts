/**
 * A JSON Schema as a short type, for one line of a method list:
 * `integer`, `string | null`, `integer[]`, `[string, number]`, `"a" | "b"`,
 * `Point` (a `$ref`'s name).
 *
 * @module
 */

import { isObject, own } from "../_json_object.ts";
import { truncate } from "../_truncate.ts";
import { componentName } from "./_openrpc.ts";

/** Longest text {@linkcode schemaType} returns, in characters. */
export const MAX_TYPE_LENGTH = 60;

/** How deep nested schemas are followed; deeper ones are `…`. */
const MAX_DEPTH = 3;

/** The JSON of a `const` or `enum` value, shortened. */
function literal(value: unknown): string {
  return truncate(typeof value === "bigint" ? String(value) : JSON.stringify(value) ?? "?", 20);
}

/** The last segment of a reference: `Point` for `#/components/schemas/Point`. */
function referenceName(ref: string): string {
  return componentName(ref, "schemas") ?? (ref.split("/").at(-1) || ref);
}

function union(types: string[]): string {
  const unique = [...new Set(types)];
  return unique.includes("any") ? "any" : unique.join(" | ");
}

/** `T[]`, with a union in parentheses. */
function arrayOf(type: string): string {
  return type.includes(" | ") ? `(${type})[]` : `${type}[]`;
}

function typeOf(schema: unknown, depth: number): string {
  if (schema === false) return "never";
  if (!isObject(schema)) return "any";
  if (depth > MAX_DEPTH) return "…";
  const get = (key: string) => own(schema, key);
  const ref = get("$ref");
  if (typeof ref === "string") return referenceName(ref);
  if (Object.hasOwn(schema, "const")) return literal(schema.const);
  const values = get("enum");
  if (Array.isArray(values) && values.length > 0) {
    const shown = values.slice(0, 4).map(literal);
    return union(values.length > 4 ? [...shown, "…"] : shown);
  }
  for (const key of ["oneOf", "anyOf"]) {
    const members = get(key);
    if (Array.isArray(members) && members.length > 0) {
      const shown = members.slice(0, 4).map((member) => typeOf(member, depth + 1));
      return union(members.length > 4 ? [...shown, "…"] : shown);
    }
  }
  const not = get("not");
  if (isObject(not) && Object.keys(not).length === 0) return "never";
  const type = get("type");
  const types = typeof type === "string"
    ? [type]
    : Array.isArray(type)
    ? type.filter((t): t is string => typeof t === "string")
    : [];
  if (types.length === 0) {
    if (isObject(get("properties"))) types.push("object");
    else if (get("items") !== undefined || get("prefixItems") !== undefined) types.push("array");
    else return "any";
  }
  return union(types.map((name) => {
    if (name === "array") {
      const tuple = get("prefixItems") ?? get("items");
      if (Array.isArray(tuple)) {
        return `[${tuple.slice(0, 4).map((item) => typeOf(item, depth + 1)).join(", ")}${
          tuple.length > 4 ? ", …" : ""
        }]`;
      }
      const items = get("items");
      return items === undefined ? "array" : arrayOf(typeOf(items, depth + 1));
    }
    if (name === "object") {
      const title = get("title");
      return typeof title === "string" && title !== "" ? title : "object";
    }
    return name;
  }));
}

/**
 * A JSON Schema (draft 7, as OpenRPC's schema objects) as a short type:
 * the `$ref`'s name for a reference, the values of a `const` or an `enum`,
 * the members of `oneOf`/`anyOf`, the `type`s (`T[]` for an array of
 * items, `[A, B]` for a tuple, an object's `title`), `any` for a schema
 * that allows anything, `never` for one that allows nothing. At most
 * {@linkcode MAX_TYPE_LENGTH} characters.
 *
 * @param schema A schema from a plugin's document (any value).
 * @returns the type
 *
 * @example
 * ```ts ignore
 * schemaType({ type: ["string", "null"] }); // "string | null"
 * schemaType({ type: "array", items: { type: "integer" } }); // "integer[]"
 * ```
 */
export function schemaType(schema: unknown): string {
  return truncate(typeOf(schema, 0), MAX_TYPE_LENGTH);
}
