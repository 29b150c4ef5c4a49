/**
 * Bytes to lines, with a cap on line length.
 *
 * @module
 */

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
    const max = options.maxLineLength ?? 16 * 1024 * 1024;
    let parts: Uint8Array[] = [];
    let partLength = 0;
    const tooLong = () => new RangeError(`Line exceeds the limit of ${max} bytes`);
    super({
      transform(chunk, controller) {
        let start = 0;
        for (;;) {
          const newline = chunk.indexOf(10, start);
          if (newline === -1) break;
          const piece = chunk.subarray(start, newline);
          if (partLength + piece.length > max) return controller.error(tooLong());
          if (partLength === 0) {
            controller.enqueue(piece);
          } else {
            parts.push(piece);
            controller.enqueue(concat(parts, partLength + piece.length));
            parts = [];
            partLength = 0;
          }
          start = newline + 1;
        }
        if (start < chunk.length) {
          const rest = chunk.subarray(start);
          partLength += rest.length;
          if (partLength > max) return controller.error(tooLong());
          parts.push(rest);
        }
      },
      flush(controller) {
        if (partLength > 0) controller.enqueue(concat(parts, partLength));
      },
    });
  }
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const line = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    line.set(part, offset);
    offset += part.length;
  }
  return line;
}
