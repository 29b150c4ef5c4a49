/**
 * Plugin manifests: a JSONC file that names a plugin's wasm, its expected
 * SHA-256, limits, environment, arguments and allowed host methods.
 *
 * @module
 */

import { parse, type ParseError, printParseErrorCode } from "jsonc-parser";
import type { PluginOptions } from "../plugin/plugin.ts";

/**
 * A plugin manifest, as written in JSONC:
 *
 * ```jsonc
 * {
 *   "name": "test_plugin",
 *   "wasm": "./test_plugin.wasm", // a path relative to the manifest, or a URL
 *   "sha256": "…",                // optional: the bytes must match
 *   "limits": { "fuel": 1000000000, "timeout": 5000, "maxMemory": 33554432 },
 *   "env": { "MODE": "test" },
 *   "args": ["--verbose"],
 *   "hostMethods": ["echo"]       // the only host methods it may call
 * }
 * ```
 */
export interface PluginManifest {
  /** The plugin's name (default: the wasm file name). */
  name?: string;
  /** The wasm module: a path relative to the manifest, or a URL. */
  wasm: string;
  /** Lowercase hex SHA-256 the module's bytes must have. */
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

const KEYS = ["name", "wasm", "sha256", "limits", "env", "args", "hostMethods"];
const LIMIT_KEYS = ["fuel", "fuelSlice", "timeout", "maxMemory"];

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
    throw new ManifestError(
      `${source}:${before.length}:${before.at(-1)!.length + 1}: ${printParseErrorCode(error)}`,
    );
  }
  const fail = (field: string, expected: string): never => {
    throw new ManifestError(`${source}: "${field}" must be ${expected}`);
  };
  if (!isRecord(value)) return fail("(top level)", "an object");
  for (const key of Object.keys(value)) {
    if (!KEYS.includes(key)) fail(key, `one of the known fields (${KEYS.join(", ")})`);
  }
  if (typeof value.wasm !== "string" || value.wasm === "") fail("wasm", "a non-empty string");
  if (value.name !== undefined && typeof value.name !== "string") fail("name", "a string");
  if (value.sha256 !== undefined && !/^[0-9a-f]{64}$/.test(String(value.sha256))) {
    fail("sha256", "64 lowercase hex digits");
  }
  if (value.limits !== undefined) {
    if (!isRecord(value.limits)) fail("limits", "an object");
    for (const [key, limit] of Object.entries(value.limits as Record<string, unknown>)) {
      if (!LIMIT_KEYS.includes(key)) fail(`limits.${key}`, `one of ${LIMIT_KEYS.join(", ")}`);
      if (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit < 0) {
        fail(`limits.${key}`, "a non-negative integer");
      }
    }
  }
  if (value.env !== undefined) {
    if (!isRecord(value.env) || !Object.values(value.env).every((v) => typeof v === "string")) {
      fail("env", "an object of strings");
    }
  }
  for (const key of ["args", "hostMethods"]) {
    const list = value[key];
    if (list !== undefined && !(Array.isArray(list) && list.every((v) => typeof v === "string"))) {
      fail(key, "an array of strings");
    }
  }
  return value as unknown as PluginManifest;
}

/** A manifest resolved for loading: where the wasm is and the plugin options. */
export interface ResolvedManifest {
  /** The manifest as parsed. */
  manifest: PluginManifest;
  /** The wasm module's location. */
  wasm: URL;
  /** Options for `Plugin.load` (name, limits, env, args, allowed host methods). */
  options: PluginOptions;
}

/**
 * Reads a manifest (a file path or URL) and resolves its wasm location
 * against it.
 *
 * @param location The manifest's path or URL.
 * @returns the manifest, the wasm URL and plugin options
 */
export async function readManifest(location: string | URL): Promise<ResolvedManifest> {
  const url = location instanceof URL ? location : toFileUrl(location);
  const text = url.protocol === "file:" ? await Deno.readTextFile(url) : await fetchText(url);
  const manifest = parseManifest(text, url.protocol === "file:" ? url.pathname : url.href);
  const options: PluginOptions = { ...manifest.limits };
  if (manifest.name !== undefined) options.name = manifest.name;
  if (manifest.env !== undefined) options.env = manifest.env;
  if (manifest.args !== undefined) options.args = manifest.args;
  if (manifest.hostMethods !== undefined) options.allowedHostMethods = manifest.hostMethods;
  return { manifest, wasm: new URL(manifest.wasm, url), options };
}

/**
 * Checks bytes against a manifest's `sha256`.
 *
 * @param bytes The module's bytes.
 * @param expected The manifest's `sha256`, if any.
 * @throws {ManifestError} if they differ.
 */
export async function verifySha256(
  bytes: Uint8Array | ArrayBuffer,
  expected?: string,
): Promise<void> {
  if (expected === undefined) return;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  const actual = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  if (actual !== expected) {
    throw new ManifestError(
      `The module's SHA-256 is ${actual}, but the manifest expects ${expected}`,
    );
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function toFileUrl(path: string): URL {
  return new URL(path, `file://${Deno.cwd()}/`);
}

async function fetchText(url: URL): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new ManifestError(`Cannot fetch ${url}: HTTP ${response.status}`);
  return await response.text();
}
