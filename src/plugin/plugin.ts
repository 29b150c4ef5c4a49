/**
 * A loaded plugin: compiled once, called many times.
 *
 * @module
 */

import type { GuestProcess, SpawnOptions } from "../executor/guest_process.ts";
import { GuestModule } from "../executor/guest_module.ts";
import type { EngineChoice } from "../executor/engine_choice.ts";
import { Router } from "../rpc/router.ts";
import type { CallOptions, LargeIntegers, MissingParams } from "../rpc/rpc_peer.ts";
import { checkLargeIntegers } from "../rpc/_json_codec.ts";
import { PluginError, type PluginInfo } from "./plugin_error.ts";
import {
  type HostContext,
  type PluginLogger,
  PluginSession,
  type SessionSetup,
} from "./plugin_session.ts";
import { AllowedHostMethods } from "./_allowed_host_methods.ts";
import { MissingHostMethod } from "./_missing_host_method.ts";
import { escapeControlCharacters } from "../_escape_control.ts";
import { GuestError } from "../executor/errors.ts";
import type { MemoryBudget } from "../executor/memory_budget.ts";
import type { Files } from "../wasi/files.ts";
import { checkLimits, type LimitName } from "../_limit_ranges.ts";
import { workerCount, WorkerPool } from "./_worker_pool.ts";

/** A name for a plugin given as bytes: `plugin-` and the first 8 hex digits of their SHA-256. */
async function nameOf(bytes: Uint8Array | ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return `plugin-${
    Array.from(digest.slice(0, 4), (b) => b.toString(16).padStart(2, "0")).join("")
  }`;
}

/** The error for a path (or `file:` URL) where the runtime cannot read files. */
function noFileReading(source: string | URL): TypeError {
  return new TypeError(
    `Plugin.load was given the path ${JSON.stringify(String(source))}, but this runtime is not ` +
      "Deno and the package reads files only with Deno.readFile: pass the module's bytes " +
      "(in Node: new Uint8Array(await readFile(path)) from node:fs/promises) or a URL that " +
      "fetch can get (https:)",
  );
}

const PLUGIN_LIMITS: readonly LimitName[] = [
  "fuel",
  "fuelSlice",
  "timeout",
  "maxMemory",
  "maxLineLength",
  "maxConcurrency",
];
const CALL_LIMITS: readonly LimitName[] = ["fuel", "timeout"];

