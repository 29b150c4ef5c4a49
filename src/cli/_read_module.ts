/**
 * Reading and compiling the file a command names, with errors that read as
 * sentences saying what to do next: a path that does not exist, a file that
 * is not wasm, a module that is not a wasip1 command.
 *
 * @module
 */

import { featureProblem, UnsupportedFeatureError } from "../executor/features.ts";
import { type EngineChoice, resolveEngine } from "../executor/engine_choice.ts";
import { GuestModule } from "../executor/guest_module.ts";
import { linkProblems } from "../inspect/_link_problems.ts";
import { headerProblem } from "../inspect/_wasm_header.ts";
import {
  type ManifestAccessOptions,
  parseManifest,
  readManifest,
  readManifestWasm,
  type ResolvedManifest,
} from "../manifest/plugin_manifest.ts";

/** A file a command reads: its module, or its manifest. */
export type InputKind = "module" | "manifest";

const isAbsolute = (path: string) => path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path);

/** The error classes of files that cannot be read, and what each means. */
const FILE_ERRORS: [new (message: string, options?: ErrorOptions) => Error, string][] = [
  [Deno.errors.NotFound, "no such file"],
  [Deno.errors.IsADirectory, "it is a directory"],
  [Deno.errors.NotADirectory, "a part of the path before the file name is not a directory"],
  [Deno.errors.PermissionDenied, "permission denied"],
];

/**
 * A file that cannot be read, as an error of the same class (the exit code
 * follows the class) whose message is `cannot read WHAT: why; next`.
 */
function fileError(error: unknown, what: string, next: string): unknown {
  for (const [kind, why] of FILE_ERRORS) {
    if (error instanceof kind) {
      return new kind(`cannot read ${what}: ${why}; ${next}`, { cause: error });
    }
  }
  // Deno's own message says which flag grants access.
  if (error instanceof Deno.errors.NotCapable) {
    return new Deno.errors.PermissionDenied(`cannot read ${what}: ${error.message}`, {
      cause: error,
    });
  }
  return error;
}

/**
 * Why `path` cannot be read, as an error of the same class with a message
 * that names the path and says what to do.
 *
 * @param error What reading it threw.
 * @param path The path as the user gave it.
 * @param kind What the file should be.
 * @returns the error to throw (`error` itself if it is not a file error)
 */
export function readError(error: unknown, path: string, kind: InputKind): unknown {
  const what = kind === "module" ? `'${path}'` : `manifest '${path}'`;
  const next = error instanceof Deno.errors.IsADirectory
    ? `pass ${kind === "module" ? "a .wasm file" : "a manifest file (.jsonc)"}`
    : error instanceof Deno.errors.PermissionDenied
    ? "check the file's permissions"
    : `check the path${isAbsolute(path) ? "" : " (relative to the current directory)"}`;
  return fileError(error, what, next);
}

/**
 * Reads a file a command names.
 *
 * @param path The path as the user gave it.
 * @param kind What the file should be (for the messages).
 * @returns the file's bytes
 * @throws {Deno.errors.NotFound} (or `IsADirectory`, `NotADirectory`,
 * `PermissionDenied`) with a message that names the path and what to do.
 */
export async function readInputFile(path: string, kind: InputKind = "module"): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (error) {
    throw readError(error, path, kind);
  }
}

/**
 * Compiles or loads a module's bytes with `compile`, refusing bytes that are
 * not a module before it sees them. What it throws becomes a `CompileError`
 * that says what the file is instead (text, a component, not wasm at all)
 * or what the compiler found, or a `LinkError` that says why it is not a
 * wasip1 command this host can run, with the next step; other errors are
 * thrown as they are.
 *
 * @param bytes The module's bytes.
 * @param label How to name the module: its path as the user gave it.
 * @param inspect The command line that inspects the module, for a module
 * with several problems.
 * @param compile What to do with the bytes (compile them, load a plugin).
 * @returns what `compile` returns
 */
export async function withModuleErrors<T>(
  bytes: Uint8Array,
  label: string,
  inspect: string,
  compile: () => Promise<T>,
): Promise<T> {
  const notModule = headerProblem(bytes);
  if (notModule !== undefined) throw new WebAssembly.CompileError(`'${label}' ${notModule}`);
  try {
    return await compile();
  } catch (error) {
    throw await moduleError(error, label, bytes, inspect);
  }
}

