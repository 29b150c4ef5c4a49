/**
 * A plugin's pool of Web Workers (`PluginOptions.workers`): each worker
 * compiles the plugin once and runs the instances the pool starts there;
 * the main thread keeps everything else (RPC, host methods, logging,
 * limits' bookkeeping) and sees each instance as a `GuestProcess`.
 *
 * The worker is this very module (or the bundle it was bundled into),
 * loaded under {@linkcode WORKER_NAME}: it then serves as a plugin worker,
 * so the pool needs no separate entry file in a bundle.
 *
 * @module
 */

import type { GuestProcess, SpawnOptions } from "../executor/guest_process.ts";
import { EngineError, TimeoutError } from "../executor/errors.ts";
import { checkLimits, SPAWN_LIMITS } from "../_limit_ranges.ts";
import { servePluginWorker } from "./_plugin_worker.ts";
import { RemoteProcess } from "./_remote_process.ts";
import { TAIL_CHARS } from "./_stderr_lines.ts";
import {
  type CallOutcome,
  deserializeError,
  type FromWorker,
  type HostAnswer,
  type SerializedError,
  WORKER_NAME,
} from "./_worker_messages.ts";
import { PluginError, type PluginErrorKind, type PluginInfo } from "./plugin_error.ts";
import type { HostContext, SessionSetup } from "./plugin_session.ts";
import { ErrorCode, JsonRpcError } from "../rpc/json_rpc_error.ts";
import type { JsonRpcRequest } from "../rpc/messages.ts";
import { RpcClosedError } from "../rpc/rpc_closed_error.ts";
import type { Router } from "../rpc/router.ts";
import { type JsonCodec, jsonCodec } from "../rpc/_json_codec.ts";

/** How many workers: a count, or `"auto"` for one per core. */
export type Workers = number | "auto";

/** The most workers one plugin may have. */
const MAX_WORKERS = 1024;

/**
 * The number of workers plugin options ask for.
 *
 * @param options The plugin's options.
 * @returns the count, or undefined for none
 * @throws {RangeError} if `workers` is neither an integer from 1 to 1024 nor `"auto"`.
 * @throws {TypeError} if the runtime has no `Worker`, or a `memoryBudget`
 * is given too (a budget is one thread's object).
 */
export function workerCount(
  options: { workers?: unknown; memoryBudget?: unknown },
): number | undefined {
  let { workers } = options;
  if (workers === undefined) return undefined;
  if (workers === "auto") {
    const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator
      ?.hardwareConcurrency;
    workers = Math.max(1, Math.min(MAX_WORKERS, Number.isInteger(cores) ? cores! : 1));
  } else if (
    typeof workers !== "number" || !Number.isInteger(workers) || workers < 1 ||
    workers > MAX_WORKERS
  ) {
    const got = typeof workers === "number" || typeof workers === "string"
      ? JSON.stringify(workers)
      : typeof workers;
    throw new RangeError(
      `Option workers must be an integer from 1 to ${MAX_WORKERS} or "auto", got ${got}`,
    );
  }
  if (typeof (globalThis as { Worker?: unknown }).Worker !== "function") {
    throw new TypeError(
      `Option workers needs Web Workers, which ${runtimeName()} does not provide ` +
        "(no global Worker); leave it unset to run the plugin on this thread",
    );
  }
  if (options.memoryBudget !== undefined) throw budgetError();
  return workers as number;
}

function budgetError(): TypeError {
  return new TypeError(
    "Options workers and memoryBudget cannot be combined: a memory budget is shared " +
      "within one thread",
  );
}

/** The runtime's name and version, for errors. */
function runtimeName(): string {
  const g = globalThis as {
    Deno?: { version?: { deno?: string } };
    process?: { versions?: { node?: string } };
    navigator?: { userAgent?: string };
  };
  if (g.Deno?.version?.deno !== undefined) return `Deno ${g.Deno.version.deno}`;
  if (g.process?.versions?.node !== undefined) return `Node.js ${g.process.versions.node}`;
  return g.navigator?.userAgent ?? "this runtime";
}

/**
 * How long a worker may take to end a run this thread has stopped (its
 * timeout passed, it was aborted or killed) before the worker is taken for
 * unresponsive (stuck in a blocking instruction or a long synchronous
 * step), terminated and replaced.
 */
export const CANCEL_GRACE = 1000;

