/**
 * One end of a bidirectional JSON-RPC 2.0 connection over two byte streams.
 *
 * @module
 */

import { checkLimits } from "../_limit_ranges.ts";
import { yieldToEventLoop } from "../executor/_yield.ts";
import { decodeJsonLine, encodeJsonLine, InvalidJsonLine } from "./json_line_streams.ts";
import { ErrorCode, JsonRpcError } from "./json_rpc_error.ts";
import { LineSplitter } from "./_line_splitter.ts";
import {
  idOf,
  isRequest,
  isResponse,
  type JsonRpcId,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from "./messages.ts";
import { RpcClosedError } from "./rpc_closed_error.ts";
import { Router } from "./router.ts";
import { type JsonCodec, jsonCodec, type LargeIntegers } from "./_json_codec.ts";
import { type JsonShape, jsonShape } from "./_json_shape.ts";

export type { LargeIntegers } from "./_json_codec.ts";

/**
 * What {@linkcode RpcPeer.call} and {@linkcode RpcPeer.notify} send when
 * given no params: `"omit"` leaves the `params` member out (as JSON-RPC 2.0
 * suggests); `"null"` sends `"params":null`, for peers that require the
 * member (such as guests built with the original Rust framework's kit).
 */
export type MissingParams = "omit" | "null";

/** Options for {@linkcode RpcPeer}. */
export interface RpcPeerOptions<C> {
  /** Methods the other side may call (default none). */
  router?: Router<C>;
  /** Passed to every handler. */
  context?: C;
  /** Longest incoming line in bytes (default 16 MiB). */
  maxLineLength?: number;
  /**
   * Most messages an incoming batch may hold (default 10,000). A longer
   * batch is not parsed: it gets one answer, error -32600 "Invalid
   * Request" (id null) whose `data` names the limit, and none of its
   * messages is handled. Batches are handled (and their answers written)
   * 64 messages per macrotask, so a long one does not hold the event loop.
   */
  maxBatchSize?: number;
  /**
   * Deepest nesting of arrays and objects an incoming line may have
   * (default 1,000 levels; a batch counts as one). A deeper line is not
   * parsed; what it does, `tooDeep` says.
   */
  maxDepth?: number;
  /**
   * What a line nested deeper than `maxDepth` does: `"fail"` (default)
   * breaks the connection, as a line over `maxLineLength` does (the calls
   * waiting for an answer fail: the line may have been one); `"answer"`
   * skips it, tells `onProtocolError` and answers error -32600 "Invalid
   * Request" (id null) whose `data` names the limit, as a server answers a
   * request it cannot read.
   */
  tooDeep?: "fail" | "answer";
  /**
   * Bytes of the other side's requests being handled plus answers not yet
   * accepted by `output`, above which the peer stops reading `input` until
   * they drain (default 1 MiB). This bounds what a peer that sends requests
   * without reading its answers can make us buffer; like a pipe, such a
   * peer then waits.
   */
  highWaterMark?: number;
  /**
   * Told about protocol problems: lines that are not JSON (also answered
   * with a parse error) and responses with unknown ids (default: ignored).
   * What it throws is ignored.
   */
  onProtocolError?: (error: Error) => void;
  /**
   * What a call or notification without params sends: `"omit"` (default)
   * leaves the `params` member out, `"null"` sends `"params":null`.
   */
  missingParams?: MissingParams;
  /**
   * `"number"` (default): every JSON number arrives as a `number`, so
   * integers beyond 2^53 lose digits, and a `bigint` cannot be sent.
   * `"bigint"`: integers outside the safe range arrive as `bigint` (in
   * params, results and errors), and every `bigint` is sent as its exact
   * digits. Needs `JSON.rawJSON` and `JSON.parse` source text access; the
   * constructor throws a `TypeError` where the runtime lacks them.
   */
  largeIntegers?: LargeIntegers;
}

/** Options for {@linkcode RpcPeer.call}. */
export interface CallOptions {
  /** Abandons the call: it rejects with the signal's reason. */
  signal?: AbortSignal;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Calls the other side and answers its calls, at the same time: many calls
 * in flight in each direction, responses matched by id in any order,
 * batches, and the JSON-RPC 2.0 answers to invalid JSON, invalid requests,
 * unknown methods and invalid params. Params may be any JSON value, in
 * both directions (JSON-RPC 2.0 wants an array or an object; scalars and
 * `null` are accepted too).
 *
 * @typeParam C The context handlers receive.
 *
 * @example Two peers over a pair of streams
 * ```ts
 * import { Router, RpcPeer } from "@wasmi-plugins/host/rpc";
 * const aToB = new TransformStream<Uint8Array, Uint8Array>();
 * const bToA = new TransformStream<Uint8Array, Uint8Array>();
 * const router = new Router().method("hello", (name: string) => `hello ${name}`);
 * await using a = new RpcPeer(bToA.readable, aToB.writable);
 * await using _b = new RpcPeer(aToB.readable, bToA.writable, { router });
 * if (await a.call("hello", ["you"]) !== "hello you") throw new Error("unexpected");
 * ```
 */
export class RpcPeer<C = Record<string, never>> implements AsyncDisposable {
  /** Settles when the input ends (resolves) or fails (rejects). */
  readonly done: Promise<void>;
  readonly #router: Router<C>;
  readonly #context: C;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #pending = new Map<JsonRpcId, Pending>();
  readonly #abandoned = new Set<JsonRpcId>();
  readonly #onProtocolError: (error: Error) => void;
  readonly #highWaterMark: number;
  readonly #missingParams: MissingParams;
  readonly #codec: JsonCodec;
  readonly #maxBatchSize: number;
  readonly #maxDepth: number;
  readonly #tooDeep: "fail" | "answer";
  #nextId = 1;
  /** Why the connection closed, once it has; the error is made when needed. */
  #closed: { reason: string; cause: unknown } | undefined;
  #closedError: RpcClosedError | undefined;
  /** Bytes of requests in progress and answers not yet written. */
  #owed = 0;
  #drained: (() => void) | undefined;

  /**
   * Starts reading `input` and writing to `output`.
   *
   * @param input Bytes from the other side.
   * @param output Bytes to the other side.
   * @param options Methods, context, limits and JSON settings.
   * @throws {TypeError} if `options.largeIntegers` is `"bigint"` and the
   * runtime cannot parse and write JSON integers exactly, or a setting is
   * unknown.
   * @throws {RangeError} if `maxBatchSize` or `maxDepth` is not a positive
   * integer, naming the option.
   */
  constructor(
    input: ReadableStream<Uint8Array>,
    output: WritableStream<Uint8Array>,
    options: RpcPeerOptions<C> = {},
  ) {
    this.#router = options.router ?? new Router<C>();
    this.#context = options.context ?? ({} as C);
    const report = options.onProtocolError;
    // A throwing reporter must not stop the answer to the message, nor
    // become an unhandled rejection (which ends a Deno process).
    this.#onProtocolError = report === undefined ? () => {} : (error) => {
      try {
        report(error);
      } catch {
        // ignored
      }
    };
    this.#highWaterMark = options.highWaterMark ?? 1024 * 1024;
    this.#missingParams = options.missingParams ?? "omit";
    if (this.#missingParams !== "omit" && this.#missingParams !== "null") {
      throw new TypeError(
        `missingParams must be "omit" or "null", got ${JSON.stringify(this.#missingParams)}`,
      );
    }
    this.#codec = jsonCodec(options.largeIntegers);
    checkLimits(options, ["maxBatchSize", "maxDepth"]);
    this.#maxBatchSize = options.maxBatchSize ?? 10_000;
    this.#maxDepth = options.maxDepth ?? 1_000;
    this.#tooDeep = options.tooDeep ?? "fail";
    if (this.#tooDeep !== "fail" && this.#tooDeep !== "answer") {
      throw new TypeError(
        `tooDeep must be "fail" or "answer", got ${JSON.stringify(this.#tooDeep)}`,
      );
    }
    // The peer reads and writes its streams directly rather than through
    // the framing stages: per connection that saves three streams and their
    // pipes (BENCHMARKS.md, "Before and after the fixes").
    this.#writer = output.getWriter();
    this.#writer.closed.catch(() => {});
    this.done = this.#read(input, options.maxLineLength ?? 16 * 1024 * 1024);
    this.done.catch(() => {});
  }

  /** The number of our calls still waiting for an answer. */
  get pendingCalls(): number {
    return this.#pending.size;
  }

  /**
   * Calls a method of the other side.
   *
   * @param method The method name.
   * @param params Any JSON value, sent as given: positional (array) or
   * named (object) parameters, or a scalar or `null`. Without it (or
   * `undefined`), what `missingParams` says is sent.
   * @param options Cancellation.
   * @returns the result
   * @throws {JsonRpcError} if the other side answers with an error.
   * @throws {RpcClosedError} if the connection closes first.
   * @throws {TypeError} if `params` cannot be sent as JSON (a `bigint`
   * without `largeIntegers: "bigint"`, a cycle, ...).
   */
  call<R = unknown>(
    method: string,
    params?: unknown,
    options: CallOptions = {},
  ): Promise<R> {
    if (this.#closed !== undefined) return Promise.reject(this.#closedErr());
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = this.#nextId++;
    let line: Uint8Array;
    try {
      line = this.#encodeRequest(method, params, id);
    } catch (error) {
      return Promise.reject(error);
    }
    let resolve!: (value: R) => void, reject!: (error: unknown) => void;
    const promise = new Promise<R>((res, rej) => [resolve, reject] = [res, rej]);
    const onAbort = () => {
      this.#pending.delete(id);
      this.#abandoned.add(id);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    this.#pending.set(id, {
      resolve: (value) => {
        signal?.removeEventListener("abort", onAbort);
        resolve(value as R);
      },
      reject: (error) => {
        signal?.removeEventListener("abort", onAbort);
        reject(error);
      },
    });
    this.#write(line).catch(() => {});
    return promise;
  }

  /**
   * Sends a notification (a call without an answer).
   *
   * @param method The method name.
   * @param params Any JSON value, sent as given (see {@linkcode RpcPeer.call}).
   * @returns a promise that resolves once the notification is written
   * @throws {TypeError} if `params` cannot be sent as JSON.
   */
  notify(method: string, params?: unknown): Promise<void> {
    if (this.#closed !== undefined) return Promise.reject(this.#closedErr());
    try {
      return this.#write(this.#encodeRequest(method, params));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Closes our output and fails every pending call with
   * {@linkcode RpcClosedError}. Waits until the output is flushed.
   *
   * @param reason Why, for the pending calls' error message.
   */
  async close(reason = "The connection was closed"): Promise<void> {
    this.#fail(reason);
    await this.#writer.close().catch(() => {});
  }

  /** Closes the peer (see {@linkcode RpcPeer.close}). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** A request (with `id`) or notification as a line; throws if params are not JSON. */
  #encodeRequest(method: string, params: unknown, id?: JsonRpcId): Uint8Array {
    const request: JsonRpcRequest = id === undefined
      ? { jsonrpc: "2.0", method }
      : { jsonrpc: "2.0", id, method };
    if (params !== undefined) request.params = params;
    else if (this.#missingParams === "null") request.params = null;
    try {
      return encodeJsonLine(request, this.#codec.stringify);
    } catch (error) {
      throw new TypeError(
        `The params of ${method} cannot be sent as JSON: ${(error as Error)?.message}`,
        { cause: error },
      );
    }
  }

  #write(line: Uint8Array): Promise<void> {
    const written = this.#writer.write(line);
    written.catch((error) => this.#fail("Cannot write to the other side", error));
    return written;
  }

  async #read(input: ReadableStream<Uint8Array>, maxLineLength: number): Promise<void> {
    const reader = input.getReader();
    const splitter = new LineSplitter(maxLineLength);
    const lines: Uint8Array[] = [];
    const collect = (line: Uint8Array) => void lines.push(line);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        let broken: unknown;
        try {
          if (done) splitter.end(collect);
          else splitter.push(value, collect);
        } catch (error) {
          broken = error; // after the lines before it
        }
        for (const line of lines.splice(0)) {
          const scanning = this.#take(line);
          if (scanning !== undefined) await scanning;
        }
        if (broken !== undefined) throw broken;
        if (done) break;
        if (this.#owed > this.#highWaterMark) {
          await new Promise<void>((resolve) => this.#drained = resolve);
        }
      }
      this.#fail("The other side closed the connection");
    } catch (error) {
      reader.cancel(error).catch(() => {});
      this.#fail(`The connection failed: ${(error as Error)?.message}`, error);
      throw this.#closedErr();
    } finally {
      reader.releaseLock();
    }
  }

  /**
   * Starts handling one line. A line long enough to break `maxDepth` or
   * `maxBatchSize` is scanned first; one longer than a scan step is
   * scanned over several macrotasks (the promise), and the next lines wait
   * for it. A line nested too deep breaks the connection (the promise
   * rejects, or this throws) or is answered, as `tooDeep` says.
   */
  #take(line: Uint8Array): Promise<void> | undefined {
    if (line.length <= Math.min(this.#maxDepth, this.#maxBatchSize)) {
      this.#takeMessage(line);
      return undefined;
    }
    const shape = jsonShape(line, this.#maxDepth);
    if (!(shape instanceof Promise)) return this.#takeScanned(line, shape);
    return shape.then((shape) => this.#takeScanned(line, shape));
  }

  #takeScanned(line: Uint8Array, { depth, elements }: JsonShape): undefined {
    if (depth > this.#maxDepth) {
      const tooDeep = `Line nests deeper than the limit of ${this.#maxDepth} levels`;
      if (this.#tooDeep === "fail") throw new RangeError(tooDeep);
      const skipped = `${tooDeep}; it was skipped`;
      this.#onProtocolError(new Error(skipped));
      const answer = errorResponse(null, ErrorCode.InvalidRequest, "Invalid Request", skipped);
      this.#track(line, this.#answer(answer));
    } else if (elements > this.#maxBatchSize) {
      this.#track(line, this.#refuseBatch(elements));
    } else {
      this.#takeMessage(line);
    }
    return undefined;
  }

  #takeMessage(line: Uint8Array): void {
    const message = decodeJsonLine(line, this.#codec.parse);
    if (message !== undefined) this.#track(line, this.#receive(message));
  }

  /** Counts a line's bytes as owed until its handling settles. */
  #track(line: Uint8Array, handling: Promise<void>): void {
    this.#owed += line.length;
    handling.finally(() => this.#repay(line.length));
  }

  /** Closes the connection (once) and fails the pending calls. */
  #fail(reason: string, cause?: unknown): void {
    this.#closed ??= { reason, cause };
    if (this.#pending.size === 0) return;
    const error = this.#closedErr();
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const call of pending) call.reject(error);
  }

  /** The error of a closed connection (made once: most closes never need it). */
  #closedErr(): RpcClosedError {
    const { reason, cause } = this.#closed!;
    this.#closedError ??= new RpcClosedError(reason, cause === undefined ? undefined : { cause });
    return this.#closedError;
  }

  /** Handles one message; settles once its answer, if any, is written. */
  async #receive(message: unknown): Promise<void> {
    if (message instanceof InvalidJsonLine) {
      this.#onProtocolError(
        new Error(`Received invalid JSON (${message.reason}): ${message.line.slice(0, 200)}`),
      );
      await this.#answer(errorResponse(null, ErrorCode.ParseError, "Parse error"));
    } else if (Array.isArray(message)) {
      await this.#batch(message);
    } else if (isResponse(message)) {
      this.#settle(message);
    } else if (isRequest(message)) {
      const response = await this.#handle(message);
      if (response !== undefined) await this.#answer(response);
    } else {
      await this.#answer(errorResponse(idOf(message), ErrorCode.InvalidRequest, "Invalid Request"));
    }
  }

  #repay(bytes: number): void {
    this.#owed -= bytes;
    if (this.#owed <= this.#highWaterMark && this.#drained !== undefined) {
      const drained = this.#drained;
      this.#drained = undefined;
      drained();
    }
  }

  /** Answers a batch over `maxBatchSize`, unparsed, with one error. */
  async #refuseBatch(elements: number): Promise<void> {
    const limit = `more than the limit of ${this.#maxBatchSize}`;
    this.#onProtocolError(new Error(`Received a batch of ${elements} messages, ${limit}`));
    await this.#answer(errorResponse(
      null,
      ErrorCode.InvalidRequest,
      "Invalid Request",
      `The batch holds ${elements} messages, ${limit}; none was handled`,
    ));
  }

  /** Handles a batch, {@linkcode BATCH_STEP} messages per macrotask. */
  async #batch(messages: unknown[]): Promise<void> {
    if (messages.length === 0) {
      await this.#answer(errorResponse(null, ErrorCode.InvalidRequest, "Invalid Request"));
      return;
    }
    const answers: (JsonRpcResponse | Promise<JsonRpcResponse | undefined> | undefined)[] = [];
    for (const [index, message] of messages.entries()) {
      if (index > 0 && index % BATCH_STEP === 0) await yieldToEventLoop();
      if (isResponse(message)) this.#settle(message);
      else if (isRequest(message)) answers.push(this.#handle(message));
      else answers.push(errorResponse(idOf(message), ErrorCode.InvalidRequest, "Invalid Request"));
    }
    const responses = (await Promise.all(answers)).filter((answer) => answer !== undefined);
    if (responses.length > 0) await this.#answer(responses);
  }

  async #handle(request: JsonRpcRequest): Promise<JsonRpcResponse | undefined> {
    try {
      const result = await this.#router.dispatch(request, this.#context);
      if (request.id === undefined) return undefined;
      return { jsonrpc: "2.0", id: request.id, result: result === undefined ? null : result };
    } catch (error) {
      if (request.id === undefined) return undefined;
      const { code, message, data } = (error as JsonRpcError).toJSON();
      return errorResponse(request.id, code, message, data);
    }
  }

  #settle(response: JsonRpcResponse): void {
    const id = response.id;
    const call = id === null ? undefined : this.#pending.get(id);
    if (call === undefined) {
      if (id !== null && this.#abandoned.delete(id)) return;
      const detail = "error" in response ? `: ${response.error.message}` : "";
      this.#onProtocolError(
        new Error(`Received a response with unknown id ${JSON.stringify(id)}${detail}`),
      );
      return;
    }
    this.#pending.delete(id!);
    if ("error" in response) call.reject(JsonRpcError.from(response.error));
    else call.resolve(response.result);
  }

  /**
   * One response as JSON text; a result JSON cannot hold (a BigInt, a
   * cycle, nesting deeper than the stack) becomes an internal error for its
   * id, instead of an exception where nothing catches it.
   */
  #encodeResponse(response: JsonRpcResponse): string {
    try {
      return this.#codec.stringify(response);
    } catch (error) {
      const reason = `The result cannot be sent as JSON: ${(error as Error).message}`;
      return this.#codec.stringify(
        errorResponse(response.id, ErrorCode.InternalError, "Internal error", reason),
      );
    }
  }

  /**
   * Writes an answer (a batch's encoded {@linkcode BATCH_STEP} responses
   * per macrotask); settles once `output` accepted it (never rejects).
   */
  async #answer(response: JsonRpcResponse | JsonRpcResponse[]): Promise<void> {
    let text: string;
    if (Array.isArray(response)) {
      const parts: string[] = [];
      for (const [index, one] of response.entries()) {
        if (index > 0 && index % BATCH_STEP === 0) await yieldToEventLoop();
        parts.push(this.#encodeResponse(one));
      }
      text = `[${parts.join(",")}]`;
    } else {
      text = this.#encodeResponse(response);
    }
    const line = encoder.encode(`${text}\n`);
    this.#owed += line.length;
    try {
      await this.#write(line);
    } catch {
      // #write failed the connection already.
    } finally {
      this.#repay(line.length);
    }
  }
}

/** Messages of a batch handled, and responses of its answer encoded, per macrotask. */
const BATCH_STEP = 64;

const encoder = new TextEncoder();

function errorResponse(
  id: JsonRpcId | null,
  code: number,
  message: string,
  data?: unknown,
): JsonRpcResponse {
  const error = data === undefined ? { code, message } : { code, message, data };
  return { jsonrpc: "2.0", id, error };
}
