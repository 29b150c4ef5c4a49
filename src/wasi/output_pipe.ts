/**
 * The guest's stdout or stderr: a readable byte stream with backpressure,
 * which gathers the guest's small writes into larger chunks.
 *
 * @module
 */

/** Options for {@linkcode OutputPipe}. */
export interface OutputPipeOptions {
  /** Bytes buffered before the guest waits for a reader (default 64 KiB). */
  highWaterMark?: number;
}

/** The largest chunk the pipe gathers writes into. */
const MAX_CHUNK = 16 * 1024;
/** Writes up to this many bytes are copied in a loop (cheaper than a view and `set`). */
const SMALL_WRITE = 64;

/**
 * A pipe out of a guest: the guest writes with `fd_write`, the host reads
 * {@linkcode OutputPipe.readable}.
 *
 * Writes are copied into a chunk that goes to the reader once it is full or
 * {@linkcode OutputPipe.flush} is called (the WASI layer flushes before the
 * guest waits, the executor before it yields to the event loop, and
 * {@linkcode OutputPipe.close} flushes too), so that a guest printing line
 * by line costs one stream chunk per 16 KiB, not one per line. When the
 * bytes queued and gathered reach the high-water mark, the write sends what
 * it gathered and waits until the host reads.
 *
 * @example Read what a guest wrote
 * ```ts
 * import { OutputPipe } from "@wasmi-plugins/host/wasi";
 * const pipe = new OutputPipe();
 * pipe.write(new TextEncoder().encode("hello"));
 * pipe.close();
 * const text = await new Response(pipe.readable).text();
 * if (text !== "hello") throw new Error("unexpected");
 * ```
 */
export class OutputPipe {
  /** What the guest writes. */
  readonly readable: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #open = true;
  #writers: (() => void)[] = [];
  /** The chunk being gathered, and how much of it is filled. */
  readonly #chunkSize: number;
  #chunk: Uint8Array;
  #filled = 0;

  /**
   * Creates an open pipe.
   *
   * @param options The buffering bound.
   */
  constructor(options: OutputPipeOptions = {}) {
    const highWaterMark = options.highWaterMark ?? 64 * 1024;
    this.#chunkSize = Math.min(highWaterMark, MAX_CHUNK);
    this.#chunk = new Uint8Array(this.#chunkSize);
    this.readable = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        pull: () => this.#wake(),
        cancel: () => {
          this.#open = false;
          this.#filled = 0;
          this.#wake();
        },
      },
      new ByteLengthQueuingStrategy({ highWaterMark }),
    );
  }

  /** True until the pipe is closed or its reader cancelled it. */
  get open(): boolean {
    return this.#open;
  }

  /**
   * Copies `source[start..end)` into the pipe (the caller may reuse
   * `source` at once).
   *
   * @param source What the guest wrote.
   * @param start Where the bytes begin in `source` (default 0).
   * @param end Where they end (default `source.length`).
   * @returns `false` if the pipe is closed or its reader cancelled it; a
   * promise to wait on before the next write when the reader is behind;
   * otherwise `true`.
   */
  write(source: Uint8Array, start = 0, end: number = source.length): boolean | Promise<void> {
    if (!this.#open) return false;
    const length = end - start;
    if (length <= 0) return true;
    if (this.#filled + length > this.#chunkSize) this.#send();
    if (length >= this.#chunkSize) {
      this.#controller.enqueue(source.slice(start, end));
    } else if (length <= SMALL_WRITE) {
      // A line or so: copied byte by byte, without a view per write.
      const chunk = this.#chunk;
      let at = this.#filled;
      for (let i = start; i < end; i++) chunk[at++] = source[i]!;
      this.#filled = at;
    } else {
      this.#chunk.set(source.subarray(start, end), this.#filled);
      this.#filled += length;
    }
    // Queued and gathered bytes together are what the high-water mark bounds.
    if ((this.#controller.desiredSize ?? 0) - this.#filled > 0) return true;
    this.#send();
    return new Promise((resolve) => this.#writers.push(resolve));
  }

  /** Sends what the pipe gathered to the reader. */
  flush(): void {
    if (this.#open) this.#send();
  }

  /** Ends the stream after what is buffered. */
  close(): void {
    if (!this.#open) return;
    this.#send();
    this.#open = false;
    this.#controller.close();
    this.#wake();
  }

  /** Enqueues the gathered bytes, if any; says whether it did. */
  #send(): boolean {
    const filled = this.#filled;
    if (filled === 0) return false;
    this.#filled = 0;
    if (filled * 2 < this.#chunkSize) {
      // A small chunk (a flush before the guest waits): a copy of what is
      // filled, and the chunk stays for the next writes.
      this.#controller.enqueue(this.#chunk.slice(0, filled));
    } else {
      this.#controller.enqueue(this.#chunk.subarray(0, filled));
      this.#chunk = new Uint8Array(this.#chunkSize);
    }
    return true;
  }

  #wake(): void {
    if (this.#writers.length === 0) return;
    const writers = this.#writers;
    this.#writers = [];
    for (const resolve of writers) resolve();
  }
}
