/**
 * Plugin manifests: a JSONC file that names a plugin's wasm, its expected
 * SHA-256, limits, environment, arguments and allowed host methods.
 *
 * @module
 */

import { parse, type ParseError, printParseErrorCode } from "jsonc-parser";
import { dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { headerProblem } from "../inspect/_wasm_header.ts";
import { isInside, readConfined } from "./_read_confined.ts";
import type { PluginOptions } from "../plugin/plugin.ts";
import { isObject } from "../_json_object.ts";
import { checkLimit, type LimitName } from "../_limit_ranges.ts";

/**
 * A plugin manifest, as written in JSONC:
 *
 * ```jsonc
 * {
 *   "name": "test_plugin",
 *   "wasm": "./test_plugin.wasm", // a path in the manifest's directory
 *   "sha256": "…",                // optional: the bytes must match
 *   "limits": { "fuel": 1000000000, "timeout": 5000, "maxMemory": 33554432 },
 *   "env": { "MODE": "test" },
 *   "args": ["--verbose"],
 *   "hostMethods": ["echo"],      // the only host methods it may call
 *   "missingParams": "null",      // send "params": null when a call has none
 *   "workers": "auto",            // run instances in Web Workers, one per core
 *   "engine": "auto"              // "wasmi" (default), "v8" or "auto"
 * }
 * ```
 */
export interface PluginManifest {
  /** The plugin's name (default: the wasm file name). */
  name?: string;
  /**
   * The wasm module: a path relative to the manifest, inside its directory
   * (elsewhere, or a URL, only if the loader allows it: see
   * {@linkcode ManifestAccessOptions}).
   */
  wasm: string;
  /** Hex SHA-256 (either case) the module's bytes must have. */
  sha256?: string;
  /** Limits per call or session. */
  limits?: {
    fuel?: number;
    fuelSlice?: number;
    timeout?: number;
    maxMemory?: number;
  };
  /** The plugin's environment. */
  env?: Record<string, string>;
  /** Arguments after argv[0]. */
  args?: string[];
  /** The only host methods the plugin may call (default: all registered). */
  hostMethods?: string[];
  /**
   * What a call without params sends: `"omit"` (default: no `params`
   * member) or `"null"` (`"params":null`, which plugins built with the
   * original Rust framework's guest kit need). See `PluginOptions.missingParams`.
   */
  missingParams?: "omit" | "null";
  /**
   * Runs the plugin's instances in this many Web Workers, `"auto"` for one
   * per core (default: none). See `PluginOptions.workers`.
   */
  workers?: number | "auto";
  /** The engine instances run on (default `"wasmi"`). See `PluginOptions.engine`. */
  engine?: "wasmi" | "v8" | "auto";
}

/** A manifest that is not valid JSONC or does not have the right shape. */
export class ManifestError extends Error {
  /**
   * Creates the error.
   *
   * @param message What is wrong, with the manifest's location.
   */
  constructor(message: string) {
    super(message);
    this.name = "ManifestError";
  }
}

const KEYS = [
  "name",
  "wasm",
  "sha256",
  "limits",
  "env",
  "args",
  "hostMethods",
  "missingParams",
  "workers",
  "engine",
];
const LIMIT_KEYS: LimitName[] = ["fuel", "fuelSlice", "timeout", "maxMemory"];

/** What each of jsonc-parser's error codes means, in words. */
const SYNTAX_ERRORS: Record<string, string> = {
  InvalidSymbol: "unexpected character",
  InvalidNumberFormat: "invalid number",
  PropertyNameExpected: "a property name in double quotes was expected",
  ValueExpected: "a value was expected",
  ColonExpected: "':' was expected",
  CommaExpected: "',' was expected",
  CloseBraceExpected: "'}' was expected",
  CloseBracketExpected: "']' was expected",
  EndOfFileExpected: "text goes on after the manifest's end",
  InvalidCommentToken: "invalid comment",
  UnexpectedEndOfComment: "a comment is not closed",
  UnexpectedEndOfString: "a string is not closed",
  UnexpectedEndOfNumber: "a number is cut short",
  InvalidUnicode: "invalid \\u escape",
  InvalidEscapeCharacter: "invalid escape character",
  InvalidCharacter: "invalid character in a string",
};

/**
 * Parses and checks a manifest's text.
 *
 * @param text The JSONC text.
 * @param source Where it came from, for error messages.
 * @returns the manifest
 * @throws {ManifestError} with the line and column of a syntax error, or
 * the field that is wrong.
 *
 * @example
 * ```ts
 * import { parseManifest } from "@wasmi-plugins/host/manifest";
 * const manifest = parseManifest(`{ "wasm": "p.wasm", "limits": { "timeout": 100 }, }`);
 * if (manifest.limits?.timeout !== 100) throw new Error("unexpected");
 * ```
 */
export function parseManifest(text: string, source = "manifest"): PluginManifest {
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const { error, offset } = errors[0]!;
    const before = text.slice(0, offset).split("\n");
    const found = text.codePointAt(offset);
    const at = found === undefined
      ? " (found the end)"
      : found < 0x20 || found === 0x7f
      ? ""
      : ` (found '${String.fromCodePoint(found)}')`;
    const code = printParseErrorCode(error);
    throw new ManifestError(
      `${source}:${before.length}:${before.at(-1)!.length + 1}: not a JSONC manifest: ` +
        `${SYNTAX_ERRORS[code] ?? code}${at}; a manifest is a JSON object (comments and ` +
        `trailing commas allowed), such as { "wasm": "plugin.wasm" }`,
    );
  }
  const fail = (field: string, expected: string): never => {
    throw new ManifestError(`${source}: "${field}" must be ${expected}`);
  };
  if (!isObject(value)) return fail("(top level)", "an object");
  for (const key of Object.keys(value)) {
    if (!KEYS.includes(key)) fail(key, `one of the known fields (${KEYS.join(", ")})`);
  }
  if (typeof value.wasm !== "string" || value.wasm === "") fail("wasm", "a non-empty string");
  if (value.name !== undefined && typeof value.name !== "string") fail("name", "a string");
  if (
    value.sha256 !== undefined &&
    !(typeof value.sha256 === "string" && /^[0-9a-f]{64}$/i.test(value.sha256))
  ) {
    fail("sha256", "64 hex digits");
  }
  if (value.limits !== undefined) {
    if (!isObject(value.limits)) fail("limits", "an object");
    for (const [key, limit] of Object.entries(value.limits as Record<string, unknown>)) {
      if (!(LIMIT_KEYS as string[]).includes(key)) {
        fail(`limits.${key}`, `one of ${LIMIT_KEYS.join(", ")}`);
      }
      const expected = checkLimit(key as LimitName, limit);
      if (expected !== undefined) fail(`limits.${key}`, expected);
    }
  }
  if (value.env !== undefined) {
    if (!isObject(value.env) || !Object.values(value.env).every((v) => typeof v === "string")) {
      fail("env", "an object of strings");
    }
  }
  for (const key of ["args", "hostMethods"]) {
    const list = value[key];
    if (list !== undefined && !(Array.isArray(list) && list.every((v) => typeof v === "string"))) {
      fail(key, "an array of strings");
    }
  }
  if (
    value.missingParams !== undefined && value.missingParams !== "omit" &&
    value.missingParams !== "null"
  ) {
    fail("missingParams", '"omit" or "null"');
  }
  const { workers } = value;
  if (
    workers !== undefined && workers !== "auto" &&
    !(Number.isInteger(workers) && (workers as number) >= 1 && (workers as number) <= 1024)
  ) {
    fail("workers", 'an integer from 1 to 1024 or "auto"');
  }
  if (value.engine !== undefined && !["wasmi", "v8", "auto"].includes(value.engine as string)) {
    fail("engine", '"wasmi", "v8" or "auto"');
  }
  return value as unknown as PluginManifest;
}

