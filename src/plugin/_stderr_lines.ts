/**
 * A plugin's stderr: split into lines for the logger, with a tail kept for
 * error reports.
 *
 * @module
 */

/** Characters of stderr an error report keeps. */
export const TAIL_CHARS = 4096;
/** Longer lines are passed on in pieces of this many characters. */
const MAX_LINE = 16 * 1024;

/** Reads `stderr` to its end, passing each line to `log`. */
export class StderrLines {
  /** Resolves when stderr has ended. */
  readonly done: Promise<void>;
  #tail = "";
  /** Set once the plugin has ended: from then on, nothing waits for the logger. */
  #ended = false;
  #wake: (() => void) | undefined;

  /**
   * @param stderr The plugin's stderr.
   * @param log Takes each line; if it returns a promise, reading waits for
   * it (so the plugin waits too, once its stderr buffer is full).
   */
  constructor(stderr: ReadableStream<Uint8Array>, log: (line: string) => unknown) {
    /**
     * Logs a line; a promise if reading is to wait for an async logger
     * (which it does only until the plugin has ended).
     */
    const emit = (line: string): Promise<unknown> | undefined => {
      this.#tail = (this.#tail + line + "\n").slice(-TAIL_CHARS);
      let logged: unknown;
      try {
        logged = log(line);
      } catch {
        // A failing logger must not stop the plugin's stderr from draining.
        return undefined;
      }
      return logged instanceof Promise ? this.#unlessEnded(logged.catch(() => {})) : undefined;
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
          const line = pending.slice(0, newline).replace(/\r$/, "");
          pending = pending.slice(newline + 1);
          const wait = emit(line);
          if (wait !== undefined) await wait;
        }
        while (pending.length > MAX_LINE) {
          const piece = pending.slice(0, MAX_LINE);
          pending = pending.slice(MAX_LINE);
          const wait = emit(piece);
          if (wait !== undefined) await wait;
        }
      }
      if (pending.length > 0) await emit(pending);
    })().catch(() => {});
  }

  /**
   * The plugin has ended: its remaining lines are passed to the logger
   * without waiting for it, so that a slow logger cannot hold the end of a
   * call (its failure, its timeout) back.
   */
  ended(): void {
    this.#ended = true;
    this.#wake?.();
  }

  /** Waits for `logged` unless the plugin ends first. */
  #unlessEnded(logged: Promise<unknown>): Promise<unknown> | undefined {
    if (this.#ended) return undefined;
    return Promise.race([logged, new Promise<void>((resolve) => this.#wake = resolve)])
      .finally(() => this.#wake = undefined);
  }

  /** The last lines written (at most 4096 characters). */
  get tail(): string {
    return this.#tail;
  }
}
