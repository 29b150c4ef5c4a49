/**
 * Loading a plugin from its manifest.
 *
 * @module
 */

import { Plugin, type PluginOptions } from "../plugin/plugin.ts";
import { type ManifestAccessOptions, readManifest, readManifestWasm } from "./plugin_manifest.ts";

/** Options for {@linkcode loadPluginFromManifest}: plugin options and where the wasm may be. */
export interface LoadManifestOptions extends PluginOptions, ManifestAccessOptions {}

/**
 * Loads a plugin as its manifest says: the wasm it names (checked against
 * its `sha256`), its limits, env, args and allowed host methods. `options`
 * add what a manifest cannot hold (host methods, a logger) and override
 * the manifest's values. The wasm must be in the manifest's directory
 * unless `options` allow more (see {@linkcode ManifestAccessOptions}).
 *
 * @param manifest The manifest's path or URL.
 * @param options Host methods, logger, overrides and where the wasm may be.
 * @returns the plugin
 * @throws {ManifestError} if the manifest is invalid, names a wasm where it
 * may not, or the hash differs.
 *
 * @example
 * ```ts ignore
 * import { loadPluginFromManifest } from "@wasmi-plugins/host/manifest";
 * using plugin = await loadPluginFromManifest("testdata/test_plugin.plugin.jsonc");
 * console.log(await plugin.call("ping"));
 * ```
 */
export async function loadPluginFromManifest(
  manifest: string | URL,
  options: LoadManifestOptions = {},
): Promise<Plugin> {
  const { allowWasmOutside, allowRemoteWasm, ...overrides } = options;
  const access: ManifestAccessOptions = {};
  if (allowWasmOutside !== undefined) access.allowWasmOutside = allowWasmOutside;
  if (allowRemoteWasm !== undefined) access.allowRemoteWasm = allowRemoteWasm;
  const resolved = await readManifest(manifest, access);
  const bytes = await readManifestWasm(resolved);
  return await Plugin.load(bytes, { ...resolved.options, ...overrides });
}
