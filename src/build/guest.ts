/**
 * The API a TypeScript plugin sees, typed: import it in a plugin's source,
 * and `cli.ts build` (or {@linkcode buildPlugin}) bundles it with the plugin.
 * It runs only inside the JavaScript plugin runtime (crates/js-guest), which
 * defines these values; see README, "Plugins in TypeScript".
 *
 * @example
 * ```ts ignore
 * import { host, plugin, RpcError } from "@wasmi-plugins/host/guest";
 *
 * plugin
 *   .info({ title: "hello", version: "0.1.0" })
 *   .method("add", ([a, b]: [number, number]) => a + b, { description: "Adds two numbers" })
 *   .method("greet", async ([name]: [string]) => `${await host.call("greeting", [name])}!`)
 *   .method("fail", () => {
 *     throw new RpcError(1, "failed on purpose", { why: "a test" });
 *   });
 * ```
 *
 * @module
 */

/** Any JSON value; integers outside the safe range are `bigint`. */
export type Json = null | boolean | number | bigint | string | Json[] | { [key: string]: Json };

/** An OpenRPC content descriptor (a param or the result of a method). */
export interface ContentDescriptor {
  /** The param's name (or the result's). */
  name: string;
  /** What it is, at length. */
  description?: string;
  /** What it is, in a line. */
  summary?: string;
  /** Its JSON Schema (default: `{}`, any value). */
  schema?: Record<string, unknown>;
  /** Whether a call must give it. */
  required?: boolean;
}

/** What `rpc.discover` says about a method. */
export interface MethodOptions {
  /** What the method does, in a line (`inspect` lists it). */
  summary?: string;
  /** What the method does, at length. */
  description?: string;
  /** The params by position: descriptors, or just their names. */
  params?: (string | ContentDescriptor)[];
  /** `"by-position"` (the default when `params` is given) or `"by-name"`. */
  paramStructure?: "by-position" | "by-name" | "either";
  /** The result: a descriptor, or its JSON Schema. */
  result?: ContentDescriptor | Record<string, unknown>;
}

/** A method's handler: gets the request's params as sent (`undefined` when absent). */
// deno-lint-ignore no-explicit-any
export type Handler = (params: any) => unknown;

/** The plugin's registrations. */
export interface PluginApi {
  /** Registers method `name` (replacing one of that name); sync or async handlers. */
  method(name: string, handler: Handler, options?: MethodOptions): PluginApi;
  /** `info` of the `rpc.discover` document. */
  info(info: { title?: string; version?: string; description?: string }): PluginApi;
  /** Ends the plugin at once with exit status `code`, answering nothing more. */
  exit(code?: number): never;
  /** The error class handlers throw to answer a JSON-RPC error. */
  RpcError: RpcErrorConstructor;
}

/** Calls to the host. Not allowed at the script's top level. */
export interface HostApi {
  /** Calls host method `method`; settles with its result, or rejects with an {@linkcode RpcError}. */
  call<T = unknown>(method: string, params?: Json): Promise<T>;
  /** Calls host method `method` and blocks until it answers (other messages are handled meanwhile). */
  callSync<T = unknown>(method: string, params?: Json): T;
  /** Sends the host a notification (no answer). */
  notify(method: string, params?: Json): void;
}

/** A JSON-RPC error: thrown by a handler, it answers `{ code, message, data }`. */
export interface RpcError extends Error {
  /** The JSON-RPC error code. */
  code: number;
  /** The error's `data`, if any. */
  data?: Json;
}

/** The class of {@linkcode RpcError}. */
export interface RpcErrorConstructor {
  /** An error answering `{ code, message, data }`. */
  new (code: number, message: string, data?: Json): RpcError;
  /** For `instanceof`. */
  readonly prototype: RpcError;
}

const runtime = globalThis as unknown as {
  plugin: PluginApi;
  host: HostApi;
  RpcError: RpcErrorConstructor;
};

/** The plugin's registrations. */
export const plugin: PluginApi = runtime.plugin;
/** Calls to the host. */
export const host: HostApi = runtime.host;
/** A JSON-RPC error with code, message and data. */
export const RpcError: RpcErrorConstructor = runtime.RpcError;
