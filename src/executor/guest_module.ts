/**
 * A compiled guest module: compile once, run many times.
 *
 * @module
 */

import { compileEngine, createEngine } from "./wasmi/_engine.ts";
import { EnginePool } from "./wasmi/_engine_pool.ts";
import type { EngineName } from "./_guest_engine.ts";
import { type EngineChoice, resolveEngine } from "./engine_choice.ts";
import { V8Module } from "./v8/v8_module.ts";
import { tableProblem } from "./_instance_limits.ts";
import { scanModule, scanProposals } from "./v8/_instrumenter.ts";
import { UnsupportedFeatureError, unsupportedProposals } from "./features.ts";
import { WasmiGuest } from "./wasmi/wasmi_guest.ts";
import { PREVIEW1_SIGNATURES } from "../wasi/preview1.ts";
import type { ModuleExport, ModuleImport } from "./module_description.ts";
import { DEFAULT_MAX_MEMORY, GuestProcess, type SpawnOptions } from "./guest_process.ts";
import { rejectOverflowingLengths } from "./wasmi/_length_guard.ts";
import type { ExitStatus } from "./exit_status.ts";

/** What {@linkcode GuestModule.output} collected from a finished run. */
export interface GuestOutput {
  /** How the guest exited. */
  status: ExitStatus;
  /** Everything the guest wrote to stdout. */
  stdout: Uint8Array;
  /** Everything the guest wrote to stderr. */
  stderr: Uint8Array;
}

/** Options for {@linkcode GuestModule.output}. */
export interface OutputOptions extends SpawnOptions {
  /** The guest's whole input (default none). */
  stdin?: Uint8Array | string;
  /**
   * Most bytes collected from stdout and from stderr, each (default 64 MiB).
   * A guest that writes more is stopped, and the run fails with a
   * `RangeError`.
   */
  maxBuffer?: number;
}

/** Options for {@linkcode GuestModule.compile}. */
export interface CompileOptions {
  /** The engine the module's guests run on (default `"wasmi"`; see {@linkcode EngineChoice}). */
  engine?: EngineChoice;
}

/** Default of {@linkcode OutputOptions.maxBuffer}. */
const DEFAULT_MAX_BUFFER = 64 * 1024 * 1024;

const TYPE_CODES: Readonly<Record<string, string>> = { i32: "i", i64: "I" };

type Description = { imports: ModuleImport[]; exports: ModuleExport[] };

/**
 * A validated, compiled wasm32-wasip1 module, held by its own instance of
 * the bundled Wasmi engine, or compiled by V8 with fuel metering (engine
 * `"v8"`).
 *
 * @example Run a guest and collect its output
 * ```ts ignore
 * import { GuestModule } from "@wasmi-plugins/host/executor";
 * using module = await GuestModule.compile(await Deno.readFile("hello.wasm"));
 * const { status, stdout } = await module.output({ args: ["world"] });
 * console.log(status.code, new TextDecoder().decode(stdout));
 * ```
 */
export class GuestModule implements Disposable {
  /** The module's imports. */
  readonly imports: readonly ModuleImport[];
  /** The module's exports. */
  readonly exports: readonly ModuleExport[];
  /** Size of the module's bytes. */
  readonly size: number;
  /** The engine the module's guests run on. */
  readonly engine: EngineName;
  /**
   * The post-MVP proposals the module uses, by wasmparser's names (see
   * `FEATURES` for what each engine runs).
   */
  readonly proposals: readonly string[];
  /** The module's own Wasmi engine instances, or its V8 compilation; undefined once disposed. */
  #pool: EnginePool | V8Module | undefined;
  /** Why the module cannot run here (found once: imports and exports never change). */
  readonly #linkErrors: readonly string[];

  private constructor(
    pool: EnginePool | V8Module,
    description: { imports: ModuleImport[]; exports: ModuleExport[] },
    size: number,
    proposals: readonly string[],
  ) {
    this.#pool = pool;
    this.engine = pool instanceof V8Module ? "v8" : "wasmi";
    this.size = size;
    this.proposals = proposals;
    const { imports, exports } = description;
    this.imports = imports;
    this.exports = exports;
    this.#linkErrors = linkErrorsOf(imports, exports);
  }

