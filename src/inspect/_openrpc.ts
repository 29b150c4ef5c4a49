/**
 * Reading the OpenRPC document (openrpc.org, version 1.3) a plugin answers
 * to `rpc.discover`: its title, version and methods, with each method's
 * params and result. The document comes from the guest, so it is untrusted:
 * only the fields used here are read, each checked for its type, and what
 * does not fit is skipped.
 *
 * @module
 */

import { isObject, type JsonObject, own } from "../_json_object.ts";

/** A param or the result of a method: an OpenRPC content descriptor. */
export interface ContentDescriptor {
  /** The param's name (its key for by-name params). */
  name: string;
  /** Whether the param must be given (OpenRPC's default: false). */
  required: boolean;
  /** Its JSON Schema, as the document has it (any value). */
  schema: unknown;
}

/** How a method takes its params: an object, an array, or either. */
export type ParamStructure = "by-name" | "by-position" | "either";

/** One method of a plugin. */
export interface DescribedMethod {
  /** The method's name, as a request's `method` carries it. */
  name: string;
  /** Its summary, or else the first line of its description. */
  summary?: string;
  /** Its params, in order. */
  params: ContentDescriptor[];
  /** Its result; absent if it never answers (a notification). */
  result?: ContentDescriptor;
  /** How it takes its params (OpenRPC's default: either). */
  paramStructure: ParamStructure;
}

/** What a plugin tells about itself through `rpc.discover`. */
export interface PluginDescription {
  /** The document's `info.title` (the plugin's name), if it is a string. */
  title?: string;
  /** The document's `info.version`, if it is a string. */
  version?: string;
  /** Its methods, in the document's order. */
  methods: DescribedMethod[];
  /** The document's named schemas (`components.schemas`), which `$ref`s may name. */
  schemas: Readonly<Record<string, unknown>>;
  /** The document as the plugin answered it. */
  document: unknown;
}

function ownString(object: JsonObject, key: string): string | undefined {
  const value = own(object, key);
  return typeof value === "string" ? value : undefined;
}

/** An object of named components (`components.schemas`), or an empty one. */
function componentMap(components: unknown, kind: string): Readonly<Record<string, unknown>> {
  const map = isObject(components) ? own(components, kind) : undefined;
  return isObject(map) ? map : {};
}

/**
 * The name a local `$ref` points to in `#/components/KIND/NAME`, decoded
 * (a URI fragment holding a JSON pointer), or undefined for any other
 * reference.
 *
 * @param ref The reference.
 * @param kind The kind of component (`schemas`, `contentDescriptors`).
 */
export function componentName(ref: string, kind: string): string | undefined {
  const prefix = `#/components/${kind}/`;
  if (!ref.startsWith(prefix)) return undefined;
  const segment = ref.slice(prefix.length);
  if (segment.includes("/")) return undefined;
  try {
    return decodeURIComponent(segment).replaceAll("~1", "/").replaceAll("~0", "~");
  } catch {
    return undefined;
  }
}

/**
 * A content descriptor, or a reference to one in
 * `components.contentDescriptors`; undefined if it is neither.
 */
function contentDescriptor(
  value: unknown,
  descriptors: Readonly<Record<string, unknown>>,
): ContentDescriptor | undefined {
  if (!isObject(value)) return undefined;
  const ref = ownString(value, "$ref");
  if (ref !== undefined) {
    const name = componentName(ref, "contentDescriptors");
    const target = name === undefined ? undefined : own(descriptors, name);
    // One level: a component that is itself a reference is not followed.
    return isObject(target) && !Object.hasOwn(target, "$ref")
      ? contentDescriptor(target, {})
      : undefined;
  }
  const name = ownString(value, "name");
  if (name === undefined) return undefined;
  return {
    name,
    required: own(value, "required") === true,
    schema: Object.hasOwn(value, "schema") ? value.schema : {},
  };
}

function method(
  value: unknown,
  descriptors: Readonly<Record<string, unknown>>,
): DescribedMethod | undefined {
  if (!isObject(value)) return undefined;
  const name = ownString(value, "name");
  if (name === undefined || name === "") return undefined;
  const params = own(value, "params");
  const structure = own(value, "paramStructure");
  const described: DescribedMethod = {
    name,
    params: Array.isArray(params)
      ? params.flatMap((param) => contentDescriptor(param, descriptors) ?? [])
      : [],
    paramStructure: structure === "by-name" || structure === "by-position" ? structure : "either",
  };
  const summary = ownString(value, "summary") ??
    ownString(value, "description")?.trim().split("\n", 1)[0];
  if (summary !== undefined && summary.trim() !== "") described.summary = summary.trim();
  const result = contentDescriptor(own(value, "result"), descriptors);
  if (result !== undefined) described.result = result;
  return described;
}

/**
 * Reads an OpenRPC document: undefined unless it is an object with a
 * `methods` array. Methods without a string name (or given as references)
 * are skipped, and so are params that are not content descriptors; every
 * other field has a default.
 *
 * @param document What a plugin answered to `rpc.discover` (any value).
 * @returns the plugin's description, or undefined
 *
 * @example
 * ```ts ignore
 * const description = readOpenRpc({ openrpc: "1.3.2", info: { title: "t", version: "1" }, methods: [] });
 * console.log(description?.methods.length); // 0
 * ```
 */
export function readOpenRpc(document: unknown): PluginDescription | undefined {
  if (!isObject(document)) return undefined;
  const methods = own(document, "methods");
  if (!Array.isArray(methods)) return undefined;
  const components = own(document, "components");
  const descriptors = componentMap(components, "contentDescriptors");
  const description: PluginDescription = {
    methods: methods.flatMap((value) => method(value, descriptors) ?? []),
    schemas: componentMap(components, "schemas"),
    document,
  };
  const info = own(document, "info");
  if (isObject(info)) {
    const title = ownString(info, "title");
    const version = ownString(info, "version");
    if (title !== undefined) description.title = title;
    if (version !== undefined) description.version = version;
  }
  return description;
}
