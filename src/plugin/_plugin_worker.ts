/**
 * The worker side of a plugin's worker pool: compiles the plugin once, runs
 * the instances the main thread starts, and streams their stdio across with
 * a bounded window each way (see `_worker_messages.ts`).
 *
 * @module
 */

import { GuestModule } from "../executor/guest_module.ts";
import type { GuestProcess } from "../executor/guest_process.ts";
import {
  type FromWorker,
  type OutputFd,
  serializeError,
  STREAM_WINDOW,
  type ToWorker,
} from "./_worker_messages.ts";

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
  /** Streams and status still open; the instance is forgotten at 0. */
  open: number;
}

/** Serves as a plugin worker in the current worker scope. */
export function servePluginWorker(scope: WorkerScope = globalThis as unknown as WorkerScope): void {
  const instances = new Map<number, Instance>();
  let module: GuestModule | undefined;
  /** Messages that arrived before the plugin compiled. */
  let queued: ToWorker[] | undefined = [];

  const post = (message: FromWorker, transfer: Transferable[] = []) =>
    scope.postMessage(message, transfer);

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

  const handle = (message: ToWorker) => {
    if (message.t === "spawn") return spawn(message.id, message.options);
    if (message.t === "fault") return crash();
    if (message.t === "init") return;
    const instance = instances.get(message.id);
    if (instance === undefined) return;
    switch (message.t) {
      case "in": {
        const bytes = message.chunk.length;
        instance.writer.write(message.chunk).then(
          () => post({ t: "inAck", id: message.id, bytes }),
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

/** Tests only: an uncaught error ends the worker, as a crash would. */
function crash(): void {
  setTimeout(() => {
    throw new Error("Injected worker crash");
  });
}
