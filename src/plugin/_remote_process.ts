/**
 * A guest running in a plugin worker, seen from the main thread with the
 * surface of a `GuestProcess`: stdio streams with the same backpressure
 * bounds, the status with the same errors, `kill`, and `fuelConsumed` as
 * of the last message from the worker.
 *
 * @module
 */

import type { ExitStatus } from "../executor/exit_status.ts";
import { AbortedError, type GuestError, TimeoutError } from "../executor/errors.ts";
import {
  ACK_BATCH,
  deserializeError,
  type FromWorker,
  type OutputFd,
  STREAM_WINDOW,
  type ToWorker,
  type WorkerSpawnOptions,
} from "./_worker_messages.ts";

/** How a remote process talks to its worker. */
export interface RemoteChannel {
  post(message: ToWorker, transfer?: Transferable[]): void;
  /**
   * The run was stopped on this thread (killed, or its timeout passed): it
   * has ended here, and the worker was told to end it too.
   */
  cancelled(): void;
}

/** An output stream fed by messages from the worker, acknowledged as it is read. */
class RemoteOutput {
  readonly readable: ReadableStream<Uint8Array>;
  #queue: Uint8Array[] = [];
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #pulling = false;
  #ended = false;
  #closed = false;
  readonly #deliver: (chunk: Uint8Array) => void;