  /**
   * Validates and compiles a module.
   *
   * @param bytes The module's bytes.
   * @param options The engine to run it on.
   * @returns the compiled module
   * @throws {WebAssembly.CompileError} if the bytes are not a valid module.
   * @throws {UnsupportedFeatureError} if the module uses a WebAssembly
   * feature the engine does not run (checked before anything is compiled).
   * @throws {TypeError} if the engine is unknown, or `"v8"` where JSPI is missing.
   */
  static async compile(
    bytes: Uint8Array | ArrayBuffer,
    options: CompileOptions = {},
  ): Promise<GuestModule> {
    const name = resolveEngine(options.engine);
    // A copy: the caller may reuse its buffer, and new engine instances
    // compile the same bytes again.
    const view = (bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).slice();
    rejectOverflowingLengths(view);
    if (name === "v8") {
      // Validated and scanned before it is instrumented and compiled, which
      // takes long for a large module: one that cannot run here (a feature,
      // an import) is refused at once.
      const scanned = await scanModule(view);
      refuseUnsupported(scanned.proposals, name);
      const tables = tableProblem(scanned.tables);
      if (tables !== undefined) throw new WebAssembly.CompileError(tables);
      const module = new V8Module(view, scanned);
      const description = scanned as unknown as Description;
      if (linkErrorsOf(description.imports, description.exports).length === 0) {
        await module.prepare(DEFAULT_MAX_MEMORY);
      }
      return new GuestModule(module, description, view.length, scanned.proposals);
    }
    // The function bodies are validated by the platform's own validator,
    // off the main thread, so that compiling a large module does not hold
    // the event loop (Wasmi parses the sections, then validates and
    // translates each body again, lazily); the feature scan parses the
    // module meanwhile. The validator's message comes first.
    // The engine's own bundle is decoded and compiled meanwhile (once).
    const [validated, scanned] = await Promise.allSettled([
      WebAssembly.compile(view as Uint8Array<ArrayBuffer>),
      scanProposals(view),
      compileEngine(),
    ]);
    if (validated.status === "rejected") {
      const message = (validated.reason as Error).message.replace(
        /^WebAssembly\.compile\(\): /,
        "",
      );
      throw new WebAssembly.CompileError(message);
    }
    if (scanned.status === "rejected") throw scanned.reason;
    const { proposals } = scanned.value;
    refuseUnsupported(proposals, name);
    const engine = await createEngine();
    const handle = engine.compile(view);
    const pool = new EnginePool(view, engine, handle);
    return new GuestModule(pool, engine.describe(handle) as Description, view.length, proposals);
  }