/** The error {@linkcode withModuleErrors} throws for `error`. */
async function moduleError(
  error: unknown,
  label: string,
  bytes: Uint8Array,
  inspect: string,
): Promise<unknown> {
  if (error instanceof UnsupportedFeatureError) {
    // A valid module this engine does not run: name the engine that does.
    const other = error.runsOn[0];
    return new WebAssembly.CompileError(
      `'${label}' ${featureProblem(error.used, error.engine)}` +
        (other === undefined ? "" : `: run it with --engine ${other}`),
      { cause: error },
    );
  }
  if (error instanceof WebAssembly.CompileError) {
    return new WebAssembly.CompileError(
      `'${label}' is not a valid WebAssembly module (${error.message}); ` +
        "rebuild it, or pass a .wasm file built for wasm32-wasip1",
      { cause: error },
    );
  }
  if (!(error instanceof WebAssembly.LinkError)) return error;
  let problems: string[];
  try {
    // Only when loading failed: the module is compiled again to be explained.
    using module = await GuestModule.compile(bytes);
    problems = linkProblems(module);
  } catch {
    return error;
  }
  return problems.length === 0 ? error : linkError(label, problems, inspect);
}

/** The first of a module's link problems, pointing to `inspect` for the others. */
function linkError(label: string, problems: string[], inspect: string): WebAssembly.LinkError {
  const more = problems.length - 1;
  const rest = more === 0
    ? ""
    : ` (and ${more} more ${more === 1 ? "problem" : "problems"}: run '${inspect}')`;
  return new WebAssembly.LinkError(`'${label}' ${problems[0]}${rest}`);
}

/**
 * Reads and compiles a module file for `run`; errors say what to do next.
 *
 * @param path The module's path as the user gave it.
 * @param engine The engine to compile it for (default `"wasmi"`).
 * @param inspect The command line that inspects the module.
 * @returns the compiled module, which can run here
 * @throws {WebAssembly.CompileError} if the file is not a valid module.
 * @throws {WebAssembly.LinkError} if it is not a wasip1 command this host can run.
 */
export async function compileFile(
  path: string,
  engine: EngineChoice | undefined,
  inspect: string,
): Promise<GuestModule> {
  // An engine this runtime lacks is not the module's fault: checked first.
  const options = engine === undefined ? {} : { engine: resolveEngine(engine) };
  const bytes = await readInputFile(path);
  const module = await withModuleErrors(
    bytes,
    path,
    inspect,
    () => GuestModule.compile(bytes, options),
  );
  const problems = linkProblems(module);
  if (problems.length > 0) {
    module[Symbol.dispose]();
    throw linkError(path, problems, inspect);
  }
  return module;
}

/** A manifest read for a command, with its module's bytes. */
export interface ManifestModule {
  resolved: ResolvedManifest;
  bytes: Uint8Array;
  /** How to name the module: the manifest's `wasm` as written. */
  label: string;
}

const isFileError = (error: unknown) =>
  error instanceof Deno.errors.NotCapable || FILE_ERRORS.some(([kind]) => error instanceof kind);

/**
 * Reads a manifest and the module it names; errors say which file cannot
 * be read (the manifest, or its `wasm`) and what to do.
 *
 * @param path The manifest's path as the user gave it.
 * @param access Where its wasm may be.
 * @returns the resolved manifest and the module's bytes
 * @throws {Deno.errors.NotFound} (or another file error) naming the file.
 * @throws {ManifestError} if the manifest is invalid.
 * @throws {WebAssembly.CompileError} if its wasm is not a WebAssembly module.
 */
export async function readManifestModule(
  path: string,
  access: ManifestAccessOptions,
): Promise<ManifestModule> {
  let resolved: ResolvedManifest;
  try {
    resolved = await readManifest(path, access);
  } catch (error) {
    if (!isFileError(error)) throw error;
    // The manifest itself, or its wasm (located when the manifest is read)?
    const wasm = await Deno.readTextFile(path).then(
      (text) => parseManifest(text, path).wasm,
      () => undefined,
    );
    throw wasm === undefined ? readError(error, path, "manifest") : wasmError(error, wasm, path);
  }
  const label = resolved.manifest.wasm;
  try {
    return { resolved, bytes: await readManifestWasm(resolved), label };
  } catch (error) {
    // A file that is not a module gets headerProblem's sentence from readManifestWasm.
    throw isFileError(error) ? wasmError(error, label, path) : error;
  }
}

/** The wasm a manifest names cannot be read. */
function wasmError(error: unknown, wasm: string, manifest: string): unknown {
  return fileError(
    error,
    `'${wasm}', the wasm manifest '${manifest}' names`,
    `check its "wasm" field (relative to the manifest's directory)`,
  );
}
