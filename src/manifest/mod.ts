/**
 * Plugin manifests in JSONC: which wasm, its SHA-256, limits, env, args and
 * the host methods a plugin may call. (The only part of the package with a
 * third-party dependency: the npm package `jsonc-parser`.)
 *
 * @example
 * ```ts
 * import { parseManifest } from "@wasmi-plugins/host/manifest";
 * const manifest = parseManifest('{ "wasm": "plugin.wasm", "hostMethods": ["echo"] }');
 * if (manifest.hostMethods?.[0] !== "echo") throw new Error("unexpected");
 * ```
 *
 * @module
 */

export { type LoadManifestOptions, loadPluginFromManifest } from "./load_plugin_from_manifest.ts";
export {
  type ManifestAccessOptions,
  ManifestError,
  parseManifest,
  type PluginManifest,
  readManifest,
  readManifestWasm,
  type ResolvedManifest,
  verifySha256,
} from "./plugin_manifest.ts";
