/**
 * Loading the plugin a command names: a path, or `--manifest`.
 *
 * @module
 */

import { escapeControlCharacters } from "../_escape_control.ts";
import {
  type ManifestAccessOptions,
  readManifest,
  readManifestWasm,
} from "../manifest/plugin_manifest.ts";
import type { HostContext, PluginLogger } from "../plugin/plugin_session.ts";
import { Plugin, type PluginOptions } from "../plugin/plugin.ts";
import type { Router } from "../rpc/router.ts";
import { type Limits, UsageError } from "./_options.ts";

/**
 * The CLI's logger: a plugin's stderr lines on ours with its name, control
 * characters shown escaped (a plugin's text must not drive the terminal).
 */
export const terminalLogger: PluginLogger = (line, plugin) =>
  console.error(`[${escapeControlCharacters(plugin.name)}] ${escapeControlCharacters(line)}`);

/** A loaded plugin, the positionals after its path, and its timeout. */
export interface LoadedPlugin {
  plugin: Plugin;
  rest: string[];
  /** Milliseconds, from `--timeout` or the manifest; 0 for none. */
  timeout: number;
}

/**
 * Loads a plugin from `--manifest` or from the first positional argument,
 * returning it with the remaining positionals. Command-line limits override
 * the manifest's.
 */
export async function loadPlugin(
  manifest: string | undefined,
  positionals: string[],
  limits: Limits,
  extra: { host?: Router<HostContext>; logger?: PluginLogger; access?: ManifestAccessOptions } = {},
): Promise<LoadedPlugin> {
  const { access, ...more } = extra;
  // Integers beyond 2^53 pass through exactly (a u64 result is printed with
  // all its digits): the CLI relays values, it must not round them.
  const options: PluginOptions = {
    timeout: 0,
    logger: terminalLogger,
    largeIntegers: "bigint",
    ...limits,
    ...more,
  };
  if (manifest !== undefined) {
    const resolved = await readManifest(manifest, access);
    const bytes = await readManifestWasm(resolved);
    if (limits.timeout === undefined) delete options.timeout;
    const merged = { ...resolved.options, ...options };
    // Neither says: calls get the library's default (30 s), serve none.
    return {
      plugin: await Plugin.load(bytes, merged),
      rest: positionals,
      timeout: merged.timeout ?? 0,
    };
  }
  const [path, ...rest] = positionals;
  if (path === undefined) throw new UsageError("missing PLUGIN.wasm (or --manifest FILE)");
  try {
    return { plugin: await Plugin.load(path, options), rest, timeout: options.timeout ?? 0 };
  } catch (error) {
    if (!(error instanceof WebAssembly.CompileError)) throw error;
    throw new WebAssembly.CompileError(`${path} is not a valid module: ${error.message}`);
  }
}
