/**
 * Yielding to the event loop with a macrotask, as cheaply as the platform
 * allows.
 *
 * Measured on Deno 2.9 (see bench/yield_bench.ts): `setImmediate` costs about
 * 6 µs and lets timers run between yields; a `MessageChannel` costs about
 * 13 µs but starves Deno's timers; `setTimeout(0)` lets timers run but costs
 * about 2 ms. Browsers have no `setImmediate` and interleave `MessageChannel`
 * tasks with timers, so they get the channel.
 *
 * @module
 */

type Immediate = (callback: () => void) => unknown;

const immediate: Immediate | undefined =
  (globalThis as { setImmediate?: Immediate }).setImmediate ??
    ("Deno" in globalThis ? (await import("node:timers")).setImmediate : undefined);

let channel: MessageChannel | undefined;
const waiting: (() => void)[] = [];

function viaChannel(resolve: () => void): void {
  if (channel === undefined) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => waiting.shift()?.();
  }
  waiting.push(resolve);
  channel.port2.postMessage(0);
}

/** Resolves in a later macrotask, after timers and I/O had their turn. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (immediate !== undefined) immediate(resolve);
    else viaChannel(resolve);
  });
}
