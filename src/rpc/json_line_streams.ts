/**
 * Lines to JSON values and JSON values to lines.
 *
 * @module
 */

/**
 * Emitted by {@linkcode JsonLineDecoderStream} for a line that is not
 * valid UTF-8 JSON (a JSON-RPC peer answers it with a parse error).
 */
export class InvalidJsonLine {
  /** The line as text (invalid UTF-8 replaced). */
  readonly line: string;
  /** Why it is invalid. */
  readonly reason: string;

  /**
   * Creates the marker.
   *
   * @param line The line as text.
   * @param reason Why it is invalid.
   */
  constructor(line: string, reason: string) {
    this.line = line;
    this.reason = reason;
  }
}

const strict = new TextDecoder("utf-8", { fatal: true });
const lenient = new TextDecoder();

/**
 * Parses one line: its JSON value, `undefined` for a blank line, or an
 * {@linkcode InvalidJsonLine}.
 *
 * @param line The line's bytes.
 * @param parse Turns its text into a value (default `JSON.parse`).
 */
export function decodeJsonLine(
  line: Uint8Array,
  parse: (text: string) => unknown = JSON.parse,
): unknown {
  let text: string;
  try {
    text = strict.decode(line);
  } catch {
    return new InvalidJsonLine(lenient.decode(line), "Invalid UTF-8");
  }
  if (text.trim() === "") return undefined;
  try {
    return parse(text);
  } catch (error) {
    return new InvalidJsonLine(text, (error as Error).message);
  }
}

/**
 * Parses each line as one JSON value. Blank lines are skipped; invalid lines
 * become {@linkcode InvalidJsonLine} values instead of erroring the stream.
 *
 * @example
 * ```ts
 * import { JsonLineDecoderStream } from "@wasmi-plugins/host/rpc";
 * const values = ReadableStream.from([new TextEncoder().encode('{"a":1}')])
 *   .pipeThrough(new JsonLineDecoderStream());
 * const [value] = await Array.fromAsync(values);
 * if ((value as { a: number }).a !== 1) throw new Error("unexpected");
 * ```
 */
export class JsonLineDecoderStream extends TransformStream<Uint8Array, unknown> {
  /** Creates the stage. */
  constructor() {
    super({
      transform(line, controller) {
        const value = decodeJsonLine(line);
        if (value !== undefined) controller.enqueue(value);
      },
    });
  }
}

const encoder = new TextEncoder();

/**
 * One value as a line of JSON followed by `\n`.
 *
 * @param value The value.
 * @param stringify Turns it into JSON text (default `JSON.stringify`).
 */
export function encodeJsonLine(
  value: unknown,
  stringify: (value: unknown) => string = JSON.stringify,
): Uint8Array {
  return encoder.encode(`${stringify(value)}\n`);
}

/**
 * Serializes each value as one line of JSON followed by `\n`.
 *
 * @example
 * ```ts
 * import { JsonLineEncoderStream } from "@wasmi-plugins/host/rpc";
 * const bytes = ReadableStream.from([{ a: 1 }]).pipeThrough(new JsonLineEncoderStream());
 * const [line] = await Array.fromAsync(bytes);
 * if (new TextDecoder().decode(line) !== '{"a":1}\n') throw new Error("unexpected");
 * ```
 */
export class JsonLineEncoderStream extends TransformStream<unknown, Uint8Array> {
  /** Creates the stage. */
  constructor() {
    super({
      transform(value, controller) {
        controller.enqueue(encodeJsonLine(value));
      },
    });
  }
}
