/**
 * Lines with a length cap that skips what is too long instead of failing.
 *
 * @module
 */

/** Options for {@linkcode BoundedLineStream}. */
export interface BoundedLineStreamOptions {
  /** Longest line in bytes, without its `\n`. */
  maxLineLength: number;
  /** Called once for each line that was too long and skipped. */
  onTooLong: () => void;
}

/**
 * Passes bytes on as whole lines (each chunk one line with its `\n`; a last
 * unterminated line at the end as it is). A line longer than
 * `maxLineLength` is dropped up to its `\n`, so the stream goes on with the
 * next line; at most `maxLineLength` bytes are buffered.
 */
export class BoundedLineStream extends TransformStream<Uint8Array, Uint8Array> {
  /**
   * Creates the stream.
   *
   * @param options The cap and what to do about lines over it.
   */
  constructor({ maxLineLength, onTooLong }: BoundedLineStreamOptions) {
    let parts: Uint8Array[] = [];
    let length = 0;
    let skipping = false;
    super({
      transform(chunk, controller) {
        for (let start = 0; start < chunk.length;) {
          const newline = chunk.indexOf(10, start);
          const end = newline === -1 ? chunk.length : newline;
          if (skipping) {
            skipping = newline === -1;
          } else if (length + end - start > maxLineLength) {
            parts = [];
            length = 0;
            skipping = newline === -1;
            onTooLong();
          } else if (newline === -1) {
            parts.push(chunk.subarray(start));
            length += end - start;
          } else {
            parts.push(chunk.subarray(start, newline + 1));
            controller.enqueue(parts.length === 1 ? parts[0]! : concat(parts));
            parts = [];
            length = 0;
          }
          if (newline === -1) break;
          start = newline + 1;
        }
      },
      flush(controller) {
        if (!skipping && length > 0) controller.enqueue(concat(parts));
      },
    });
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return all;
}
