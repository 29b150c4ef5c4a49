/**
 * The worker side of a plugin's worker pool: compiles the plugin once, runs
 * the instances the main thread starts, and streams their stdio across with
 * a bounded window each way (see `_worker_messages.ts`).
 *
 * @module
 */

import { GuestModule } from "../executor/guest_module.ts";
import type { GuestProcess, RunLimits } from "../executor/guest_process.ts";
import { TimeoutError } from "../executor/errors.ts";
import { ErrorCode, JsonRpcError } from "../rpc/json_rpc_error.ts";
import type { JsonRpcRequest } from "../rpc/messages.ts";
import { Router } from "../rpc/router.ts";
import { jsonCodec } from "../rpc/_json_codec.ts";
import { PluginError } from "./plugin_error.ts";
import { type HostContext, PluginSession } from "./plugin_session.ts";
import {
  ACK_BATCH,
  type CallOutcome,
  type FromWorker,
  type HostAnswer,
  type OutputFd,
  serializeError,
  STREAM_WINDOW,
  type ToWorker,
  type WorkerCall,
  type WorkerSpawnOptions,
} from "./_worker_messages.ts";

/** The abort reason of a stateless call here; the main thread has the real one. */
const ABORTED = new DOMException("The call was aborted", "AbortError");

/** A host that asks the main thread: the plugin's host calls of a stateless call. */
class ForwardingRouter extends Router<HostContext> {
  readonly #forward: (request: JsonRpcRequest) => Promise<unknown>;

  constructor(forward: (request: JsonRpcRequest) => Promise<unknown>) {
    super();
    this.#forward = forward;
  }

  override dispatch(request: JsonRpcRequest): Promise<unknown> {
    return this.#forward(request);
  }
}

/** A stateless call running here. */
interface Call {
  controller: AbortController;
  /** Host calls waiting for the main thread, by number. */
  host: Map<number, (answer: HostAnswer) => void>;
  next: number;
  /** Stderr lines for the main thread, not sent yet. */
  log: StderrBatch;
}

/** Characters of stderr lines a call gathers before its logging waits. */
const LOG_BUFFER = 1 << 20;

/**
 * A call's stderr lines on their way to the main thread: one batch in
 * flight at a time, the next gathered meanwhile. Once LOG_BUFFER characters
 * are gathered, logging waits for the main thread's acknowledgement, and so
 * the guest waits on its full stderr pipe: a guest that floods stderr can
 * flood neither the main thread nor this worker's memory, and no line is
 * dropped.
 */
class StderrBatch {
  #lines: string[] = [];
  #chars = 0;
  #inFlight = false;
  #waiting: (() => void)[] = [];
  readonly #send: (lines: string[]) => void;

  constructor(send: (lines: string[]) => void) {
    this.#send = send;
  }