/** Options for {@linkcode Plugin.load}. */
export interface PluginOptions {
  /**
   * The plugin's name, for logs and errors (default: the file name without
   * `.wasm`; for bytes, `plugin-` and the first 8 hex digits of their SHA-256,
   * as `inspect` prints it, so that two plugins' logs are told apart).
   */
  name?: string;
  /** The environment every instance gets (default none). */
  env?: Readonly<Record<string, string>>;
  /** Arguments after argv[0] every instance gets. */
  args?: readonly string[];
  /**
   * A directory every instance gets, each its own copy from these entries
   * (see `SpawnOptions.files`); default none.
   */
  files?: Files;
  /** Fuel per call or session (default unlimited). */
  fuel?: number;
  /** Fuel per slice between yields (default: sized to about 2 ms). */
  fuelSlice?: number;
  /** Wall-clock limit per call or session in milliseconds (default 30,000; 0 for none). */
  timeout?: number;
  /** Most linear memory and tables per instance in bytes (default 256 MiB). */
  maxMemory?: number;
  /**
   * A budget of memory all of this plugin's instances share, possibly with
   * other plugins given the same budget (default none: only the host's own
   * memory bounds the sum).
   */
  memoryBudget?: MemoryBudget;
  /** Methods the plugin may call on the host. */
  host?: Router<HostContext>;
  /**
   * If given, the only host methods the plugin may call; a call to any
   * other is refused with error -32001 (`ErrorCode.NotAllowed`).
   */
  allowedHostMethods?: readonly string[];
  /** Receives the plugin's stderr lines (default: `console.error` with a `[name]` prefix). */
  logger?: PluginLogger;
  /** Longest line the plugin may write to stdout in bytes (default 16 MiB). */
  maxLineLength?: number;
  /** Most instances running at once; further calls wait (default 64). */
  maxConcurrency?: number;
  /**
   * What a call or notification without params sends: `"omit"` (default)
   * leaves the `params` member out, as JSON-RPC 2.0 suggests; `"null"`
   * sends `"params":null`, which plugins built with the original Rust
   * framework's guest kit need (they cannot parse a request without it).
   */
  missingParams?: MissingParams;
  /**
   * `"number"` (default): JSON numbers from the plugin arrive as `number`,
   * so integers beyond 2^53 (a u64 such as 18446744073709551615) come back
   * rounded, and `bigint` params cannot be sent. `"bigint"`: integers
   * outside the safe range arrive as `bigint` (in results, errors and host
   * method params), and `bigint` params and host results are sent as
   * their exact digits. Needs `JSON.rawJSON` and `JSON.parse` source text
   * access (Deno 2, Node 22, Chromium 114); `Plugin.load` throws a
   * `TypeError` where the runtime lacks them.
   */
  largeIntegers?: LargeIntegers;
  /**
   * Runs the plugin's instances in this many Web Workers (`"auto"`: one
   * per core) instead of on the calling thread; each worker compiles the
   * plugin once. Calls go to the least busy worker, a session stays on one;
   * host methods, the logger and every option work as without workers.
   * Default: none, every instance runs on the calling thread. `Plugin.load`
   * throws a `TypeError` where the runtime has no `Worker` (Node.js).
   */
  workers?: number | "auto";
  /**
   * The engine instances run on: `"wasmi"` (default; runs everywhere, exact
   * fuel), `"v8"` (the runtime's own WebAssembly with fuel metering: much
   * faster on compute; needs JSPI, else `Plugin.load` throws a `TypeError`)
   * or `"auto"` (`"v8"` where JSPI exists).
   */
  engine?: EngineChoice;
}

/** Options for {@linkcode Plugin.call}. */
export interface PluginCallOptions extends CallOptions {
  /** Overrides the plugin's timeout for this call. */
  timeout?: number;
  /** Overrides the plugin's fuel budget for this call. */
  fuel?: number;
}

/** Options for {@linkcode Plugin.session}. */
export interface PluginSessionOptions {
  /** Ends the session (default: none). */
  signal?: AbortSignal;
  /** Wall-clock limit of the whole session (default: none). */
  timeout?: number;
  /** Fuel for the whole session (default: the plugin's). */
  fuel?: number;
}

const DEFAULT_TIMEOUT = 30_000;

/**
 * A plugin: a wasm32-wasip1 module that speaks newline-delimited JSON-RPC
 * 2.0 on stdio. {@linkcode Plugin.call} runs each call on a fresh instance;
 * {@linkcode Plugin.session} keeps one instance for many calls.
 *
 * @example Call a plugin method
 * ```ts ignore
 * import { type HostContext, Plugin, Router } from "@wasmi-plugins/host";
 * const host = new Router<HostContext>().method("echo", (params) => params);
 * using plugin = await Plugin.load("testdata/test_plugin.wasm", { host, timeout: 5000 });
 * console.log(await plugin.call("ping")); // "pong"
 * ```
 */
export class Plugin implements Disposable {
  /** The plugin's name and unique id. */
  readonly info: PluginInfo;
  /** The compiled module. */
  readonly module: GuestModule;
  readonly #options: PluginOptions;
  readonly #host: Router<HostContext>;
  readonly #logger: PluginLogger;
  readonly #waiting: { turn: () => void; cancel: (error: PluginError) => void }[] = [];
  #disposed = false;
  #pool: WorkerPool | undefined;
  #running = 0;
  #nextId = 1;

