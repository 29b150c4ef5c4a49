/**
 * The messages between a plugin's worker pool (main thread) and its
 * workers, and how a run's failure crosses the boundary: guest errors are
 * rebuilt on the main thread as the same classes with the same messages.
 *
 * @module
 */

import type { ExitStatus } from "../executor/exit_status.ts";
import {
  AbortedError,
  EngineError,
  FuelExhaustedError,
  GuestError,
  type GuestErrorKind,
  MemoryLimitError,
  TimeoutError,
  TrapError,
} from "../executor/errors.ts";
import type { SpawnOptions } from "../executor/guest_process.ts";

/** The name every plugin worker gets; a module loaded under it serves as one. */
export const WORKER_NAME = "wasmi-plugins-worker";

/** Bytes of a stdio stream in flight across the boundary before the sender waits. */
export const STREAM_WINDOW = 64 * 1024;

/** Consumed bytes are acknowledged in batches of at least this many (a quarter window). */
export const ACK_BATCH = STREAM_WINDOW / 4;

/** The spawn options that cross the boundary (the signal stays on the main thread; a memory budget cannot cross). */
export type WorkerSpawnOptions = Omit<SpawnOptions, "signal" | "memoryBudget">;

/** An output stream of a guest: 1 stdout, 2 stderr. */
export type OutputFd = 1 | 2;

/** Main thread to worker. */
export type ToWorker =
  /** Compile the plugin (the first message, once per worker). */
  | { t: "init"; bytes: Uint8Array; options: Record<string, unknown> }
  /** Start instance `id`. */
  | { t: "spawn"; id: number; options: WorkerSpawnOptions }
  /** Bytes for the instance's stdin. */
  | { t: "in"; id: number; chunk: Uint8Array }
  /** End of the instance's stdin. */
  | { t: "inEnd"; id: number }
  /** The main thread consumed `bytes` of an output stream. */
  | { t: "ack"; id: number; fd: OutputFd; bytes: number }
  /** The main thread cancelled an output stream. */
  | { t: "cancel"; id: number; fd: OutputFd }
  /** Stop the instance (`AbortedError`; the reason stays on the main thread). */
  | { t: "kill"; id: number }
  /**
   * A stateless call, run whole in the worker: its instance, its RPC and
   * its end; only host calls and log lines come back before the outcome.
   */
  | { t: "call"; id: number; call: WorkerCall }
  /** The answer to a host call of stateless call `id`. */
  | { t: "hostAnswer"; id: number; request: number; answer: HostAnswer }
  /** Abort stateless call `id` (the reason stays on the main thread). */
  | { t: "abort"; id: number }
  /** The main thread has logged the last batch of call `id`'s stderr lines. */
  | { t: "logAck"; id: number }
  /** Tests only: an uncaught error in the worker, as a crash would be. */
  | { t: "fault" }
  /** Tests only: the worker blocks for good, as one stuck in a blocking instruction. */
  | { t: "block" };

/** Worker to main thread. */
export type FromWorker =
  /** The plugin compiled; instances can start. */
  | { t: "ready" }
  /** The plugin did not compile in the worker. */
  | { t: "failed"; message: string }
  /** Bytes the instance wrote to stdout or stderr, with its fuel so far. */
  | { t: "out"; id: number; fd: OutputFd; chunk: Uint8Array; fuel: number }
  /** An output stream ended. */
  | { t: "end"; id: number; fd: OutputFd }
  /** The instance's stdin took `bytes` (or refused them: `error`). */
  | { t: "inAck"; id: number; bytes: number; error?: string }
  /** The instance ended. */
  | { t: "exit"; id: number; status?: ExitStatus; error?: SerializedError; fuel: number }
  /** Stateless call `id` asks the host (`request` numbers its host calls). */
  | { t: "host"; id: number; request: number; method: string; params: unknown }
  /**
   * Stderr lines of stateless call `id`'s instance; the main thread answers
   * each batch with `logAck` (one batch is in flight at a time).
   */
  | { t: "log"; id: number; lines: string[] }
  /** Stateless call `id` ended (its instance has ended). */
  | { t: "done"; id: number; outcome: CallOutcome };

