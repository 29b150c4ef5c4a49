/**
 * Asking a plugin what it offers: `rpc.discover`, which plugins built with
 * the guest kit (and the example plugins) answer with an OpenRPC document.
 *
 * @module
 */

import type { Plugin, PluginCallOptions } from "../plugin/plugin.ts";
import { type PluginDescription, readOpenRpc } from "./_openrpc.ts";

export type {
  ContentDescriptor,
  DescribedMethod,
  ParamStructure,
  PluginDescription,
} from "./_openrpc.ts";

/**
 * Calls `rpc.discover` (without params) on a fresh instance of `plugin` and
 * reads the OpenRPC document it answers. Never throws: a plugin that
 * answers an error (most answer -32601, method not found), answers
 * something other than a document with a `methods` array, traps, exits,
 * runs out of time or fuel, or breaks the protocol gives undefined.
 *
 * The document is the plugin's own text: print its strings with their
 * control characters escaped.
 *
 * @param plugin The plugin to ask.
 * @param options Limits of the call (a short `timeout` is wise: a program
 * that is not a plugin may wait for more input until it runs out).
 * @returns the plugin's description, or undefined
 *
 * @example
 * ```ts ignore
 * using plugin = await Plugin.load("examples/c/plugin.wasm", { logger: () => {} });
 * const description = await discoverMethods(plugin, { timeout: 5000 });
 * console.log(description?.methods.map((m) => m.name)); // ["ping", "add", ...]
 * ```
 */
export async function discoverMethods(
  plugin: Plugin,
  options: PluginCallOptions = {},
): Promise<PluginDescription | undefined> {
  try {
    return readOpenRpc(await plugin.call("rpc.discover", undefined, options));
  } catch {
    return undefined;
  }
}
