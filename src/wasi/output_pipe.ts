/**
 * The guest's stdout or stderr: a readable byte stream with backpressure.
 *
 * @module
 */

/** Options for {@linkcode OutputPipe}. */
export interface OutputPipeOptions {
  /** Bytes buffered before the guest waits for a reader (default 64 KiB). */
  highWaterMark?: number;
}

/**
 * A pipe out of a guest: the guest writes with `fd_write`, the host reads
 * {@linkcode OutputPipe.readable}. When more than the high-water mark is
 * buffered, the guest's write waits until the host reads.
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

  /**
   * Creates an open pipe.
   *
   * @param options The buffering bound.
   */
  constructor(options: OutputPipeOptions = {}) {
    this.readable = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        pull: () => this.#wake(),
        cancel: () => {
          this.#open = false;
          this.#wake();
        },
      },
      new ByteLengthQueuingStrategy({ highWaterMark: options.highWaterMark ?? 64 * 1024 }),
    );
  }

  /** True until the pipe is closed or its reader cancelled it. */
  get open(): boolean {
    return this.#open;
  }

  /**
   * Queues `bytes` (taking ownership of them).
   *
   * @param bytes What the guest wrote.
   * @returns `false` if the pipe is closed; a promise to wait on before the
   * next write when the buffer is full; otherwise `true`.
   */
  write(bytes: Uint8Array): boolean | Promise<void> {
    if (!this.#open) return false;
    if (bytes.length > 0) this.#controller.enqueue(bytes);
    if ((this.#controller.desiredSize ?? 0) > 0) return true;
    return new Promise((resolve) => this.#writers.push(resolve));
  }

  /** Ends the stream after what is buffered. */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#controller.close();
    this.#wake();
  }

  #wake(): void {
    const writers = this.#writers;
    this.#writers = [];
    for (const resolve of writers) resolve();
  }
}