  private constructor(module: GuestModule, name: string, options: PluginOptions) {
    checkSettings(options);
    this.module = module;
    this.info = Object.freeze({ name, id: crypto.randomUUID() });
    this.#options = options;
    // A host method the plugin calls and the host lacks is answered with a
    // message that names it and says how to provide it.
    // (The CLI gives its own, which says how to provide one there.)
    const given = options.host ?? new Router<HostContext>();
    const host = given instanceof MissingHostMethod ? given : new MissingHostMethod(given);
    this.#host = options.allowedHostMethods === undefined
      ? host
      : new AllowedHostMethods(host, options.allowedHostMethods, name);
    // The default logger shows control characters escaped, so that a plugin
    // cannot drive the terminal; a custom logger gets the raw text.
    // Blank lines (a Rust panic's message starts with one) are left out.
    this.#logger = options.logger ??
      ((line, plugin) => {
        if (line.trim() !== "") console.error(escapeControlCharacters(`[${plugin.name}] ${line}`));
      });
    const errors = module.linkErrors();
    if (errors.length > 0) throw new WebAssembly.LinkError(errors.join("; "));
  }

  /**
   * Loads and compiles a plugin.
   *
   * @param source The module's bytes, a `URL` (fetched; `file:` URLs are
   * read), or a file path.
   * @param options Limits, host methods and logging.
   * @returns the plugin
   * @throws {WebAssembly.CompileError} if the bytes are not a valid module.
   * @throws {WebAssembly.LinkError} if the module cannot run here.
   * @throws {RangeError} if a numeric option is out of its range.
   * @throws {TypeError} if `missingParams` or `largeIntegers` is unknown, or
   * `largeIntegers` is `"bigint"` and the runtime cannot keep integers exact,
   * or `workers` is given and the runtime has no `Worker`.
   * @throws {Error} if `workers` is given and a worker cannot start (in
   * Deno it needs read access to this package's files, or import access to
   * their URL).
   */
  static async load(
    source: Uint8Array | ArrayBuffer | URL | string,
    options: PluginOptions = {},
  ): Promise<Plugin> {
    checkSettings(options);
    const workers = workerCount(options);
    let name = options.name;
    let bytes: Uint8Array | ArrayBuffer;
    if (typeof source === "string" || source instanceof URL) {
      const url = typeof source === "string" ? undefined : source;
      name ??= (url?.pathname ?? (source as string)).split(/[\\/]/).at(-1)?.replace(/\.wasm$/, "");
      if (url === undefined || url.protocol === "file:") {
        // Node, browsers and edge runtimes have no Deno.readFile.
        if (typeof Deno === "undefined") throw noFileReading(source);
        bytes = await Deno.readFile(source);
      } else {
        const response = await fetch(url);
        if (!response.ok) throw new TypeError(`Cannot fetch ${url}: HTTP ${response.status}`);
        bytes = await response.arrayBuffer();
      }
    } else {
      bytes = source;
    }
    if (!name) name = await nameOf(bytes);
    const module = await GuestModule.compile(bytes, options);
    let plugin: Plugin;
    try {
      plugin = new Plugin(module, name, options);
    } catch (error) {
      module[Symbol.dispose](); // a module that cannot link holds its engine's memory until disposed
      throw error;
    }
    if (workers !== undefined) {
      try {
        const copy = (bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).slice();
        plugin.#pool = await WorkerPool.start(copy, workers, plugin.info, options);
      } catch (error) {
        plugin[Symbol.dispose]();
        throw error;
      }
    }
    return plugin;
  }

