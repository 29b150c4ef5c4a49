/**
 * Loading the plugin a command names: a path, or `--manifest`.
 *
 * @module
 */

import { escapeControlCharacters } from "../_escape_control.ts";
import type { ManifestAccessOptions } from "../manifest/plugin_manifest.ts";
import type { HostContext, PluginLogger } from "../plugin/plugin_session.ts";
import { Plugin, type PluginOptions } from "../plugin/plugin.ts";
import type { Router } from "../rpc/router.ts";
import { type Limits, UsageError } from "./_options.ts";
import { commandLine } from "./_program.ts";
import { readInputFile, readManifestModule, withModuleErrors } from "./_read_module.ts";

/**
 * The CLI's logger: a plugin's stderr lines on ours with its name, control
 * characters shown escaped (a plugin's text must not drive the terminal).
 * Blank lines are left out (a Rust panic's message starts with one).
 */
export const terminalLogger: PluginLogger = (line, plugin) => {
  if (line.trim() === "") return;
  console.error(`[${escapeControlCharacters(plugin.name)}] ${escapeControlCharacters(line)}`);
};

/** A loaded plugin, the positionals after its path, and its timeout. */
export interface LoadedPlugin {
  plugin: Plugin;
  rest: string[];
  /** Milliseconds, from `--timeout` or the manifest; 0 for none. */
  timeout: number;
  /** The arguments of `inspect` for the same plugin (its path, or `--manifest` and the manifest's). */
  inspectArgs: string[];
}

/**
 * Loads a plugin from `--manifest` or from the first positional argument,
 * returning it with the remaining positionals. Command-line limits override
 * the manifest's. Errors say what to do next (a path that does not exist, a
 * file that is not wasm, a module that is not a wasip1 command).
 */
export async function loadPlugin(
  manifest: string | undefined,
  positionals: string[],
  limits: Limits,
  extra: { host?: Router<HostContext>; logger?: PluginLogger; access?: ManifestAccessOptions } = {},
): Promise<LoadedPlugin> {
  const { access = {}, ...more } = extra;
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
    const { resolved, bytes, label } = await readManifestModule(manifest, access);
    if (limits.timeout === undefined) delete options.timeout;
    const merged = { ...resolved.options, ...options };
    const inspectArgs = ["inspect", "--manifest", manifest];
    // Neither says: calls get the library's default (30 s), serve none.
    return {
      plugin: await load(bytes, merged, label, inspectArgs),
      rest: positionals,
      timeout: merged.timeout ?? 0,
      inspectArgs,
    };
  }
  const [path, ...rest] = positionals;
  if (path === undefined) throw new UsageError("missing PLUGIN.wasm (or --manifest FILE)");
  const bytes = await readInputFile(path);
  // Named after the file, as Plugin.load names a plugin it reads itself.
  const name = path.split(/[\\/]/).at(-1)?.replace(/\.wasm$/, "") || "plugin";
  const inspectArgs = ["inspect", path];
  return {
    plugin: await load(bytes, { name, ...options }, path, inspectArgs),
    rest,
    timeout: options.timeout ?? 0,
    inspectArgs,
  };
}

/** Plugin.load, with errors for modules that cannot load saying what to do. */
async function load(
  bytes: Uint8Array,
  options: PluginOptions,
  label: string,
  inspectArgs: string[],
): Promise<Plugin> {
  return await withModuleErrors(
    bytes,
    label,
    commandLine(inspectArgs),
    () => Plugin.load(bytes, options),
  );
}