  constructor(ack: (bytes: number) => void, cancel: () => void) {
    let consumed = 0;
    const deliver = (chunk: Uint8Array) => {
      this.#controller.enqueue(chunk);
      // Acknowledged in batches: the worker waits only once a whole window
      // is in flight.
      consumed += chunk.length;
      if (consumed < ACK_BATCH) return;
      ack(consumed);
      consumed = 0;
    };
    this.#deliver = deliver;
    this.readable = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      pull: () => {
        const chunk = this.#queue.shift();
        if (chunk !== undefined) deliver(chunk);
        if (this.#queue.length === 0 && this.#ended) this.#close();
        else if (chunk === undefined) this.#pulling = true;
      },
      cancel: () => {
        this.#queue.length = 0;
        this.#closed = true;
        cancel();
      },
    }, { highWaterMark: 0 });
  }

  push(chunk: Uint8Array): void {
    if (this.#closed) return;
    if (this.#pulling) {
      this.#pulling = false;
      this.#deliver(chunk);
    } else {
      this.#queue.push(chunk);
    }
  }

  end(): void {
    this.#ended = true;
    if (this.#queue.length === 0) this.#close();
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#controller.close();
  }
}

/** A guest in a worker, with the public surface of `GuestProcess`. */
export class RemoteProcess implements AsyncDisposable {
  /** The guest's stdin; close it to signal end of input. */
  readonly stdin: WritableStream<Uint8Array>;
  /** The guest's stdout. */
  readonly stdout: ReadableStream<Uint8Array>;
  /** The guest's stderr. */
  readonly stderr: ReadableStream<Uint8Array>;
  /** Resolves with the exit status, or rejects with a `GuestError`. */
  readonly status: Promise<ExitStatus>;
  /** Settles once the status and both output streams have ended in the worker. */
  readonly finished: Promise<void>;

  readonly #id: number;
  readonly #channel: RemoteChannel;
  readonly #outputs: Record<OutputFd, RemoteOutput>;
  readonly #signal: AbortSignal | undefined;
  #settle!: { resolve: (status: ExitStatus) => void; reject: (error: unknown) => void };
  #finish!: () => void;
  #open = 3;
  #exited = false;
  #killed: { reason: unknown } | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #fuelConsumed = 0;
  #inFlight = 0;
  #inputError: string | undefined;
  #writers: (() => void)[] = [];

  constructor(
    channel: RemoteChannel,
    id: number,
    options: WorkerSpawnOptions & {
      signal?: AbortSignal;
    },
  ) {
    this.#id = id;
    this.#channel = channel;
    const { signal, ...spawn } = options;
    this.#signal = signal;
    this.status = new Promise<ExitStatus>((resolve, reject) => this.#settle = { resolve, reject });
    this.status.catch(() => {});
    this.finished = new Promise((resolve) => this.#finish = resolve);
    const output = (fd: OutputFd) =>
      new RemoteOutput(
        (bytes) => channel.post({ t: "ack", id, fd, bytes }),
        () => channel.post({ t: "cancel", id, fd }),
      );
    this.#outputs = { 1: output(1), 2: output(2) };
    this.stdout = this.#outputs[1].readable;
    this.stderr = this.#outputs[2].readable;
    this.stdin = new WritableStream<Uint8Array>({
      write: (chunk) => this.#write(chunk),
      close: () => channel.post({ t: "inEnd", id }),
      abort: () => channel.post({ t: "inEnd", id }),
    });
    channel.post({ t: "spawn", id, options: spawn });
    // This thread owns the run's deadline, as its abort: the worker enforces
    // both too, but they must hold whatever state the worker is in.
    const { timeout } = spawn;
    if (timeout !== undefined) {
      this.#timer = setTimeout(() => this.#stop(new TimeoutError(timeout)), timeout);
    }
    if (signal?.aborted) this.kill(signal.reason);
    else signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** Fuel the guest consumed, as of the last message from its worker. */
  get fuelConsumed(): number {
    return this.#fuelConsumed;
  }

  /**
   * Stops the guest; `status` rejects with an `AbortedError` (unless it
   * ended first for another reason).
   *
   * @param reason The abort reason.
   */
  kill(reason?: unknown): void {
    this.#stop(new AbortedError(reason), reason);
  }

  /** Kills the guest if it still runs and waits for it to end. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.kill(new DOMException("The process was disposed", "AbortError"));
    await this.status.catch(() => {});
  }

  /** @internal A message from the worker about this instance. */
  receive(message: FromWorker): void {
    switch (message.t) {
      case "out":
        this.#fuelConsumed = message.fuel;
        this.#outputs[message.fd].push(message.chunk);
        break;
      case "end":
        this.#outputs[message.fd].end();
        this.#closeOne();
        break;
      case "inAck":
        if (message.error !== undefined) this.#inputError ??= message.error;
        this.#inFlight -= message.bytes;
        if (this.#inFlight < STREAM_WINDOW || this.#inputError !== undefined) this.#wakeWriters();
        break;
      case "exit": {
        this.#fuelConsumed = message.fuel;
        if (message.error === undefined) this.#exit(message.status!);
        else this.#fail(deserializeError(message.error, this.#killed?.reason));
        this.#closeOne();
        break;
      }
    }
  }

  /**
   * @internal The worker died: the run fails with `error`, and its streams
   * end with what arrived.
   */
  die(error: GuestError): void {
    error.fuelConsumed = this.#fuelConsumed;
    this.#fail(error);
    this.#outputs[1].end();
    this.#outputs[2].end();
    this.#open = 0;
    this.#finish();
  }

  #onAbort = () => this.kill(this.#signal?.reason);

  /**
   * Ends the run here at once with `error`, and tells the worker to end it
   * (the pool watches that it does).
   */
  #stop(error: GuestError, reason?: unknown): void {
    if (this.#exited) return;
    this.#killed = { reason };
    this.#channel.post({ t: "kill", id: this.#id });
    error.fuelConsumed = this.#fuelConsumed;
    this.#fail(error);
    this.#outputs[1].end();
    this.#outputs[2].end();
    this.#channel.cancelled();
  }

  #exit(status: ExitStatus): void {
    if (this.#exited) return;
    this.#exited = true;
    clearTimeout(this.#timer);
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#inputError ??= "The guest no longer reads its input";
    this.#wakeWriters();
    this.#settle.resolve(status);
  }

  #fail(error: Error): void {
    if (this.#exited) return;
    this.#exited = true;
    clearTimeout(this.#timer);
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#inputError ??= "The guest no longer reads its input";
    this.#wakeWriters();
    this.#settle.reject(error);
  }

  #closeOne(): void {
    if (--this.#open === 0) this.#finish();
  }

  #write(chunk: Uint8Array): Promise<void> | void {
    if (this.#inputError !== undefined) throw new TypeError(this.#inputError);
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError("Guest input must be Uint8Array chunks");
    }
    if (chunk.length === 0) return;
    // Structured clone copies the chunk once; the caller keeps its buffer.
    this.#channel.post({ t: "in", id: this.#id, chunk });
    this.#inFlight += chunk.length;
    if (this.#inFlight < STREAM_WINDOW) return;
    return new Promise((resolve) => this.#writers.push(resolve));
  }

  #wakeWriters(): void {
    const writers = this.#writers;
    this.#writers = [];
    for (const resolve of writers) resolve();
  }
}
