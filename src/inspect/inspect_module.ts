/**
 * What a module needs and whether it runs here, without running it.
 *
 * @module
 */

import { type EngineBuild, engineBuild } from "../executor/wasmi/engine_stats.ts";
import { GuestModule } from "../executor/guest_module.ts";
import { type EngineChoice, type EngineName, resolveEngine } from "../executor/engine_choice.ts";
import { featureProblem, FEATURES, runsOn, UnsupportedFeatureError } from "../executor/features.ts";
import type { ModuleExport } from "../executor/module_description.ts";
import { PREVIEW1_SUPPORT } from "../wasi/preview1.ts";
import { linkProblems } from "./_link_problems.ts";
import { headerProblem } from "./_wasm_header.ts";

/** How well one import is supported. */
export type ImportSupport = "full" | "partial" | "errno" | "unsupported";

/** One import with its support here. */
export interface InspectedImport {
  /** Import module name. */
  module: string;
  /** Import name. */
  name: string;
  /** What is imported. */
  kind: string;
  /** Support here. */
  support: ImportSupport;
  /** What the support means for this import. */
  note: string;
}

/** Whether a module runs here. */
export type Verdict = "runs" | "limited" | "will-not-run";

/** The report of {@linkcode inspectModule}. */
export interface ModuleReport {
  /** Size of the module in bytes. */
  size: number;
  /** Lowercase hex SHA-256 of the module. */
  sha256: string;
  /**
   * `runs`; `limited`: runs, but it imports filesystem or socket functions,
   * which answer an errno here; or `will-not-run`.
   */
  verdict: Verdict;
  /** Why, in sentences. */
  reasons: string[];
  /** The imports with their support (empty if the bytes are invalid). */
  imports: InspectedImport[];
  /** The exports (empty if the bytes are invalid). */
  exports: ModuleExport[];
  /** The module's own memory limits in 64 KiB pages, if it has a memory. */
  memory?: { minimum: number; maximum?: number };
  /** The bundled Wasmi engine: version, features, dispatch, toolchain. */
  engine: EngineBuild;
  /** The engine the verdict is for (`inspectModule`'s `engine` option). */
  engineName: EngineName;
  /** The WebAssembly features the module uses, and which engines run them. */
  features: FeatureReport;
}

/** The post-MVP WebAssembly features a module uses (see `FEATURES`). */
export interface FeatureReport {
  /** The proposals, by wasmparser's names (`exceptions`, `simd`, ...), sorted. */
  proposals: string[];
  /** The proposals in words. */
  names: string[];
  /** The engines that run all of them (imports aside); empty if none. */
  runsOn: EngineName[];
}

/** Options for {@linkcode inspectModule}. */
export interface InspectOptions {
  /** The engine to give the verdict for (default `"wasmi"`). */
  engine?: EngineChoice;
}

function featureReport(proposals: readonly string[]): FeatureReport {
  const names = proposals.map((p) => Object.hasOwn(FEATURES, p) ? FEATURES[p]!.name : p);
  return { proposals: [...proposals], names, runsOn: runsOn(proposals) };
}

const PARTIAL_NOTES: Record<string, string> = {
  fd_read: "stdin only",
  fd_write: "stdout and stderr only",
  fd_close: "stdio only",
  fd_fdstat_get: "stdio only",
  fd_filestat_get: "stdio only",
  clock_time_get: "REALTIME and MONOTONIC",
  clock_res_get: "REALTIME and MONOTONIC",
  poll_oneoff: "clock subscriptions only",
};

function errnoNote(name: string): string {
  if (name.startsWith("path_") || name === "fd_readdir") {
    return "no filesystem without files or run --dir: answers an errno";
  }
  if (name.startsWith("sock_")) return "no sockets: answers an errno";
  if (["fd_seek", "fd_tell", "fd_pread", "fd_pwrite"].includes(name)) {
    return "stdio are pipes: answers ESPIPE (EBADF for other fds)";
  }
  if (name === "fd_prestat_get" || name === "fd_prestat_dir_name") {
    return "no preopened directories: answers EBADF";
  }
  return "answers an errno";
}

