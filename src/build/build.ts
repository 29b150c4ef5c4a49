/**
 * Builds a TypeScript (or JavaScript) plugin: bundles the entry module with
 * its imports to one script (`deno bundle`), then runs the JavaScript plugin
 * runtime once with it and writes the pre-initialised module (see
 * _snapshot.ts): the runtime, the script and QuickJS's state after the
 * script's top level, ready for the first request.
 *
 * @module
 */

import { decodeEngine } from "../executor/_engine_bytes.ts";
import { ENGINE_GZIP_BASE64 as RUNTIME_GZIP_BASE64 } from "./_js_runtime_wasm.ts";
import { snapshot, SnapshotRunFailed } from "./_snapshot.ts";

/** Options of {@linkcode buildPlugin} and {@linkcode buildScript}. */
export interface BuildOptions {
  /**
   * Evaluate the script at build time (default `true`): a call then starts
   * with QuickJS running and the methods registered. `false` keeps only the
   * script's text, evaluated anew by every instance (slower; for comparison).
   */
  preinitialize?: boolean;
  /** Each line the script logs while it is evaluated at build time (default: dropped). */
  log?: (line: string) => void;
}

/** The script could not be bundled, or failed while it was evaluated at build time. */
export class BuildError extends Error {
  /** An error with `message` (and `options.cause`). */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BuildError";
  }
}

let runtime: Promise<Uint8Array<ArrayBuffer>> | undefined;

/** The JavaScript plugin runtime without a script (crates/js-guest). */
export function jsRuntime(): Promise<Uint8Array<ArrayBuffer>> {
  return runtime ??= decodeEngine(RUNTIME_GZIP_BASE64);
}

/**
 * Bundles `entry` and its imports to one script, with the running Deno's
 * `deno bundle` (needs `--allow-run` for it and read access to the sources).
 *
 * @param entry The plugin's entry module (a path or a `file:` URL).
 * @returns the script
 */
export async function bundle(entry: string | URL): Promise<string> {
  const path = entry instanceof URL ? entry.pathname : entry;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--format", "iife", "--platform", "browser", path],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim();
    throw new BuildError(
      `${path} could not be bundled: ${stderr || `deno bundle exited with ${output.code}`}`,
    );
  }
  return new TextDecoder().decode(output.stdout);
}

/**
 * Builds a plugin from one script (already bundled JavaScript).
 *
 * @param script The plugin's JavaScript.
 * @param options See {@linkcode BuildOptions}.
 * @returns the plugin's wasm module
 */
export async function buildScript(script: string, options: BuildOptions = {}): Promise<Uint8Array> {
  const mode = options.preinitialize === false ? "--load" : "--eval";
  try {
    return await snapshot(await jsRuntime(), {
      args: ["plugin", mode],
      stdin: new TextEncoder().encode(script),
      log: options.log ?? (() => {}),
    });
  } catch (error) {
    if (error instanceof SnapshotRunFailed) {
      // The whole stderr (with the stack) went to `log`; the message is its first line.
      const first = error.stderr.split("\n", 1)[0]!.replace(/^the script failed: /, "");
      throw new BuildError(`the script failed while it was built: ${first}`, { cause: error });
    }
    throw error;
  }
}

/**
 * Builds a plugin from a TypeScript or JavaScript entry module: bundles it
 * with its imports, then pre-initialises the runtime with it. The result
 * loads like any other plugin (`Plugin.load`, `cli.ts call`, manifests).
 *
 * @example
 * ```ts ignore
 * import { buildPlugin } from "@wasmi-plugins/host/build";
 * await Deno.writeFile("hello.wasm", await buildPlugin("examples/ts/hello.ts"));
 * ```
 *
 * @param entry The plugin's entry module.
 * @param options See {@linkcode BuildOptions}.
 * @returns the plugin's wasm module
 */
export async function buildPlugin(
  entry: string | URL,
  options: BuildOptions = {},
): Promise<Uint8Array> {
  return await buildScript(await bundle(entry), options);
}
