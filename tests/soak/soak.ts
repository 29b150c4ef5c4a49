/**
 * Soak and leak check: many stateless calls, then a long session with mixed
 * calls, sampling the process RSS (`Deno.memoryUsage().rss`) and the
 * engine's heap (`engineHeapBytes()`), and printing least-squares slopes.
 *
 *     deno task soak [--calls 100000] [--session-minutes 10] [--samples 50]
 *
 * The test suite runs a short version (tests/soak_test.ts).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { engineHeapBytes, type HostContext, Plugin, Router } from "../../mod.ts";

const TEST_PLUGIN = new URL("../../testdata/test_plugin.wasm", import.meta.url);

/** One measurement. */
export interface Sample {
  /** Calls made so far in the phase. */
  calls: number;
  /** Minutes since the phase started. */
  minutes: number;
  rss: number;
  heap: number;
}

/** Slopes of one phase. */
export interface PhaseResult {
  calls: number;
  seconds: number;
  samples: Sample[];
  /** Bytes per 1,000 calls. */
  heapPerKiloCall: number;
  rssPerKiloCall: number;
  /** Bytes per minute. */
  heapPerMinute: number;
  rssPerMinute: number;
}

/** The least-squares slope of y over x. */
export function slope(points: readonly [number, number][]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

function result(samples: Sample[], calls: number, seconds: number): PhaseResult {
  const by = (x: (s: Sample) => number, y: (s: Sample) => number) =>
    slope(samples.map((s) => [x(s), y(s)]));
  return {
    calls,
    seconds,
    samples,
    heapPerKiloCall: by((s) => s.calls / 1000, (s) => s.heap),
    rssPerKiloCall: by((s) => s.calls / 1000, (s) => s.rss),
    heapPerMinute: by((s) => s.minutes, (s) => s.heap),
    rssPerMinute: by((s) => s.minutes, (s) => s.rss),
  };
}

async function sample(calls: number, started: number): Promise<Sample> {
  return {
    calls,
    minutes: (performance.now() - started) / 60_000,
    rss: Deno.memoryUsage().rss,
    heap: await engineHeapBytes(),
  };
}

/** A mixed call: most cheap, some with host calls, sleeps and errors. */
async function mixedCall(
  call: (method: string, params?: unknown[]) => Promise<unknown>,
  i: number,
) {
  switch (i % 8) {
    case 0:
      return await call("ping");
    case 1:
      return await call("echo", [i, "x".repeat(i % 100)]);
    case 2:
      return await call("many_echo", [3]);
    case 3:
      return await call("prime_sieve", [1000]);
    case 4:
      return await call("counter");
    case 5:
      return await call("no_such_method").catch((error) => error);
    case 6:
      return await call("log", [`soak ${i}`]);
    default:
      return await call("get_random_number");
  }
}

/** Runs `calls` stateless calls (`concurrency` at a time), sampling `samples` times. */
export async function statelessPhase(
  plugin: Plugin,
  calls: number,
  samples: number,
  concurrency = 4,
): Promise<PhaseResult> {
  const started = performance.now();
  const every = Math.max(1, Math.floor(calls / samples));
  const points: Sample[] = [];
  let done = 0;
  const call = (method: string, params?: unknown[]) => plugin.call(method, params);
  while (done < calls) {
    const batch = Math.min(concurrency, calls - done);
    await Promise.all(Array.from({ length: batch }, (_, k) => mixedCall(call, done + k)));
    const before = done;
    done += batch;
    // Sampled between batches: no instance is alive then.
    if (Math.floor(before / every) !== Math.floor(done / every)) {
      points.push(await sample(done, started));
    }
  }
  return result(points, calls, (performance.now() - started) / 1000);
}

/**
 * Runs one session with mixed calls for `length.seconds`, or for
 * `length.calls` calls (the same calls, and so the same samples, on any
 * machine), sampling `samples` times.
 */
export async function sessionPhase(
  plugin: Plugin,
  length: { seconds: number } | { calls: number },
  samples: number,
): Promise<PhaseResult> {
  await using session = plugin.session();
  const call = (method: string, params?: unknown[]) => session.call(method, params);
  for (let i = 0; i < 200; i++) await mixedCall(call, i); // warm up the guest's allocator
  const started = performance.now();
  const points: Sample[] = [await sample(0, started)];
  let calls = 0;
  if ("calls" in length) {
    const every = Math.max(1, Math.floor(length.calls / samples));
    while (calls < length.calls) {
      await mixedCall(call, calls++);
      if (calls % every === 0) points.push(await sample(calls, started));
    }
  } else {
    const end = started + length.seconds * 1000;
    const every = (length.seconds * 1000) / samples;
    let next = started + every;
    while (performance.now() < end) {
      await mixedCall(call, calls++);
      if (performance.now() >= next) {
        points.push(await sample(calls, started));
        next += every;
      }
    }
  }
  await session.close();
  return result(points, calls, (performance.now() - started) / 1000);
}

/** Loads the test plugin for soaking. */
export async function soakPlugin(): Promise<Plugin> {
  const host = new Router<HostContext>().method("echo", (params) => (params as unknown[])[0]);
  return await Plugin.load(TEST_PLUGIN, { host, logger: () => {}, timeout: 30_000 });
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** One line per phase. */
export function formatPhase(name: string, r: PhaseResult): string {
  return `${name}: ${r.calls} calls in ${r.seconds.toFixed(1)} s, ${r.samples.length} samples; ` +
    `engine heap ${kib(r.heapPerKiloCall)}/1,000 calls, ${kib(r.heapPerMinute)}/min; ` +
    `RSS ${kib(r.rssPerKiloCall)}/1,000 calls, ${kib(r.rssPerMinute)}/min ` +
    `(heap ${r.samples[0]?.heap} → ${r.samples.at(-1)?.heap} bytes, ` +
    `RSS ${kib(r.samples[0]?.rss ?? 0)} → ${kib(r.samples.at(-1)?.rss ?? 0)})`;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      calls: { type: "string", default: "100000" },
      "session-minutes": { type: "string", default: "10" },
      samples: { type: "string", default: "50" },
    },
    strict: true,
  });
  using plugin = await soakPlugin();
  const samples = Number(values.samples);
  const stateless = await statelessPhase(plugin, Number(values.calls), samples);
  console.log(formatPhase("stateless", stateless));
  const seconds = Number(values["session-minutes"]) * 60;
  const session = await sessionPhase(plugin, { seconds }, samples);
  console.log(formatPhase("session", session));
}