/**
 * Inspects a module: imports and their support, exports, memory limits,
 * size, SHA-256, the WebAssembly features it uses and the engines that run
 * them, and a verdict for one engine.
 *
 * @param bytes The module's bytes.
 * @param options The engine to give the verdict for.
 * @returns the report
 *
 * @example
 * ```ts ignore
 * import { inspectModule } from "@wasmi-plugins/host";
 * const report = await inspectModule(await Deno.readFile("plugin.wasm"));
 * console.log(report.verdict, report.reasons);
 * ```
 */
export async function inspectModule(
  bytes: Uint8Array,
  options: InspectOptions = {},
): Promise<ModuleReport> {
  const engineName = resolveEngine(options.engine);
  const notModule = headerProblem(bytes);
  let module: GuestModule;
  try {
    if (notModule !== undefined) throw new WebAssembly.CompileError(notModule);
    module = await GuestModule.compile(bytes, { engine: engineName });
  } catch (error) {
    const unsupported = error instanceof UnsupportedFeatureError;
    return {
      ...await fileFacts(bytes),
      engineName,
      features: featureReport(unsupported ? error.used : []),
      verdict: "will-not-run",
      reasons: [
        unsupported
          ? `the module ${featureProblem(error.used, engineName)}`
          : notModule === undefined
          ? `the file is not a valid WebAssembly module: ${(error as Error).message}`
          : `the file ${notModule}`,
      ],
      imports: [],
      exports: [],
    };
  }
  try {
    return await inspectCompiled(module, bytes);
  } finally {
    module[Symbol.dispose]();
  }
}

/** The size, SHA-256 and engine of a report. */
async function fileFacts(
  bytes: Uint8Array,
): Promise<Pick<ModuleReport, "size" | "sha256" | "engine">> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return {
    size: bytes.length,
    sha256: Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""),
    engine: engineBuild(),
  };
}

/**
 * {@linkcode inspectModule} for a module already compiled from `bytes`
 * (the verdict is for its engine), which is not compiled again.
 *
 * @param module The compiled module.
 * @param bytes The bytes it was compiled from.
 * @returns the report
 */
export async function inspectCompiled(
  module: GuestModule,
  bytes: Uint8Array,
): Promise<ModuleReport> {
  const imports = module.imports.map((i): InspectedImport => {
    const support = i.module === "wasi_snapshot_preview1" && i.kind === "func"
      ? PREVIEW1_SUPPORT[i.name] ?? "unsupported"
      : "unsupported";
    const note = support === "full"
      ? "supported"
      : support === "partial"
      ? PARTIAL_NOTES[i.name] ?? "partly supported"
      : support === "errno"
      ? errnoNote(i.name)
      : "not provided: the module cannot be instantiated";
    return { module: i.module, name: i.name, kind: i.kind, support, note };
  });
  const reasons = linkProblems(module).map((problem) => `the module ${problem}`);
  const runs = reasons.length === 0;
  // Only imports whose whole purpose is unavailable here limit a module;
  // fd_seek, fd_sync & co. answer on stdio exactly as a pipe would.
  const errno = imports.filter((i) =>
    i.support === "errno" && /^(path_|sock_|fd_readdir$)/.test(i.name)
  );
  if (runs && errno.length > 0) {
    reasons.push(
      `runs, but ${errno.map((i) => i.name).join(", ")} ${
        errno.length === 1 ? "answers" : "answer"
      } an errno here (${
        [...new Set(errno.map((i) => errnoNote(i.name).split(":")[0]))].join("; ")
      })`,
    );
  }
  const memory = [...module.exports, ...module.imports].find((e) => e.kind === "memory");
  const report: ModuleReport = {
    ...await fileFacts(bytes),
    engineName: module.engine,
    features: featureReport(module.proposals),
    verdict: !runs ? "will-not-run" : errno.length > 0 ? "limited" : "runs",
    reasons,
    imports,
    exports: [...module.exports],
  };
  if (memory?.minimum !== undefined) {
    report.memory = memory.maximum === undefined
      ? { minimum: memory.minimum }
      : { minimum: memory.minimum, maximum: memory.maximum };
  }
  return report;
}
