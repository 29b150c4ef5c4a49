/**
 * A plugin's stderr: split into lines for the logger, with a tail kept for
 * error reports.
 *
 * @module
 */

const TAIL_CHARS = 4096;
/** Longer lines are passed on in pieces of this many characters. */
const MAX_LINE = 16 * 1024;

/** Reads `stderr` to its end, passing each line to `log`. */
export class StderrLines {
  /** Resolves when stderr has ended. */
  readonly done: Promise<void>;
  #tail = "";

  constructor(stderr: ReadableStream<Uint8Array>, log: (line: string) => void) {
    const emit = (line: string) => {
      this.#tail = (this.#tail + line + "\n").slice(-TAIL_CHARS);
      try {
        log(line);
      } catch {
        // A failing logger must not stop the plugin's stderr from draining.
      }
    };
    this.done = (async () => {
      let pending = "";
      // A reader and a streaming decoder rather than a TextDecoderStream:
      // one stream less per plugin instance.
      const decoder = new TextDecoder();
      const reader = stderr.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        pending += decoder.decode(value, { stream: true });
        let newline;
        while ((newline = pending.indexOf("\n")) >= 0) {
          emit(pending.slice(0, newline).replace(/\r$/, ""));
          pending = pending.slice(newline + 1);
        }
        while (pending.length > MAX_LINE) {
          emit(pending.slice(0, MAX_LINE));
          pending = pending.slice(MAX_LINE);
        }
      }
      if (pending.length > 0) emit(pending);
    })().catch(() => {});
  }

  /** The last lines written (at most 4096 characters). */
  get tail(): string {
    return this.#tail;
  }
}