  /**
   * Reasons the module cannot run here: imports that are not preview1
   * functions with the right signature, or a missing or ill-typed `_start`.
   *
   * @returns one readable line per problem; empty if the module can run.
   */
  linkErrors(): string[] {
    return [...this.#linkErrors];
  }

  /**
   * Starts a fresh instance of the module.
   *
   * @param options Arguments, environment, limits and cancellation.
   * @returns the running process
   * @throws {WebAssembly.LinkError} if the module cannot run here.
   */
  spawn(options: SpawnOptions = {}): GuestProcess {
    const pool = this.#pool;
    if (pool === undefined) throw new TypeError("The module was disposed");
    if (this.#linkErrors.length > 0) {
      throw new WebAssembly.LinkError(this.#linkErrors.join("; "));
    }
    const maxMemory = options.maxMemory ?? DEFAULT_MAX_MEMORY;
    if (pool instanceof V8Module) {
      return new GuestProcess((host) => pool.instantiate(maxMemory, host), this.imports, options);
    }
    const lease = pool.acquire(maxMemory);
    try {
      const process = new GuestProcess(
        (host) => WasmiGuest.create(lease.engine, lease.handle, this.imports, maxMemory, host),
        this.imports,
        options,
      );
      process.status.finally(lease.done).catch(() => {});
      return process;
    } catch (error) {
      lease.done();
      throw error;
    }
  }

  /**
   * Runs a fresh instance to its end with the given input and collects its
   * output.
   *
   * @param options As for {@linkcode GuestModule.spawn}, plus the input
   * and the most output to collect.
   * @returns the exit status and the collected output
   * @throws {RangeError} if the guest writes more than `maxBuffer` bytes to
   * stdout or stderr (it is stopped), or an option is out of range.
   */
  async output(options: OutputOptions = {}): Promise<GuestOutput> {
    const { stdin, maxBuffer = DEFAULT_MAX_BUFFER, ...spawnOptions } = options;
    if (!(Number.isSafeInteger(maxBuffer) && maxBuffer >= 0)) {
      throw new RangeError(`Option maxBuffer must be a non-negative integer, got ${maxBuffer}`);
    }
    // try/finally rather than `await using`: runtimes such as Node 20 lack it.
    const process = this.spawn(spawnOptions);
    try {
      return await collectOutput(process, stdin, maxBuffer);
    } finally {
      await process[Symbol.asyncDispose]();
    }
  }

  /**
   * Frees the compiled module (running processes are not affected). Its
   * engine instances are reclaimed once those processes have ended.
   */
  [Symbol.dispose](): void {
    this.#pool?.dispose();
    this.#pool = undefined;
  }
}

async function collectOutput(
  process: GuestProcess,
  stdin: Uint8Array | string | undefined,
  maxBuffer: number,
): Promise<GuestOutput> {
  const input = typeof stdin === "string" ? new TextEncoder().encode(stdin) : stdin;
  const writing = (async () => {
    const writer = process.stdin.getWriter();
    if (input !== undefined && input.length > 0) await writer.write(input);
    await writer.close();
  })().catch(() => {/* the guest stopped reading; its status tells why */});
  const collect = async (stream: ReadableStream<Uint8Array>, name: string) => {
    const chunks: Uint8Array[] = [];
    let length = 0;
    for await (const chunk of stream) {
      length += chunk.length;
      if (length > maxBuffer) {
        const error = new RangeError(
          `Guest wrote more than maxBuffer (${maxBuffer} bytes) to ${name}`,
        );
        process.kill(error);
        throw error;
      }
      chunks.push(chunk);
    }
    const bytes = new Uint8Array(length);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.length;
    }
    return bytes;
  };
  const [stdout, stderr] = await Promise.all([
    collect(process.stdout, "stdout"),
    collect(process.stderr, "stderr"),
  ]);
  const status = await process.status;
  await writing;
  return { status, stdout, stderr };
}

/**
 * What is wrong with an import, if anything: from a module other than
 * wasi_snapshot_preview1 (`foreign`), not a preview1 function (`unknown`),
 * or a preview1 function with another signature (`mistyped`).
 *
 * @param imp The import.
 * @returns the problem, or undefined if this host provides the import
 */
export function importProblem(imp: ModuleImport): "foreign" | "unknown" | "mistyped" | undefined {
  if (imp.module !== "wasi_snapshot_preview1") return "foreign";
  const expected = Object.hasOwn(PREVIEW1_SIGNATURES, imp.name)
    ? PREVIEW1_SIGNATURES[imp.name]
    : undefined;
  if (imp.kind !== "func" || expected === undefined) return "unknown";
  const types = (list: string[] | undefined) =>
    (list ?? []).map((t) => TYPE_CODES[t] ?? "?").join("");
  return `${types(imp.params)}:${types(imp.results)}` === expected ? undefined : "mistyped";
}

/** Throws {@linkcode UnsupportedFeatureError} if `engine` does not run all of `proposals`. */
function refuseUnsupported(proposals: readonly string[], engine: EngineName): void {
  if (unsupportedProposals(proposals, engine).length > 0) {
    throw new UnsupportedFeatureError(engine, proposals);
  }
}

/** Why a module with `imports` and `exports` cannot run here, one line per problem. */
function linkErrorsOf(
  imports: readonly ModuleImport[],
  exports: readonly ModuleExport[],
): readonly string[] {
  const errors: string[] = [];
  for (const imp of imports) {
    const name = `${imp.module}::${imp.name}`;
    const problem = importProblem(imp);
    if (problem === "foreign") {
      errors.push(
        `unsupported import \`${name}\`: only wasi_snapshot_preview1 functions are provided`,
      );
    } else if (problem === "unknown") {
      errors.push(`unsupported import \`${name}\`: not a WASI preview1 function`);
    } else if (problem === "mistyped") {
      errors.push(`import \`${name}\` has the wrong signature`);
    }
  }
  const start = exports.find((e) => e.name === "_start");
  if (start === undefined || start.kind !== "func") {
    errors.push("the module exports no `_start` function");
  } else if ((start.params?.length ?? 0) > 0 || (start.results?.length ?? 0) > 0) {
    errors.push("the module's `_start` must take and return nothing");
  }
  return errors;
}
