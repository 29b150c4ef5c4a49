/**
 * How the CLI asks a plugin for its methods: `rpc.discover` on a fresh
 * instance, briefly, with its logs discarded.
 *
 * @module
 */

import { discoverMethods, type PluginDescription } from "../inspect/discover_methods.ts";
import { Plugin, type PluginOptions } from "../plugin/plugin.ts";

/** How long a plugin may take to answer `rpc.discover`, in milliseconds. */
export const DISCOVER_TIMEOUT = 5_000;

/** Longest answer read from the plugin, in bytes: a document, not a data set. */
const MAX_DOCUMENT_LENGTH = 4 << 20;

/**
 * Loads `bytes` as a plugin with `options` (its environment, arguments,
 * fuel and memory limits, `missingParams`) and asks it for its methods;
 * undefined if it does not answer with a document in
 * {@linkcode DISCOVER_TIMEOUT} ms. Its stderr is discarded, it may call no
 * host method, and it runs on the calling thread with the default engine.
 *
 * @param bytes The module's bytes (a module that can run here).
 * @param options The plugin's options, from its manifest or none.
 * @returns the plugin's description, or undefined
 */
export async function discoverModule(
  bytes: Uint8Array,
  options: PluginOptions = {},
): Promise<PluginDescription | undefined> {
  const {
    workers: _workers,
    engine: _engine,
    host: _host,
    allowedHostMethods: _allowed,
    logger: _logger,
    ...limits
  } = options;
  let plugin: Plugin;
  try {
    plugin = await Plugin.load(bytes, {
      ...limits,
      timeout: DISCOVER_TIMEOUT,
      logger: () => {},
      largeIntegers: "bigint",
      maxLineLength: MAX_DOCUMENT_LENGTH,
    });
  } catch {
    return undefined;
  }
  using _ = plugin;
  return await discoverMethods(plugin);
}
