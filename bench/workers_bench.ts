/**
 * The worker pool (`PluginOptions.workers`) against in-thread plugins, side
 * by side: throughput of CPU-bound calls by concurrency, the latency a
 * thread hop adds, the cost of large messages across it, and the main
 * thread's event-loop gaps under CPU-bound load. Prints a Markdown section
 * (bench/report.ts includes it in BENCHMARKS.md):
 *
 *   deno run -R bench/workers_bench.ts [--quick]
 *
 * @module
 */

import { Plugin, type PluginOptions } from "../mod.ts";

const quick = Deno.args.includes("--quick");
const RUNS = quick ? 3 : 7;
const TEST_PLUGIN = await Deno.readFile(new URL("../testdata/test_plugin.wasm", import.meta.url));
const MODES: [name: string, options: PluginOptions][] = [
  ["no workers", {}],
  ['workers: "auto"', { workers: "auto" }],
];
const CONCURRENCY = [1, 2, 4, 8, 16];
/** Calls per throughput run, spread over the concurrent lanes. */
const CALLS = 256;
/**
 * Calls that warm each plugin before measuring. Every worker has its own
 * JIT: its engine's dispatch loop reaches full speed only after some
 * hundred calls there (32 calls, as before, measured the pool at 1.3× at
 * two concurrent calls, 2,000 at 1.7×).
 */
const WARM_CALLS = quick ? 500 : 2000;
/** Rounds of the 16-call load while the event loop is watched. */
const GAP_ROUNDS = quick ? 2 : 6;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const µs = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;

function load(options: PluginOptions): Promise<Plugin> {
  // 32 MiB per instance, as in README's host example: with the default
  // 256 MiB, more than 7 instances at once need a second engine instance
  // (src/executor/wasmi/_engine_pool.ts), which this benchmark is not about.
  return Plugin.load(TEST_PLUGIN, {
    logger: () => {},
    timeout: 0,
    maxMemory: 32 << 20,
    ...options,
  });
}

/** One throughput run: calls per second of `prime_sieve(10000)` with `lanes` calls in flight. */
async function throughputRun(plugin: Plugin, lanes: number): Promise<number> {
  const started = performance.now();
  await Promise.all(Array.from({ length: lanes }, async () => {
    for (let i = 0; i < CALLS / lanes; i++) await plugin.call("prime_sieve", [10_000]);
  }));
  return CALLS / ((performance.now() - started) / 1000);
}

/** Milliseconds per operation over `count` sequential operations. */
async function latencyRun(count: number, op: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) await op();
  return (performance.now() - started) / count;
}

/**
 * Runs `run` for each mode in turn, `RUNS` rounds after a warm-up round, so
 * that both modes see the same machine (the medians per mode).
 */
async function alternate(run: (plugin: Plugin) => Promise<number>): Promise<[number, number]> {
  for (const plugin of plugins) await run(plugin);
  const samples: [number[], number[]] = [[], []];
  for (let r = 0; r < RUNS; r++) {
    for (const [i, plugin] of plugins.entries()) samples[i as 0 | 1].push(await run(plugin));
  }
  return [median(samples[0]), median(samples[1])];
}

/**
 * How late each tick of a 1 ms interval comes while `during` runs: the
 * time since the previous tick less the 1 ms asked for (as Node's
 * `monitorEventLoopDelay` reports it), sorted.
 */
async function delays(during: () => Promise<unknown>): Promise<number[]> {
  const seen: number[] = [];
  let last = performance.now();
  const interval = setInterval(() => {
    const now = performance.now();
    seen.push(now - last - 1);
    last = now;
  }, 1);
  await during();
  clearInterval(interval);
  return seen.sort((a, b) => a - b);
}

const ECHO_SIZES = [1024, 64 * 1024, 1024 * 1024];
const plugins = await Promise.all(MODES.map(([, options]) => load(options))) as [Plugin, Plugin];
// Warm every worker (and its JIT) before measuring.
for (const plugin of plugins) {
  await Promise.all(Array.from({ length: 8 }, async () => {
    for (let i = 0; i < WARM_CALLS / 8; i++) await plugin.call("prime_sieve", [10_000]);
  }));
}
const calls: [number, number][] = [];
for (const lanes of CONCURRENCY) calls.push(await alternate((p) => throughputRun(p, lanes)));
const statelessPing = await alternate((p) => latencyRun(quick ? 100 : 300, () => p.call("ping")));
const sessions = new Map(plugins.map((p) => [p, p.session()]));
const sessionPing = await alternate((p) =>
  latencyRun(quick ? 300 : 1000, () => sessions.get(p)!.call("ping"))
);
const echo = new Map<number, [number, number]>();
for (const size of ECHO_SIZES) {
  const text = "x".repeat(size);
  echo.set(
    size,
    await alternate((p) =>
      latencyRun(quick ? 10 : 30, () => sessions.get(p)!.call("echo", [text]))
    ),
  );
}
for (const session of sessions.values()) await session.close();
const load16: { delays: number[]; walls: number[] }[] = plugins.map(() => ({
  delays: [],
  walls: [],
}));
for (let round = 0; round < GAP_ROUNDS; round++) {
  for (const [i, plugin] of plugins.entries()) {
    const seen = await delays(async () => {
      const started = performance.now();
      await Promise.all(
        Array.from({ length: 16 }, () => plugin.call("prime_sieve", [1_000_000])),
      );
      load16[i]!.walls.push(performance.now() - started);
    });
    load16[i]!.delays.push(...seen);
  }
}
for (const load of load16) load.delays.sort((a, b) => a - b);
const idle = await delays(() => new Promise((resolve) => setTimeout(resolve, 2000)));
for (const plugin of plugins) plugin[Symbol.dispose]();

