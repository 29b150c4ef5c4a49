/**
 * Bytes to lines, with a cap on line length.
 *
 * @module
 */

import { LineSplitter } from "./_line_splitter.ts";

/** Options for {@linkcode LineSplitStream}. */
export interface LineSplitStreamOptions {
  /** Longest line in bytes, without its newline (default 16 MiB). */
  maxLineLength?: number;
}

/**
 * Splits a byte stream into lines at `\n` (the newline is dropped, a final
 * unterminated line is emitted at the end). A line longer than
 * `maxLineLength` errors the stream with a `RangeError`, so an endless line
 * cannot exhaust memory.
 *
 * @example
 * ```ts
 * import { LineSplitStream } from "@wasmi-plugins/host/rpc";
 * const lines = ReadableStream.from([new TextEncoder().encode("a\nb")])
 *   .pipeThrough(new LineSplitStream());
 * const decoded = (await Array.fromAsync(lines)).map((line) => new TextDecoder().decode(line));
 * if (decoded.join(",") !== "a,b") throw new Error("unexpected");
 * ```
 */
export class LineSplitStream extends TransformStream<Uint8Array, Uint8Array> {
  /**
   * Creates the stage.
   *
   * @param options The line length cap.
   */
  constructor(options: LineSplitStreamOptions = {}) {
    const splitter = new LineSplitter(options.maxLineLength ?? 16 * 1024 * 1024);
    super({
      transform(chunk, controller) {
        splitter.push(chunk, (line) => controller.enqueue(line));
      },
      flush(controller) {
        splitter.end((line) => controller.enqueue(line));
      },
    });
  }
}