  /** Gathers a line; a promise if the buffer is full (it settles on the next acknowledgement). */
  add(line: string): Promise<void> | undefined {
    this.#lines.push(line);
    this.#chars += line.length;
    if (!this.#inFlight) this.flush();
    if (this.#chars < LOG_BUFFER) return undefined;
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** The main thread logged the batch in flight. */
  acknowledged(): void {
    this.#inFlight = false;
    this.flush();
    for (const resolve of this.#waiting.splice(0)) resolve();
  }

  /** Sends what is gathered (also at the call's end, whatever is in flight). */
  flush(): void {
    if (this.#lines.length === 0) return;
    this.#send(this.#lines);
    this.#inFlight = true;
    this.#lines = [];
    this.#chars = 0;
  }
}

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
}

/** One running instance and the state of its streams. */
interface Instance {
  process: GuestProcess;
  writer: WritableStreamDefaultWriter<Uint8Array>;
  readers: Record<OutputFd, ReadableStreamDefaultReader<Uint8Array>>;
  /** Bytes each output stream may still send before the main thread acknowledges. */
  credit: Record<OutputFd, number>;
  /** A pump waiting for credit. */
  waiting: Partial<Record<OutputFd, () => void>>;
  /** Stdin bytes the guest's pipe took that the main thread was not told of. */
  taken: number;
  /** Streams and status still open; the instance is forgotten at 0. */
  open: number;
}

/** Serves as a plugin worker in the current worker scope. */
export function servePluginWorker(scope: WorkerScope = globalThis as unknown as WorkerScope): void {
  const instances = new Map<number, Instance>();
  const calls = new Map<number, Call>();
  let module: GuestModule | undefined;
  /**
   * A fresh instance started ahead of the next stateless call, so that its
   * start-up (instantiation and the guest's code up to its first read)
   * runs while the worker would wait for that call. It gets the call's
   * limits when the call takes it (`GuestProcess.relimit`); its output
   * waits in its pipes until then. Made after each stateless call with
   * that call's options but no fuel limit (its timeout still bounds it);
   * none any more once one ended unused other than by its timeout (a
   * plugin that exits or traps on start-up).
   */
  let spare: GuestProcess | undefined;
  let spares = true;

  const startSpare = (options: WorkerSpawnOptions) => {
    if (!spares || spare !== undefined) return;
    let started: GuestProcess;
    try {
      started = module!.spawn(options);
    } catch {
      spares = false;
      return;
    }
    spare = started;
    const unused = (error?: unknown) => {
      if (spare !== started) return;
      spare = undefined;
      if (!(error instanceof TimeoutError)) spares = false;
    };
    started.status.then(() => unused(), unused);
  };

  /** The spare, with the call's limits, if it still runs. */
  const takeSpare = (limits: RunLimits) => {
    const taken = spare;
    spare = undefined;
    return taken?.relimit(limits) ? taken : undefined;
  };
  /** Messages that arrived before the plugin compiled. */
  let queued: ToWorker[] | undefined = [];

  /**
   * Posts a message to the main thread; one structured clone cannot copy
   * (a value nested too deeply, ...) is not sent, and the error says why:
   * each caller sends what replaces it, so the worker and its other
   * instances live on.
   */
  const post = (message: FromWorker, transfer: Transferable[] = []): Error | undefined => {
    try {
      scope.postMessage(message, transfer);
      return undefined;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  };

  const finish = (id: number, instance: Instance) => {
    if (--instance.open === 0) instances.delete(id);
  };

  const pump = async (id: number, instance: Instance, fd: OutputFd) => {
    const reader = instance.readers[fd];
    try {
      for (;;) {
        while (instance.credit[fd] <= 0) {
          await new Promise<void>((resolve) => instance.waiting[fd] = resolve);
        }
        const { done, value } = await reader.read();
        if (done) break;
        instance.credit[fd] -= value.length;
        // Output chunks are fresh copies out of the guest's memory: hand
        // the buffer over rather than copy it again.
        const whole = value.byteOffset === 0 && value.byteLength === value.buffer.byteLength &&
          value.buffer instanceof ArrayBuffer;
        post(
          { t: "out", id, fd, chunk: value, fuel: instance.process.fuelConsumed },
          whole ? [value.buffer] : [],
        );
      }
    } catch {
      // Cancelled; the stream is over either way.
    }
    post({ t: "end", id, fd });
    finish(id, instance);
  };

  const spawn = (id: number, options: Extract<ToWorker, { t: "spawn" }>["options"]) => {
    let process: GuestProcess;
    try {
      process = module!.spawn(options);
    } catch (error) {
      post({ t: "end", id, fd: 1 });
      post({ t: "end", id, fd: 2 });
      post({ t: "exit", id, error: serializeError(error), fuel: 0 });
      return;
    }
    const instance: Instance = {
      process,
      writer: process.stdin.getWriter(),
      readers: { 1: process.stdout.getReader(), 2: process.stderr.getReader() },
      credit: { 1: STREAM_WINDOW, 2: STREAM_WINDOW },
      waiting: {},
      taken: 0,
      open: 3,
    };
    instance.writer.closed.catch(() => {});
    instances.set(id, instance);
    pump(id, instance, 1);
    pump(id, instance, 2);
    process.status.then(
      (status) => post({ t: "exit", id, status, fuel: process.fuelConsumed }),
      (error) => post({ t: "exit", id, error: serializeError(error), fuel: process.fuelConsumed }),
    ).finally(() => finish(id, instance));
  };

  const call = async (id: number, setup: WorkerCall) => {
    const state: Call = {
      controller: new AbortController(),
      host: new Map(),
      next: 1,
      log: new StderrBatch((lines) => {
        const failed = post({ t: "log", id, lines });
        if (failed === undefined) return;
        const what = lines.length === 1 ? "a stderr line" : `${lines.length} stderr lines`;
        const line = `protocol error: ${what} cannot be passed on from the plugin worker: ` +
          failed.message;
        post({ t: "log", id, lines: [line] });
      }),
    };
    calls.set(id, state);
    const { signal } = state.controller;
    const codec = jsonCodec(setup.largeIntegers);
    const host = new ForwardingRouter((request) =>
      new Promise((resolve, reject) => {
        const number = state.next++;
        state.host.set(number, (answer) => {
          if ("result" in answer) resolve(answer.result);
          else if ("json" in answer) resolve(codec.parse(answer.json));
          else reject(new JsonRpcError(answer.error.code, answer.error.message, answer.error.data));
        });
        const { method, params } = request;
        const failed = post({ t: "host", id, request: number, method, params });
        if (failed === undefined) return;
        state.host.delete(number);
        const what = request.id === undefined ? "notification" : "call";
        const data = `The params of host ${what} ${method} cannot be passed on from the plugin ` +
          `worker: ${failed.message}`;
        state.log.add(`protocol error: ${data}`);
        reject(new JsonRpcError(ErrorCode.InternalError, "Internal error", data));
      })
    );
    let outcome: CallOutcome;
    const { fuel, timeout } = setup.spawn;
    const started = takeSpare({ fuel, timeout, signal });
    try {
      const session = new PluginSession({
        module: started === undefined ? module! : { spawn: () => started },
        info: setup.info,
        spawn: { ...setup.spawn, signal },
        host,
        logger: (line) => state.log.add(line),
        maxLineLength: setup.maxLineLength,
        missingParams: setup.missingParams,
        largeIntegers: setup.largeIntegers,
        context: setup.context,
      });
      try {
        const params = setup.params === undefined ? undefined : codec.parse(setup.params);
        outcome = { result: await session.call(setup.method, params, { signal }) };
      } catch (error) {
        outcome = callFailure(error);
      } finally {
        await session.close().catch(() => {});
      }
    } catch (error) {
      outcome = { startError: serializeError(error) };
    }
    calls.delete(id);
    state.log.flush();
    const failed = post({ t: "done", id, outcome });
    if (failed !== undefined) {
      const what = "result" in outcome ? "result" : "error";
      post({
        t: "done",
        id,
        outcome: {
          pluginError: {
            kind: "protocol",
            message: `Plugin ${setup.info.name} broke the protocol: its ${what} for ` +
              `${setup.method} cannot be passed on from the plugin worker: ${failed.message}`,
            stderr: "",
          },
        },
      });
    }
    // Not bound by this call's fuel: the next call brings its own.
    const { fuel: _, ...spareOptions } = setup.spawn;
    startSpare(spareOptions);
  };

  const handle = (message: ToWorker) => {
    if (message.t === "spawn") return spawn(message.id, message.options);
    if (message.t === "call") {
      return void call(message.id, message.call).catch((error) => {
        calls.delete(message.id);
        post({ t: "done", id: message.id, outcome: { startError: serializeError(error) } });
      });
    }
    if (message.t === "hostAnswer") {
      const waiting = calls.get(message.id)?.host;
      waiting?.get(message.request)?.(message.answer);
      waiting?.delete(message.request);
      return;
    }
    if (message.t === "abort") return calls.get(message.id)?.controller.abort(ABORTED);
    if (message.t === "logAck") return calls.get(message.id)?.log.acknowledged();
    if (message.t === "fault") return crash();
    if (message.t === "block") return block();
    if (message.t === "init") return;
    const instance = instances.get(message.id);
    if (instance === undefined) return;
    switch (message.t) {
      case "in": {
        const bytes = message.chunk.length;
        instance.writer.write(message.chunk).then(
          () => {
            // Acknowledged in batches: the main thread waits only once a
            // whole window is in flight.
            instance.taken += bytes;
            if (instance.taken < ACK_BATCH) return;
            post({ t: "inAck", id: message.id, bytes: instance.taken });
            instance.taken = 0;
          },
          (error) => post({ t: "inAck", id: message.id, bytes, error: String(error?.message) }),
        );
        break;
      }
      case "inEnd":
        instance.writer.close().catch(() => {});
        break;
      case "ack":
        instance.credit[message.fd] += message.bytes;
        instance.waiting[message.fd]?.();
        delete instance.waiting[message.fd];
        break;
      case "cancel":
        instance.readers[message.fd].cancel().catch(() => {});
        instance.credit[message.fd] = Infinity;
        instance.waiting[message.fd]?.();
        break;
      case "kill":
        instance.process.kill(new DOMException("Killed by the main thread", "AbortError"));
        break;
    }
  };

  scope.onmessage = (event) => {
    const message = event.data;
    if (queued !== undefined) {
      if (message.t !== "init") return void queued.push(message);
      // The compile options (the engine choice) as the main thread got them.
      const compile = GuestModule.compile as (
        bytes: Uint8Array,
        options: Record<string, unknown>,
      ) => Promise<GuestModule>;
      compile(message.bytes, message.options).then(
        (compiled) => {
          module = compiled;
          for (const early of queued!) handle(early);
          queued = undefined;
          post({ t: "ready" });
        },
        (error) => post({ t: "failed", message: String((error as Error)?.message ?? error) }),
      );
      return;
    }
    handle(message);
  };
}

/** How a stateless call failed, as data. */
function callFailure(error: unknown): CallOutcome {
  if (error instanceof JsonRpcError) return { rpcError: error.toJSON() };
  if (error instanceof PluginError) {
    const { cause } = error;
    return {
      pluginError: {
        kind: error.kind,
        message: error.message,
        stderr: error.stderr,
        ...(error.exitCode === undefined ? {} : { exitCode: error.exitCode }),
        ...(cause === undefined
          ? {}
          : { cause: cause === ABORTED ? "abort" : serializeError(cause) }),
      },
    };
  }
  return { startError: serializeError(error) };
}

/** Tests only: the worker waits for good, as one stuck in a blocking instruction would. */
function block(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

/** Tests only: an uncaught error ends the worker, as a crash would. */
function crash(): void {
  setTimeout(() => {
    throw new Error("Injected worker crash");
  });
}
