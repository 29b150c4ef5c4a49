/**
 * Measures what the executor costs the host's event loop, and start-up:
 *
 *   deno run -R --allow-run bench/stalls.ts
 *
 * - event-loop lag of a 1 ms interval while an infinite-loop guest runs
 *   (p50, p99, max), compared with an idle loop;
 * - how closely `--timeout` stops a looping guest (through the CLI);
 * - engine load + compile in a fresh process;
 * - the engine bundle's size, raw and gzip.
 *
 * @module
 */

import { GuestModule } from "../mod.ts";

const root = new URL("..", import.meta.url);
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

async function lag(during: () => Promise<void>): Promise<number[]> {
  const gaps: number[] = [];
  let last = performance.now();
  const interval = setInterval(() => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
  }, 1);
  await during();
  clearInterval(interval);
  return gaps.sort((a, b) => a - b);
}

const loop = await GuestModule.compile(
  await Deno.readFile(new URL("testdata/wat/loop.wasm", root)),
);
const row = (name: string, gaps: number[]) =>
  `| ${name} | ${gaps.length} | ${percentile(gaps, 0.5).toFixed(2)} | ${
    percentile(gaps, 0.99).toFixed(2)
  } | ${gaps.at(-1)!.toFixed(2)} |`;
console.log("Event-loop lag of a 1 ms setInterval over 2 s (ms between ticks):\n");
console.log("| while | ticks | p50 | p99 | max |\n|---|---|---|---|---|");
console.log(row("idle", await lag(() => new Promise((r) => setTimeout(r, 2000)))));
let fuel = 0;
console.log(row(
  "an infinite-loop guest runs (adaptive slices)",
  await lag(async () => {
    await loop.output({ timeout: 2000 }).catch((e) => fuel = e.fuelConsumed);
  }),
));
console.log(
  `\nInterpreter speed on the loop guest: ${(fuel / 2e6).toFixed(0)} M fuel per second\n`,
);

console.log("In-process timeout of a looping guest (`output({ timeout })`):\n");
console.log("| timeout | elapsed |\n|---|---|");
for (const timeout of [100, 500, 1000]) {
  const started = performance.now();
  await loop.output({ timeout }).catch(() => {});
  console.log(`| ${timeout} ms | ${(performance.now() - started).toFixed(1)} ms |`);
}
console.log("");

console.log("`cli.ts run --timeout T testdata/wat/loop.wasm`, wall time of the whole command:\n");
console.log("| timeout | elapsed (median of 3) | exit code |\n|---|---|---|");
for (const timeout of [500, 1000, 2000]) {
  const times: number[] = [];
  let code = -1;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    ({ code } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-R", "cli.ts", "run", "--timeout", `${timeout}`, "testdata/wat/loop.wasm"],
      cwd: root.pathname,
      stderr: "null",
    }).output());
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  console.log(`| ${timeout} ms | ${times[1]!.toFixed(0)} ms | ${code} |`);
}

console.log("\nEngine load + compile in a fresh process (median of 5):\n");
const loads: number[] = [];
for (let i = 0; i < 5; i++) {
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `const t = performance.now(); await (await import("${new URL(
        "src/executor/_engine.ts",
        root,
      )}")).loadEngine(); console.log(performance.now() - t);`,
    ],
  }).output();
  loads.push(Number(new TextDecoder().decode(stdout)));
}
loads.sort((a, b) => a - b);
console.log(
  `${loads[2]!.toFixed(1)} ms (decode base64 + gunzip + WebAssembly.compile + instantiate)`,
);

const wasm = await Deno.readFile(new URL("src/executor/engine.wasm", root));
const gzip = await new Response(
  new Blob([wasm]).stream().pipeThrough(new CompressionStream("gzip")),
).arrayBuffer();
const embedded = (await Deno.stat(new URL("src/executor/_engine_wasm.ts", root))).size;
console.log(
  `\nEngine bundle: ${wasm.length} bytes raw, ${gzip.byteLength} bytes gzip, ${embedded} bytes embedded (_engine_wasm.ts)`,
);