/** A manifest resolved for loading: where the wasm is and the plugin options. */
export interface ResolvedManifest {
  /** The manifest as parsed. */
  manifest: PluginManifest;
  /**
   * The wasm module's location, checked against {@linkcode ManifestAccessOptions}
   * (for a file, its real path: symbolic links resolved).
   */
  wasm: URL;
  /**
   * For a file that must stay in the manifest's directory (no
   * `allowWasmOutside`): that directory's real path. {@linkcode readManifestWasm}
   * then checks that the file it opened is the one inside, so that swapping
   * a directory for a symbolic link after the check cannot lead out.
   */
  confinedTo?: string;
  /** Options for `Plugin.load` (name, limits, env, args, allowed host methods, missing params). */
  options: PluginOptions;
}

/**
 * Where a manifest's `wasm` may point. By default only into the manifest's
 * own directory (or below): a file next to a local manifest (symbolic links
 * resolved), or a URL under a remote manifest's URL. A manifest is input,
 * often from someone else: without these options it cannot make the host
 * read an arbitrary file or fetch a URL.
 */
export interface ManifestAccessOptions {
  /**
   * Lets `wasm` name a local file outside the manifest's directory (`../`,
   * an absolute path, a `file:` URL, a symbolic link out). Default false.
   */
  allowWasmOutside?: boolean;
  /**
   * Lets `wasm` be a URL (`https:`, `http:`, ...) other than one under a
   * remote manifest's own directory, which is then fetched. Default false.
   */
  allowRemoteWasm?: boolean;
}