/** An instance in a worker, as the pool tracks it. */
interface Live {
  receive(message: FromWorker): void;
  /** The worker died: `message` says why, as a sentence. */
  die(message: string): void;
  /**
   * Settled on this thread, waiting for the worker to end it: it no longer
   * keeps a disposed plugin's worker.
   */
  cancelled?: true;
  /** Runs out CANCEL_GRACE ms after the cancellation (or after the worker has compiled). */
  grace?: ReturnType<typeof setTimeout>;
}

/** One worker and the instances it runs. */
interface PoolWorker {
  readonly worker: Worker;
  /** Instances running there: sessions and raw processes, and stateless calls. */
  readonly live: Map<number, Live>;
  /** Settles when the worker has compiled the plugin (or failed to). */
  readonly ready: Promise<void>;
  /** Starting or ready: gets new instances. Dead: gone. */
  state: "starting" | "ready" | "dead";
}

/** The pools of loaded plugins, by plugin id (for tests). */
const pools = new Map<string, WorkerPool>();

/**
 * Tests only: the worker pool of a loaded plugin.
 *
 * @param pluginId The plugin's `info.id`.
 * @returns its pool, if it has one and was not disposed of
 */
export function workerPoolOf(pluginId: string): WorkerPool | undefined {
  return pools.get(pluginId);
}

/** A plugin's workers: instances go to the least busy one. */
export class WorkerPool {
  #bytes: Uint8Array;
  readonly #name: string;
  readonly #id: string;
  readonly #compile: Record<string, unknown>;
  #workers: PoolWorker[] = [];
  #nextId = 1;
  #closed = false;

  private constructor(
    bytes: Uint8Array,
    plugin: { name: string; id: string },
    compile: Record<string, unknown>,
  ) {
    this.#bytes = bytes;
    this.#compile = compile;
    this.#name = plugin.name;
    this.#id = plugin.id;
  }