  /**
   * Calls a plugin method on a fresh instance, which ends after answering.
   *
   * @param method The method name.
   * @param params Any JSON value, sent as given: positional (array) or named
   * (object) parameters, or a bare scalar or `null` (as plugins of the
   * original Rust framework take them). Without it, the request has no
   * `params` member, or `"params":null` under `missingParams: "null"`.
   * @param options Cancellation and per-call limits.
   * @returns the method's result
   * @throws {JsonRpcError} if the plugin answers with an error.
   * @throws {PluginError} if the plugin traps, exits without answering, runs
   * out of time or fuel, exceeds its memory, breaks the protocol, the call
   * is aborted, or the plugin was disposed of.
   * @throws {RangeError} if `options.fuel` or `options.timeout` is out of range.
   * @throws {TypeError} if `params` cannot be sent as JSON (a `bigint`
   * without `largeIntegers: "bigint"`, a cycle, ...).
   */
  async call<R = unknown>(
    method: string,
    params?: unknown,
    options: PluginCallOptions = {},
  ): Promise<R> {
    checkLimits(options, CALL_LIMITS);
    const { signal } = options;
    const what = `Call of ${this.info.name}.${method}`;
    try {
      await this.#acquire(signal);
    } catch (error) {
      if (error instanceof PluginError) throw error;
      // Aborted before it started (or while waiting for its turn).
      throw new PluginError("aborted", `${what} was aborted`, {
        plugin: this.info,
        stderr: "",
        cause: error,
      });
    }
    try {
      const id = this.#nextId++;
      if (this.#pool !== undefined) {
        // The whole call runs in a worker: one message there and one back.
        const setup = this.#setup({ call: { id, method } }, options);
        const fail = (error: unknown) => this.#startFailure(what, error);
        return await this.#pool.call<R>(method, params, setup, fail);
      }
      let session: PluginSession;
      try {
        session = this.#start({ call: { id, method } }, options);
      } catch (error) {
        throw this.#startFailure(what, error);
      }
      try {
        return await session.call<R>(method, params, signal === undefined ? {} : { signal });
      } finally {
        await session.close().catch(() => {});
      }
    } finally {
      this.#release();
    }
  }

