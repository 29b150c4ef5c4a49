/**
 * Loading a plugin from its manifest.
 *
 * @module
 */

import { Plugin, type PluginOptions } from "../plugin/plugin.ts";
import { readManifest, verifySha256 } from "./plugin_manifest.ts";

/**
 * Loads a plugin as its manifest says: the wasm it names (checked against
 * its `sha256`), its limits, env, args and allowed host methods. `options`
 * add what a manifest cannot hold (host methods, a logger) and override
 * the manifest's values.
 *
 * @param manifest The manifest's path or URL.
 * @param options Host methods, logger and overrides.
 * @returns the plugin
 * @throws {ManifestError} if the manifest is invalid or the hash differs.
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
  options: PluginOptions = {},
): Promise<Plugin> {
  const resolved = await readManifest(manifest);
  const bytes = resolved.wasm.protocol === "file:"
    ? await Deno.readFile(resolved.wasm)
    : new Uint8Array(await (await fetch(resolved.wasm)).arrayBuffer());
  await verifySha256(bytes, resolved.manifest.sha256);
  const name = resolved.options.name ??
    resolved.wasm.pathname.split("/").at(-1)!.replace(/\.wasm$/, "");
  return await Plugin.load(bytes, { ...resolved.options, name, ...options });
}
