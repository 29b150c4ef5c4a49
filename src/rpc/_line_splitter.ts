/**
 * Splitting bytes into lines with a length cap: the logic shared by
 * {@linkcode LineSplitStream} and the peer's reader.
 *
 * @module
 */

/** Splits chunks at `\n`; lines longer than `max` bytes throw `RangeError`. */
export class LineSplitter {
  readonly #max: number;
  #parts: Uint8Array[] = [];
  #partLength = 0;

  constructor(max: number) {
    this.#max = max;
  }

  /** Feeds a chunk; calls `onLine` for each complete line (without `\n`). */
  push(chunk: Uint8Array, onLine: (line: Uint8Array) => void): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(10, start);
      if (newline === -1) break;
      const piece = chunk.subarray(start, newline);
      if (this.#partLength + piece.length > this.#max) throw this.#tooLong();
      if (this.#partLength === 0) {
        onLine(piece);
      } else {
        this.#parts.push(piece);
        onLine(this.#take());
      }
      start = newline + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.#partLength += rest.length;
      if (this.#partLength > this.#max) throw this.#tooLong();
      this.#parts.push(rest);
    }
  }

  /** Ends the input: a final unterminated line is passed to `onLine`. */
  end(onLine: (line: Uint8Array) => void): void {
    if (this.#partLength > 0) onLine(this.#take());
  }

  #take(): Uint8Array {
    const line = new Uint8Array(this.#parts.reduce((n, part) => n + part.length, 0));
    let offset = 0;
    for (const part of this.#parts) {
      line.set(part, offset);
      offset += part.length;
    }
    this.#parts = [];
    this.#partLength = 0;
    return line;
  }

  #tooLong(): RangeError {
    return new RangeError(`Line exceeds the limit of ${this.#max} bytes`);
  }
}
