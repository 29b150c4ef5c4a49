/**
 * Params to start from when calling a described method: one placeholder
 * value per required param, built from its schema (`0`, `""`, `false`,
 * `[]`, `{}`, an enum's first value, ...), as an array (by position) or an
 * object (by name).
 *
 * @module
 */

import { isObject, own } from "../_json_object.ts";
import { componentName, type DescribedMethod } from "./_openrpc.ts";

/** How deep schemas are followed (and `$ref`s resolved); deeper values are `null`. */
const MAX_DEPTH = 4;

/** Most properties or tuple items filled in one value. */
const MAX_MEMBERS = 16;

type Schemas = Readonly<Record<string, unknown>>;

function placeholder(schema: unknown, schemas: Schemas, depth: number): unknown {
  if (!isObject(schema) || depth > MAX_DEPTH) return null;
  const get = (key: string) => own(schema, key);
  const ref = get("$ref");
  if (typeof ref === "string") {
    const name = componentName(ref, "schemas");
    return name !== undefined && Object.hasOwn(schemas, name)
      ? placeholder(schemas[name], schemas, depth + 1)
      : null;
  }
  if (Object.hasOwn(schema, "const")) return schema.const;
  if (Object.hasOwn(schema, "default")) return schema.default;
  for (const key of ["enum", "examples"]) {
    const values = get(key);
    if (Array.isArray(values) && values.length > 0) return values[0];
  }
  for (const key of ["oneOf", "anyOf", "allOf"]) {
    const members = get(key);
    if (Array.isArray(members) && members.length > 0) {
      // The first member that is not just null.
      const member = members.find((m) => !(isObject(m) && m.type === "null")) ?? members[0];
      return placeholder(member, schemas, depth + 1);
    }
  }
  const type = get("type");
  const types = typeof type === "string" ? [type] : Array.isArray(type) ? type : [];
  const name = types.find((t) => t !== "null") ?? types[0] ??
    (isObject(get("properties")) ? "object" : undefined);
  switch (name) {
    case "string":
      return "";
    case "integer":
    case "number":
      return 0;
    case "boolean":
      return false;
    case "array": {
      const tuple = get("prefixItems") ?? get("items");
      return Array.isArray(tuple)
        ? tuple.slice(0, MAX_MEMBERS).map((item) => placeholder(item, schemas, depth + 1))
        : [];
    }
    case "object": {
      const properties = get("properties");
      const required = get("required");
      if (!isObject(properties) || !Array.isArray(required)) return {};
      // Entries, not assignments: a property may be named __proto__.
      return Object.fromEntries(
        required.slice(0, MAX_MEMBERS)
          .filter((key): key is string => typeof key === "string" && Object.hasOwn(properties, key))
          .map((key) => [key, placeholder(properties[key], schemas, depth + 1)]),
      );
    }
    default:
      return null;
  }
}

/** JSON on one line with a space after each `,` and `:`: `[0, ""]`, `{"name": ""}`. */
function compactJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(compactJson).join(", ")}]`;
  if (isObject(value)) {
    const members = Object.entries(value).map(([k, v]) =>
      `${JSON.stringify(k)}: ${compactJson(v)}`
    );
    return `{${members.join(", ")}}`;
  }
  return typeof value === "bigint" ? String(value) : JSON.stringify(value) ?? "null";
}

/**
 * Params for a call of `method`, as JSON text to edit: its required params
 * with a placeholder from each one's schema (a `const`, `default`, the
 * first `enum` or `examples` value, else `0`, `""`, `false`, `null`, `[]`
 * or an object of its required properties; `$ref`s to the document's
 * schemas are followed), in an object for a method that takes params by
 * name, else in an array.
 *
 * @param method A method of a plugin's description.
 * @param schemas The description's named schemas, which `$ref`s may name.
 * @returns the params as one line of JSON
 *
 * @example
 * ```ts ignore
 * paramsTemplate({
 *   name: "add",
 *   paramStructure: "by-position",
 *   params: [{ name: "a", required: true, schema: { type: "integer" } }],
 * }, {}); // "[0]"
 * ```
 */
export function paramsTemplate(method: DescribedMethod, schemas: Schemas): string {
  const required = method.params.filter((param) => param.required);
  if (method.paramStructure === "by-name") {
    return compactJson(
      Object.fromEntries(required.map((param) => [
        param.name,
        placeholder(param.schema, schemas, 0),
      ])),
    );
  }
  return compactJson(required.map((param) => placeholder(param.schema, schemas, 0)));
}
