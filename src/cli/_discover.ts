/**
 * How the CLI asks a plugin for its methods: `rpc.discover` on a fresh
 * instance, briefly, with its logs discarded.
 *
 * @module
 */

import { Plugin, type PluginOptions } from "../plugin/plugin.ts";

/** How long a plugin may take to answer `rpc.discover`, in milliseconds. */
export const DISCOVER_TIMEOUT = 5_000;

/** Longest answer read from the plugin, in bytes: a document, not a data set. */
const MAX_DOCUMENT_LENGTH = 4 << 20;

/**
 * Loads `bytes` as a plugin to ask for its methods (with `discoverMethods`),
 * with `options` (its environment, arguments, fuel and memory limits,
 * `missingParams`); undefined if it cannot load. Calls time out after
 * {@linkcode DISCOVER_TIMEOUT} ms, its stderr is discarded, it may call no
 * host method, and it runs on the calling thread with the options' engine.
 *
 * @param bytes The module's bytes.
 * @param options The plugin's options, from its manifest or none.
 * @returns the plugin, or undefined
 */
export async function loadForDiscovery(
  bytes: Uint8Array,
  options: PluginOptions = {},
): Promise<Plugin | undefined> {
  const {
    workers: _workers,
    host: _host,
    allowedHostMethods: _allowed,
    logger: _logger,
    ...limits
  } = options;
  try {
    return await Plugin.load(bytes, {
      ...limits,
      timeout: DISCOVER_TIMEOUT,
      logger: () => {},
      largeIntegers: "bigint",
      maxLineLength: MAX_DOCUMENT_LENGTH,
    });
  } catch {
    return undefined;
  }
}
