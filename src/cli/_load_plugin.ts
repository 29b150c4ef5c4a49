/**
 * Loading the plugin a command names: a path, or `--manifest`.
 *
 * @module
 */

import { loadPluginFromManifest } from "../manifest/load_plugin_from_manifest.ts";
import type { HostContext, PluginLogger } from "../plugin/plugin_session.ts";
import { Plugin, type PluginOptions } from "../plugin/plugin.ts";
import type { Router } from "../rpc/router.ts";
import { type Limits, UsageError } from "./_options.ts";

/**
 * Loads a plugin from `--manifest` or from the first positional argument,
 * returning it with the remaining positionals. Command-line limits override
 * the manifest's.
 */
export async function loadPlugin(
  manifest: string | undefined,
  positionals: string[],
  limits: Limits,
  extra: { host?: Router<HostContext>; logger?: PluginLogger } = {},
): Promise<{ plugin: Plugin; rest: string[] }> {
  const options: PluginOptions = { timeout: 0, ...limits, ...extra };
  if (manifest !== undefined) {
    if (limits.timeout === undefined) delete options.timeout;
    return { plugin: await loadPluginFromManifest(manifest, options), rest: positionals };
  }
  const [path, ...rest] = positionals;
  if (path === undefined) throw new UsageError("missing PLUGIN.wasm (or --manifest FILE)");
  try {
    return { plugin: await Plugin.load(path, options), rest };
  } catch (error) {
    if (!(error instanceof WebAssembly.CompileError)) throw error;
    throw new WebAssembly.CompileError(`${path} is not a valid module: ${error.message}`);
  }
}
