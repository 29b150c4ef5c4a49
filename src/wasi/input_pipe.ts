/**
 * The guest's stdin: a bounded queue of byte chunks the host writes to.
 *
 * @module
 */

/** Options for {@linkcode InputPipe}. */
export interface InputPipeOptions {
  /** Bytes buffered before writes wait for the guest to read (default 64 KiB). */
  highWaterMark?: number;
}

/**
 * A pipe into a guest: the host writes to {@linkcode InputPipe.writable},
 * the guest reads with `fd_read(0)`. Chunks are queued by reference, never
 * split or copied until the guest reads them; a write resolves once the
 * buffered bytes are below the high-water mark.
 *
 * @example Write bytes and read them as a guest would
 * ```ts
 * import { InputPipe } from "@wasmi-plugins/host/wasi";
 * const pipe = new InputPipe();
 * const writer = pipe.writable.getWriter();
 * await writer.write(new TextEncoder().encode("hi"));
 * const target = new Uint8Array(8);
 * if (pipe.read([target]) !== 2) throw new Error("unexpected");
 * ```
 */
export class InputPipe {
  /** Where the host writes the guest's input; closing it is end of input. */
  readonly writable: WritableStream<Uint8Array>;
  readonly #highWaterMark: number;
  readonly #chunks: Uint8Array[] = [];
  #offset = 0;
  #buffered = 0;
  #ended = false;
  #closed = false;
  #readers: (() => void)[] = [];
  #writers: (() => void)[] = [];

  /**
   * Creates an empty pipe.
   *
   * @param options The buffering bound.
   */
  constructor(options: InputPipeOptions = {}) {
    this.#highWaterMark = options.highWaterMark ?? 64 * 1024;
    this.writable = new WritableStream<Uint8Array>({
      write: (chunk) => this.#write(chunk),
      close: () => this.#end(),
      abort: () => this.#end(),
    });
  }

  /** Bytes written and not read yet. */
  get buffered(): number {
    return this.#buffered;
  }

  /** True once the reading side was closed (the guest closed fd 0 or ended). */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Copies available bytes into `targets` in order.
   *
   * @param targets Where to copy to.
   * @returns the number of bytes copied, 0 at end of input, or `null` if no
   * bytes are available yet (then {@linkcode InputPipe.wait}).
   */
  read(targets: readonly Uint8Array[]): number | null {
    if (this.#buffered === 0) return this.#ended || this.#closed ? 0 : null;
    let copied = 0;
    for (const target of targets) {
      let filled = 0;
      while (filled < target.length && this.#chunks.length > 0) {
        const chunk = this.#chunks[0]!;
        const n = Math.min(target.length - filled, chunk.length - this.#offset);
        target.set(chunk.subarray(this.#offset, this.#offset + n), filled);
        filled += n;
        this.#offset += n;
        if (this.#offset === chunk.length) {
          this.#chunks.shift();
          this.#offset = 0;
        }
      }
      copied += filled;
      if (this.#chunks.length === 0) break;
    }
    this.#buffered -= copied;
    if (this.#buffered < this.#highWaterMark) this.#wake("writers");
    return copied;
  }

  /**
   * Waits for input.
   *
   * @returns a promise that resolves when bytes arrive or input ends
   */
  wait(): Promise<void> {
    if (this.#buffered > 0 || this.#ended || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#readers.push(resolve));
  }

  /** Closes the reading side: buffered bytes are dropped, later writes fail. */
  close(): void {
    this.#closed = true;
    this.#chunks.length = 0;
    this.#buffered = 0;
    this.#wake("readers");
    this.#wake("writers");
  }

  #write(chunk: Uint8Array): Promise<void> | void {
    if (this.#closed) throw new TypeError("The guest no longer reads its input");
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError("Guest input must be Uint8Array chunks");
    }
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    this.#wake("readers");
    if (this.#buffered < this.#highWaterMark) return;
    return new Promise((resolve) => this.#writers.push(resolve));
  }

  #end(): void {
    this.#ended = true;
    this.#wake("readers");
  }

  #wake(which: "readers" | "writers"): void {
    const waiting = which === "readers" ? this.#readers : this.#writers;
    if (waiting.length === 0) return;
    if (which === "readers") this.#readers = [];
    else this.#writers = [];
    for (const resolve of waiting) resolve();
  }
}