/**
 * Reads a manifest (a file path or URL), resolves its wasm location against
 * the manifest's and checks it against `access`.
 *
 * @param location The manifest's path or URL.
 * @param access Where the wasm may be (default: the manifest's directory).
 * @returns the manifest, the wasm URL and plugin options
 * @throws {ManifestError} if the manifest is invalid or its `wasm` points
 * where `access` does not allow.
 *
 * @example
 * ```ts
 * import { readManifest } from "@wasmi-plugins/host/manifest";
 * const { wasm, options } = await readManifest("testdata/test_plugin.plugin.jsonc");
 * if (!wasm.pathname.endsWith("/testdata/test_plugin.wasm")) throw new Error("unexpected");
 * if (options.timeout !== 5000) throw new Error("unexpected");
 * ```
 */
export async function readManifest(
  location: string | URL,
  access: ManifestAccessOptions = {},
): Promise<ResolvedManifest> {
  const url = location instanceof URL ? location : toFileUrl(location);
  const text = url.protocol === "file:" ? await Deno.readTextFile(url) : await fetchText(url);
  const source = url.protocol === "file:" ? fileURLToPath(url) : url.href;
  const manifest = parseManifest(text, source);
  const { wasm, confinedTo } = await locateWasm(manifest.wasm, url, source, access);
  const options: PluginOptions = { ...manifest.limits };
  options.name = manifest.name ??
    new URL(manifest.wasm, url).pathname.split("/").at(-1)!.replace(/\.wasm$/, "");
  if (manifest.env !== undefined) options.env = manifest.env;
  if (manifest.args !== undefined) options.args = manifest.args;
  if (manifest.hostMethods !== undefined) options.allowedHostMethods = manifest.hostMethods;
  if (manifest.missingParams !== undefined) options.missingParams = manifest.missingParams;
  if (manifest.workers !== undefined) options.workers = manifest.workers;
  if (manifest.engine !== undefined) options.engine = manifest.engine;
  return confinedTo === undefined
    ? { manifest, wasm, options }
    : { manifest, wasm, confinedTo, options };
}

/**
 * Reads (or, for a URL, fetches) the module a resolved manifest names and
 * checks its `sha256` and that it starts like a WebAssembly module (version
 * 1, not a component).
 *
 * @param resolved The manifest from {@linkcode readManifest}.
 * @returns the module's bytes
 * @throws {ManifestError} if the hash differs or a fetch fails.
 * @throws {WebAssembly.CompileError} if the bytes are not a WebAssembly
 * module, saying what they are (text, a component, ...) and not quoting them.
 *
 * @example
 * ```ts
 * import { readManifest, readManifestWasm } from "@wasmi-plugins/host/manifest";
 * const bytes = await readManifestWasm(await readManifest("testdata/test_plugin.plugin.jsonc"));
 * if (bytes[0] !== 0) throw new Error("unexpected");
 * ```
 */