  /**
   * Starts `count` workers and waits until each has compiled the plugin.
   *
   * @param bytes The plugin's bytes (copied to each worker once).
   * @param count How many workers.
   * @param plugin The plugin's name (for the workers' names) and id.
   * @param options The plugin's options: those that choose how it compiles
   * (`engine`) apply in the workers too.
   * @returns the pool
   */
  static async start(
    bytes: Uint8Array,
    count: number,
    plugin: { name: string; id: string },
    options: object = {},
  ): Promise<WorkerPool> {
    const { engine } = options as { engine?: unknown };
    const pool = new WorkerPool(bytes, plugin, engine === undefined ? {} : { engine });
    for (let i = 0; i < count; i++) pool.#workers.push(pool.#startWorker());
    try {
      await Promise.all(pool.#workers.map((w) => w.ready));
    } catch (error) {
      pool.close();
      for (const w of pool.#workers) terminate(w.worker);
      throw error;
    }
    pools.set(plugin.id, pool);
    return pool;
  }

  /** The number of workers running (or starting). */
  get size(): number {
    return this.#workers.length;
  }

  /**
   * Starts an instance in the least busy worker.
   *
   * @param options As for `GuestModule.spawn`.
   * @returns the instance, with the surface of a `GuestProcess`
   */
  spawn(options: SpawnOptions = {}): GuestProcess {
    if (this.#closed) throw new TypeError("The module was disposed");
    checkLimits(options, SPAWN_LIMITS);
    const { signal, memoryBudget, ...spawn } = options;
    if (memoryBudget !== undefined) throw budgetError();
    const pw = this.#leastBusy();
    const id = this.#nextId++;
    // Tracked before it starts: its signal may stop it at once.
    const live: Live = {
      receive: (message) => remote.receive(message),
      die: (message) => remote.die(new EngineError(message)),
    };
    pw.live.set(id, live);
    const remote: RemoteProcess = new RemoteProcess(
      {
        post: (message, transfer) => pw.worker.postMessage(message, transfer ?? []),
        cancelled: () => this.#cancelled(pw, id, live),
      },
      id,
      signal === undefined ? spawn : { ...spawn, signal },
    );
    remote.finished.then(() => this.#forget(pw, id));
    return remote as unknown as GuestProcess;
  }

  /**
   * Runs a stateless call whole in the least busy worker: one message
   * there, one back, plus the plugin's host calls and log lines, which are
   * served here.
   *
   * @param method The method.
   * @param params Its params (any JSON value, or undefined for none).
   * @param setup The session setup the call would get on this thread.
   * @param startFailure Turns a failure to start into the caller's error.
   * @returns the method's result
   */
  call<R>(
    method: string,
    params: unknown,
    setup: SessionSetup,
    startFailure: (error: unknown) => Error,
  ): Promise<R> {
    if (this.#closed) throw startFailure(new TypeError("The module was disposed"));
    const codec = jsonCodec(setup.largeIntegers);
    let text: string | undefined;
    try {
      // Encoded here, as RpcPeer would: the same errors for params JSON
      // cannot hold, and the worker gets exactly what the guest will.
      text = params === undefined ? undefined : codec.stringify(params);
    } catch (error) {
      throw new TypeError(
        `The params of ${method} cannot be sent as JSON: ${(error as Error)?.message}`,
        { cause: error },
      );
    }
    const pw = this.#leastBusy();
    const id = this.#nextId++;
    const { signal, memoryBudget: _, ...spawn } = setup.spawn;
    const { info, host, logger } = setup;
    // The host methods' context, made at the first host call: a call that
    // makes none need not abort a signal no one can hold.
    let ending: AbortController | undefined;
    let context: HostContext | undefined;
    const hostContext = () => {
      ending ??= new AbortController();
      return context ??= { ...setup.context, plugin: info, signal: ending.signal };
    };
    return new Promise<R>((resolve, reject) => {
      // This thread owns the call's deadline and its abort: they settle the
      // call on time whatever the worker does; the worker is then told to
      // stop it, and has CANCEL_GRACE ms to do so.
      let settled = false;
      let tail = "";
      const { timeout } = spawn;
      const timer = timeout === undefined
        ? undefined
        : setTimeout(() => cancel(timeoutError(info, timeout, tail)), timeout);
      const onAbort = () => cancel(abortError(info, method, signal!.reason, tail));
      const end = () => {
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        ending?.abort(new RpcClosedError("The plugin instance ended"));
      };
      const cancel = (error: Error) => {
        if (settled) return;
        end();
        reject(error);
        pw.worker.postMessage({ t: "abort", id });
        this.#cancelled(pw, id, live);
      };
      const live: Live = {
        receive: (message) => {
          if (message.t === "log") {
            // Acknowledged once logged, so the worker sends the next batch
            // (an async logger holds the plugin's stderr, as on this thread,
            // where each line waits for the one before).
            (async () => {
              for (const line of message.lines) {
                tail = (tail + line + "\n").slice(-TAIL_CHARS);
                try {
                  const logged = logger(line, info);
                  if (logged instanceof Promise) await logged.catch(() => {});
                } catch {
                  // A failing logger must not fail the call (as on this thread).
                }
              }
            })().then(() => pw.state !== "dead" && pw.worker.postMessage({ t: "logAck", id }));
          } else if (message.t === "host") {
            if (!settled) this.#answerHost(pw, message, host, hostContext(), codec);
          } else if (message.t === "done") {
            this.#forget(pw, id);
            if (settled) return;
            end();
            settle(message.outcome, signal?.reason, info, startFailure, resolve, reject);
          }
        },
        die: (message) => {
          if (settled) return;
          end();
          reject(
            new PluginError("engine", `Plugin ${info.name} failed: ${message}`, {
              plugin: info,
              stderr: tail,
              cause: new EngineError(message),
            }),
          );
        },
      };
      pw.live.set(id, live);
      signal?.addEventListener("abort", onAbort, { once: true });
      pw.worker.postMessage({
        t: "call",
        id,
        call: {
          method,
          ...(text === undefined ? {} : { params: text }),
          spawn,
          info: { name: info.name, id: info.id },
          context: { call: setup.context.call! },
          maxLineLength: setup.maxLineLength,
          missingParams: setup.missingParams,
          largeIntegers: setup.largeIntegers,
        },
      });
      if (signal?.aborted) onAbort();
    });
  }

  /** Runs a host call of a stateless call here and sends the answer back. */
  #answerHost(
    pw: PoolWorker,
    message: Extract<FromWorker, { t: "host" }>,
    host: Router<HostContext>,
    context: HostContext,
    codec: JsonCodec,
  ): void {
    const { id, request, method, params } = message;
    const send = (answer: HostAnswer) =>
      pw.worker.postMessage({ t: "hostAnswer", id, request, answer });
    const rpcRequest: JsonRpcRequest = { jsonrpc: "2.0", id: request, method };
    if (params !== undefined) rpcRequest.params = params as JsonRpcRequest["params"];
    Promise.resolve().then(() => host.dispatch(rpcRequest, context)).then(
      (result) => {
        try {
          send({ result });
        } catch {
          // Structured clone cannot copy it (a function inside): send what
          // JSON makes of it, or the error the plugin would get on this thread.
          let json: string;
          try {
            json = codec.stringify(result);
          } catch (error) {
            const data = `The result cannot be sent as JSON: ${(error as Error).message}`;
            return send({
              error: { code: ErrorCode.InternalError, message: "Internal error", data },
            });
          }
          send({ json });
        }
      },
      (error) => send({ error: (error as JsonRpcError).toJSON() }),
    );
  }

  /**
   * No new instances; each worker is terminated once its instances have
   * settled on this thread (whatever state the worker is in).
   */
  close(): void {
    this.#closed = true;
    pools.delete(this.#id);
    this.#bytes = new Uint8Array(0); // no worker starts any more
    for (const w of [...this.#workers]) this.#endIfIdle(w);
  }

  /** Tests only: how many instances each worker runs. */
  busy(): number[] {
    return this.#workers.map((w) => w.live.size);
  }

  /** Tests only: crashes worker `index` (an uncaught error in it). */
  crashWorker(index: number): void {
    this.#workers[index]?.worker.postMessage({ t: "fault" });
  }

  /**
   * Tests only: blocks worker `index` in a synchronous wait, as a guest
   * stuck in a blocking instruction would; it never answers again.
   */
  blockWorker(index: number): void {
    this.#workers[index]?.worker.postMessage({ t: "block" });
  }

  #leastBusy(): PoolWorker {
    let chosen: PoolWorker | undefined;
    for (const w of this.#workers) {
      if (w.state !== "ready" && w.state !== "starting") continue;
      if (chosen === undefined || w.live.size < chosen.live.size) chosen = w;
    }
    if (chosen === undefined) throw new EngineError("No plugin worker is running");
    return chosen;
  }

  #startWorker(): PoolWorker {
    const worker = new Worker(new URL(import.meta.url), {
      type: "module",
      name: `${WORKER_NAME} ${this.#name}`,
    });
    let settle!: { resolve: () => void; reject: (error: Error) => void };
    const pw: PoolWorker = {
      worker,
      live: new Map(),
      ready: new Promise((resolve, reject) => settle = { resolve, reject }),
      state: "starting",
    };
    pw.ready.catch(() => {});
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      if (message.t === "ready") {
        if (pw.state === "starting") pw.state = "ready";
        settle.resolve();
      } else if (message.t === "failed") {
        settle.reject(new Error(`A plugin worker cannot compile the plugin: ${message.message}`));
        this.#lost(pw, `The plugin worker failed: ${message.message}`);
      } else {
        pw.live.get(message.id)?.receive(message);
      }
    };
    worker.onerror = (event: ErrorEvent) => {
      // Handled here: unhandled, a worker's error ends a Deno process.
      event.preventDefault();
      const reason = event.message || "the worker failed";
      settle.reject(new Error(`A plugin worker failed to start: ${reason}`));
      this.#lost(pw, `The plugin worker failed: ${reason}`);
    };
    worker.onmessageerror = () =>
      this.#lost(pw, "The plugin worker failed: a message could not be read");
    worker.postMessage({ t: "init", bytes: this.#bytes, options: this.#compile });
    return pw;
  }

  /**
   * Instance `id` settled on this thread, but runs on in the worker until
   * the worker ends it: if it has not within CANCEL_GRACE ms, the worker is
   * unresponsive, and is terminated and replaced.
   */
  #cancelled(pw: PoolWorker, id: number, live: Live): void {
    if (live.cancelled || pw.live.get(id) !== live) return;
    live.cancelled = true;
    // A worker still compiling the plugin reads its messages once it has:
    // its grace period starts then.
    pw.ready.then(() => {
      if (pw.live.get(id) !== live || pw.state === "dead") return;
      live.grace = setTimeout(() => {
        this.#lost(
          pw,
          `The plugin worker was unresponsive: it did not stop a cancelled run within ` +
            `${CANCEL_GRACE} ms, so it was terminated`,
        );
      }, CANCEL_GRACE);
    }, () => {});
    this.#endIfIdle(pw);
  }

  /** Instance `id` has ended in the worker. */
  #forget(pw: PoolWorker, id: number): void {
    clearTimeout(pw.live.get(id)?.grace);
    pw.live.delete(id);
    this.#endIfIdle(pw);
  }

  /** The worker died: its instances fail with kind `engine`; a fresh one replaces it. */
  #lost(pw: PoolWorker, message: string): void {
    if (pw.state === "dead") return;
    // A worker that never started is not replaced (the next would fail alike).
    const replace = pw.state === "ready";
    this.#end(pw);
    for (const live of [...pw.live.values()]) live.die(message);
    pw.live.clear();
    if (replace && !this.#closed) this.#workers.push(this.#startWorker());
  }

  /** Ends a closed pool's worker once none of its instances runs on this thread's terms. */
  #endIfIdle(pw: PoolWorker): void {
    if (pw.state === "dead" || !this.#closed) return;
    for (const live of pw.live.values()) if (!live.cancelled) return;
    this.#end(pw);
  }

  #end(pw: PoolWorker): void {
    pw.state = "dead";
    terminate(pw.worker);
    this.#workers = this.#workers.filter((w) => w !== pw);
    for (const live of pw.live.values()) clearTimeout(live.grace);
  }
}

/**
 * Terminates a worker, and lets the process exit whatever state the worker
 * is in. Deno (2.9) keeps its event loop alive until a terminated worker's
 * thread has ended, and `terminate` ends neither a thread blocked in a wait
 * (`Atomics.wait`, `memory.atomic.wait32`) nor one in an endless loop. Its
 * `Worker` has one method keyed by an unnamed symbol, which its
 * `node:worker_threads` uses for `unref()`: called with false after
 * `terminate`, it lets the process exit regardless.
 */
function terminate(worker: Worker): void {
  worker.terminate();
  if (!("Deno" in globalThis)) return;
  const unref = Object.getOwnPropertySymbols(Worker.prototype)
    .find((symbol) => symbol.description === undefined);
  const method = unref === undefined
    ? undefined
    : (worker as unknown as Record<symbol, unknown>)[unref];
  if (typeof method === "function") method.call(worker, false);
}

/** A stateless call's timeout, as it would fail on this thread. */
function timeoutError(plugin: PluginInfo, timeout: number, stderr: string): PluginError {
  const cause = new TimeoutError(timeout);
  return new PluginError("timeout", `Plugin ${plugin.name} failed: ${cause.message}`, {
    plugin,
    stderr,
    cause,
  });
}

/** A stateless call's abort, as it would fail on this thread. */
function abortError(
  plugin: PluginInfo,
  method: string,
  reason: unknown,
  stderr: string,
): PluginError {
  return new PluginError("aborted", `Call of ${plugin.name}.${method} was aborted`, {
    plugin,
    stderr,
    cause: reason,
  });
}

/** Settles a stateless call as it would have settled on this thread. */
function settle<R>(
  outcome: CallOutcome,
  abortReason: unknown,
  plugin: PluginInfo,
  startFailure: (error: unknown) => Error,
  resolve: (value: R) => void,
  reject: (error: unknown) => void,
): void {
  if ("result" in outcome) return resolve(outcome.result as R);
  if ("rpcError" in outcome) {
    const { code, message, data } = outcome.rpcError;
    return reject(new JsonRpcError(code, message, data));
  }
  if ("startError" in outcome) {
    return reject(startFailure(deserializeError(outcome.startError, abortReason)));
  }
  const { kind, message, stderr, exitCode, cause } = outcome.pluginError;
  const details: { plugin: PluginInfo; stderr: string; exitCode?: number; cause?: unknown } = {
    plugin,
    stderr,
  };
  if (exitCode !== undefined) details.exitCode = exitCode;
  if (cause !== undefined) {
    details.cause = cause === "abort" ? abortReason : rebuildCause(cause, abortReason);
  }
  reject(new PluginError(kind as PluginErrorKind, message, details));
}

function rebuildCause(cause: SerializedError, abortReason: unknown): Error {
  if (cause.type === "other" && cause.name === "RpcClosedError") {
    return new RpcClosedError(cause.message);
  }
  return deserializeError(cause, abortReason);
}

/** Whether this module was loaded as a plugin worker. */
function isPluginWorker(): boolean {
  const scope = globalThis as { name?: unknown; document?: unknown; postMessage?: unknown };
  return typeof scope.name === "string" && scope.name.startsWith(`${WORKER_NAME} `) &&
    scope.document === undefined && typeof scope.postMessage === "function";
}

if (isPluginWorker()) servePluginWorker();