const cores = navigator.hardwareConcurrency;
const lines: string[] = [];
const out = (line = "") => lines.push(line);

out("## Worker pool");
out();
out(
  `\`Plugin.load(..., { workers: "auto" })\` (${cores} workers here) against the same plugin without workers (both with \`maxMemory: 32 << 20\`), one run of \`bench/workers_bench.ts\`; medians of ${RUNS} runs, the two modes alternating run by run.`,
);
out();
out(`### Throughput: \`prime_sieve(10000)\` calls per second (${CALLS} calls per run)`);
out();
out(`| concurrent calls | no workers | workers: "auto" | ratio |`);
out(`|---|---|---|---|`);
CONCURRENCY.forEach((lanes, i) => {
  const [a, b] = calls[i]!;
  out(`| ${lanes} | ${a.toFixed(0)} | ${b.toFixed(0)} | ${(b / a).toFixed(2)}× |`);
});
const atCores = calls.filter((_, i) => CONCURRENCY[i]! >= cores);
const sameConcurrency = atCores.map(([plain, pooled]) => pooled / plain);
const best = calls.reduce((a, b) => (b[0] > a[0] ? b : a));
const bestLanes = CONCURRENCY[calls.indexOf(best)]!;
const againstBest = atCores.map(([, pooled]) => pooled / best[0]);
const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}×`;
out();
out(
  `At concurrency ≥ ${cores} (the cores), the pool reaches ${
    range(sameConcurrency)
  } the in-thread figure at the same concurrency, and ${
    range(againstBest)
  } the best in-thread figure at any concurrency (${
    best[0].toFixed(0)
  } calls/s, at ${bestLanes}: a thread that interleaves many instances loses some speed, pooled or not); target ≥ ${
    (0.85 * cores).toFixed(2)
  }× (0.85 × cores).`,
);
out();
out("### Latency of the thread hop");
out();
out('| operation | no workers | workers: "auto" | difference |');
out("|---|---|---|---|");
const row = (name: string, a: number, b: number) =>
  out(`| ${name} | ${µs(a)} | ${µs(b)} | ${b >= a ? "+" : "−"}${µs(Math.abs(b - a))} |`);
row('stateless `call("ping")` (fresh instance)', ...statelessPing);
row('session `call("ping")`', ...sessionPing);
for (const size of ECHO_SIZES) {
  row(
    `session \`call("echo", [${size / 1024} KiB string])\``,
    ...echo.get(size)!,
  );
}
out();
out(
  "A stateless call crosses as two messages (its params as JSON text, its result structured-cloned: one copy each way); session requests cross as bytes copied once, answers as buffers transferred without a copy; both modes alternate run by run. In a worker, a stateless call takes the spare instance the worker started after the previous call, so the guest's start-up is off the call's path (on this thread it is on it): the stateless row is the hop less that saving, the session rows are the hop alone.",
);
out();
out("### Main thread's event loop during 16 concurrent `prime_sieve(1000000)` calls");
out();
out(
  `How late the ticks of a 1 ms \`setInterval\` come: the time between two ticks less the 1 ms asked for, over ${GAP_ROUNDS} rounds of the load per mode (wall time: their median). Deno fires a 1 ms interval about every 2 ms even when idle, so the idle row's ≈ 1 ms is the floor; the target is a p99 ≤ 2 ms with workers.`,
);
out();
out("| while | wall time | ticks | p50 | p99 | max |");
out("|---|---|---|---|---|---|");
const delayRow = (name: string, d: number[], walls?: number[]) =>
  out(
    `| ${name} | ${walls === undefined ? "–" : `${median(walls).toFixed(0)} ms`} | ${d.length} | ${
      pct(d, 0.5).toFixed(2)
    } ms | ${pct(d, 0.99).toFixed(2)} ms | ${d.at(-1)!.toFixed(2)} ms |`,
  );
delayRow("idle", idle);
delayRow("16 calls, no workers", load16[0]!.delays, load16[0]!.walls);
delayRow('16 calls, workers: "auto"', load16[1]!.delays, load16[1]!.walls);

console.log(lines.join("\n"));