export async function readManifestWasm(resolved: ResolvedManifest): Promise<Uint8Array> {
  const { wasm, manifest, confinedTo } = resolved;
  let bytes: Uint8Array;
  if (wasm.protocol === "file:") {
    bytes = confinedTo === undefined
      ? await Deno.readFile(wasm)
      : await readConfined(fileURLToPath(wasm), confinedTo, manifest.wasm);
  } else {
    const response = await fetch(wasm);
    if (!response.ok) {
      await response.body?.cancel();
      throw new ManifestError(`Cannot fetch ${wasm.href}: HTTP ${response.status}`);
    }
    bytes = new Uint8Array(await response.arrayBuffer());
  }
  await verifySha256(bytes, manifest.sha256);
  // The engine's error for bytes that are not wasm quotes the first ones
  // ("actual=[ 0x72, 0x6f, 0x6f, 0x74 ]"): say only what they are instead.
  const problem = headerProblem(bytes);
  if (problem !== undefined) throw new WebAssembly.CompileError(`'${manifest.wasm}' ${problem}`);
  return bytes;
}

/**
 * Checks bytes against a manifest's `sha256`.
 *
 * @param bytes The module's bytes.
 * @param expected The manifest's `sha256` (hex, either case), if any.
 * @throws {ManifestError} if they differ.
 *
 * @example
 * ```ts
 * import { verifySha256 } from "@wasmi-plugins/host/manifest";
 * const sha = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
 * await verifySha256(new TextEncoder().encode("abc"), sha);
 * ```
 */
export async function verifySha256(
  bytes: Uint8Array | ArrayBuffer,
  expected?: string,
): Promise<void> {
  if (expected === undefined) return;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  const actual = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  if (actual !== expected.toLowerCase()) {
    // The actual hash is left out: whoever wrote the manifest would learn
    // the SHA-256 of whatever file it names (enough to confirm a guess of a
    // short secret). Whoever may read the file can hash it themselves
    // (`cli.ts inspect FILE` prints it).
    throw new ManifestError(
      `The module's SHA-256 does not match the manifest's sha256 ${expected}`,
    );
  }
}

/** The wasm URL a manifest names, if `access` allows it. */
async function locateWasm(
  wasm: string,
  manifestUrl: URL,
  source: string,
  access: ManifestAccessOptions,
): Promise<{ wasm: URL; confinedTo?: string }> {
  const refuse = (what: string, option: string, flag: string): never => {
    throw new ManifestError(
      `${source}: "wasm" ${what} (${JSON.stringify(wasm)}); only ${option} (${flag}) allows that`,
    );
  };
  const url = new URL(wasm, manifestUrl);
  if (manifestUrl.protocol !== "file:") {
    const directory = new URL(".", manifestUrl);
    if (url.origin === directory.origin && url.pathname.startsWith(directory.pathname)) {
      return { wasm: url };
    }
  }
  if (url.protocol !== "file:") {
    if (access.allowRemoteWasm) return { wasm: url };
    const what = manifestUrl.protocol === "file:"
      ? "is a URL"
      : "is a URL outside the manifest's directory";
    return refuse(what, "allowRemoteWasm", "--allow-remote-wasm");
  }
  let path: string;
  try {
    path = fileURLToPath(url);
  } catch (error) {
    throw new ManifestError(`${source}: "wasm" is not a valid path: ${(error as Error).message}`);
  }
  if (access.allowWasmOutside) return { wasm: url };
  const outside = "names a file outside the manifest's directory";
  if (manifestUrl.protocol !== "file:") {
    return refuse(outside, "allowWasmOutside", "--allow-wasm-outside");
  }
  // Decide on the path as written before touching the file system (which
  // would tell whether a file exists out there), then on the real paths,
  // so that a symbolic link cannot lead out either.
  const directory = dirname(fileURLToPath(manifestUrl));
  if (!isInside(directory, path)) refuse(outside, "allowWasmOutside", "--allow-wasm-outside");
  const real = await Deno.realPath(path);
  const realDirectory = await Deno.realPath(directory);
  if (!isInside(realDirectory, real)) {
    refuse(`${outside} (through a symbolic link)`, "allowWasmOutside", "--allow-wasm-outside");
  }
  return { wasm: pathToFileURL(real), confinedTo: realDirectory };
}

function toFileUrl(path: string): URL {
  return new URL(path, `file://${Deno.cwd()}/`);
}

async function fetchText(url: URL): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new ManifestError(`Cannot fetch ${url}: HTTP ${response.status}`);
  return await response.text();
}