/** What a stateless call needs in the worker. */
export interface WorkerCall {
  method: string;
  /** The params as JSON text, encoded on the main thread; absent: none. */
  params?: string;
  spawn: WorkerSpawnOptions;
  info: { name: string; id: string };
  context: { call: { id: number; method: string } };
  maxLineLength: number;
  missingParams: "omit" | "null";
  largeIntegers: "number" | "bigint";
}

/** The main thread's answer to a host call. */
export type HostAnswer =
  | { result: unknown }
  /** A result structured clone cannot copy (a function inside), as JSON text. */
  | { json: string }
  | { error: { code: number; message: string; data?: unknown } };

/** How a stateless call ended. */
export type CallOutcome =
  | { result: unknown }
  | { rpcError: { code: number; message: string; data?: unknown } }
  | {
    pluginError: {
      kind: string;
      message: string;
      stderr: string;
      exitCode?: number;
      /** The cause; `"abort"`: the call's abort reason. */
      cause?: SerializedError | "abort";
    };
  }
  /** The instance did not start. */
  | { startError: SerializedError };

/** A run's failure as plain data. */
export interface SerializedError {
  /** Which class to rebuild (tags, not class names: a bundler may rename classes). */
  type: "trap" | "fuel" | "timeout" | "aborted" | "memory" | "engine" | "guest" | "link" | "other";
  name: string;
  message: string;
  kind?: string;
  fuelConsumed?: number;
  trap?: string;
  budget?: number;
  timeout?: number;
  limit?: number;
  cause?: string;
}

/** Turns a run's failure into data that crosses the boundary. */
export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { type: "other", name: "Error", message: String(error) };
  const data: SerializedError = { type: "other", name: error.name, message: error.message };
  if (error instanceof GuestError) {
    data.type = "guest";
    data.kind = error.kind;
    data.fuelConsumed = error.fuelConsumed;
  }
  if (error instanceof TrapError) {
    data.type = "trap";
    data.trap = error.trap;
  } else if (error instanceof FuelExhaustedError) {
    data.type = "fuel";
    data.budget = error.budget;
  } else if (error instanceof TimeoutError) {
    data.type = "timeout";
    data.timeout = error.timeout;
  } else if (error instanceof MemoryLimitError) {
    data.type = "memory";
    data.limit = error.limit;
  } else if (error instanceof AbortedError) {
    data.type = "aborted";
  } else if (error instanceof EngineError) {
    data.type = "engine";
  } else if (error instanceof WebAssembly.LinkError) {
    data.type = "link";
  }
  if (data.type === "engine" && error.cause !== undefined) {
    data.cause = (error.cause as Error)?.message ?? String(error.cause);
  }
  return data;
}

/**
 * Rebuilds a run's failure on the main thread: the same class and message.
 *
 * @param data The serialized failure.
 * @param abortReason The reason of the main thread's kill, the cause of an
 * `AbortedError`.
 */
export function deserializeError(data: SerializedError, abortReason: unknown): Error {
  let error: Error;
  switch (data.type) {
    case "trap":
      error = new TrapError(data.trap ?? "");
      break;
    case "fuel":
      error = new FuelExhaustedError(data.budget ?? 0);
      break;
    case "timeout":
      error = new TimeoutError(data.timeout ?? 0);
      break;
    case "aborted":
      error = new AbortedError(abortReason);
      break;
    case "memory":
      error = new MemoryLimitError(data.limit ?? 0, "");
      break;
    case "guest":
      error = new GuestError((data.kind ?? "engine") as GuestErrorKind, data.message);
      error.name = data.name;
      break;
    case "link":
      return new WebAssembly.LinkError(data.message);
    default:
      error = new EngineError(
        data.message,
        data.cause === undefined ? undefined : { cause: new Error(data.cause) },
      );
  }
  error.message = data.message;
  if (error instanceof GuestError) error.fuelConsumed = data.fuelConsumed ?? 0;
  return error;
}