  /**
   * Starts a long-lived instance that serves many calls and keeps its state.
   * It counts against `maxConcurrency` until it ends.
   *
   * @param options Cancellation and limits for the whole session.
   * @returns the session
   * @throws {PluginError} of kind `disposed` if the plugin was disposed of,
   * or kind `engine` if the engine cannot start an instance.
   * @throws {RangeError} if `options.fuel` or `options.timeout` is out of range.
   */
  session(options: PluginSessionOptions = {}): PluginSession {
    checkLimits(options, CALL_LIMITS);
    if (this.#disposed) throw this.#disposedError(`Session of ${this.info.name}`);
    this.#running++;
    try {
      // A session has no wall-clock limit unless one is given for it.
      const session = this.#start({ session: { id: this.#nextId++ } }, { timeout: 0, ...options });
      session.ended.finally(() => this.#release()).catch(() => {});
      return session;
    } catch (error) {
      this.#release();
      throw this.#startFailure(`Session of ${this.info.name}`, error);
    }
  }

  /**
   * Starts a raw instance for users who speak their own protocol on its
   * stdin/stdout.
   *
   * @param options Spawn options (the plugin's limits, env and args apply
   * unless given here).
   * @returns the process
   */
  spawn(options: SpawnOptions = {}): GuestProcess {
    return (this.#pool ?? this.module).spawn({ ...this.#spawnOptions({}), ...options });
  }

  /**
   * Frees the compiled module. Calls and sessions already running carry on;
   * calls still waiting for their turn, and later calls, fail with a
   * {@linkcode PluginError} of kind `disposed`. With `workers`, each worker
   * is terminated once its calls and sessions have settled (by their
   * timeouts too, whatever the worker does).
   */
  [Symbol.dispose](): void {
    this.#disposed = true;
    for (const waiting of this.#waiting.splice(0)) {
      waiting.cancel(this.#disposedError(`Call of ${this.info.name}`));
    }
    this.module[Symbol.dispose]();
    this.#pool?.close();
  }

  #disposedError(what: string): PluginError {
    return new PluginError("disposed", `${what} failed: the plugin was disposed of`, {
      plugin: this.info,
      stderr: "",
    });
  }

  /** A failure to start an instance, as a `PluginError`. */
  #startFailure(what: string, error: unknown): PluginError {
    if (error instanceof PluginError) return error;
    if (this.#disposed) return this.#disposedError(what);
    const kind = error instanceof GuestError ? error.kind : "engine";
    return new PluginError(kind, `${what} failed: ${(error as Error)?.message ?? error}`, {
      plugin: this.info,
      stderr: "",
      cause: error,
    });
  }

  #start(
    context: Omit<HostContext, "signal" | "plugin">,
    limits: { signal?: AbortSignal; timeout?: number; fuel?: number },
  ): PluginSession {
    return new PluginSession(this.#setup(context, limits));
  }

  #setup(
    context: Omit<HostContext, "signal" | "plugin">,
    limits: { signal?: AbortSignal; timeout?: number; fuel?: number },
  ): SessionSetup {
    return {
      module: this.#pool ?? this.module,
      info: this.info,
      spawn: this.#spawnOptions(limits),
      host: this.#host,
      logger: this.#logger,
      maxLineLength: this.#options.maxLineLength ?? 16 * 1024 * 1024,
      missingParams: this.#options.missingParams ?? "omit",
      largeIntegers: this.#options.largeIntegers ?? "number",
      context,
    };
  }

  #spawnOptions(limits: { signal?: AbortSignal; timeout?: number; fuel?: number }): SpawnOptions {
    const o = this.#options;
    const timeout = limits.timeout ?? o.timeout ?? DEFAULT_TIMEOUT;
    const fuel = limits.fuel ?? o.fuel;
    const spawn: SpawnOptions = { programName: this.info.name };
    if (o.env !== undefined) spawn.env = o.env;
    if (o.args !== undefined) spawn.args = o.args;
    if (o.files !== undefined) spawn.files = o.files;
    if (o.fuelSlice !== undefined) spawn.fuelSlice = o.fuelSlice;
    if (o.maxMemory !== undefined) spawn.maxMemory = o.maxMemory;
    if (o.memoryBudget !== undefined) spawn.memoryBudget = o.memoryBudget;
    if (fuel !== undefined) spawn.fuel = fuel;
    if (timeout > 0) spawn.timeout = timeout;
    if (limits.signal !== undefined) spawn.signal = limits.signal;
    return spawn;
  }

  async #acquire(signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    if (this.#disposed) throw this.#disposedError(`Call of ${this.info.name}`);
    if (this.#running < (this.#options.maxConcurrency ?? 64)) {
      this.#running++;
      return;
    }
    let resolve!: () => void, reject!: (error: unknown) => void;
    const promise = new Promise<void>((res, rej) => [resolve, reject] = [res, rej]);
    const waiting = {
      turn: () => {
        signal?.removeEventListener("abort", onAbort);
        this.#running++;
        resolve();
      },
      cancel: (error: PluginError) => {
        signal?.removeEventListener("abort", onAbort);
        reject(error);
      },
    };
    const onAbort = () => {
      const index = this.#waiting.indexOf(waiting);
      if (index >= 0) this.#waiting.splice(index, 1);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    this.#waiting.push(waiting);
    return await promise;
  }

  #release(): void {
    this.#running--;
    this.#waiting.shift()?.turn();
  }
}

/** Checks the options' limits and settings. */
function checkSettings(options: PluginOptions): void {
  checkLimits(options, PLUGIN_LIMITS);
  const { missingParams } = options;
  if (missingParams !== undefined && missingParams !== "omit" && missingParams !== "null") {
    throw new TypeError(
      `missingParams must be "omit" or "null", got ${JSON.stringify(missingParams)}`,
    );
  }
  checkLargeIntegers(options.largeIntegers);
}
