/**
 * The longest event-loop gap while hostile guests run (after their module
 * is loaded), measured with a 1 ms interval, each case in a fresh process (a host that freezes is killed
 * after 20 s and reported as such):
 *
 *   deno run -A bench/event_loop_gaps.ts [--root DIR]
 *
 * `--root` loads the package from another checkout (e.g. a `git worktree`
 * of an older revision) to compare before and after in one run; the guests
 * always come from this checkout's testdata/.
 *
 * @module
 */

import { parseArgs } from "node:util";

const here = new URL("..", import.meta.url);
const wat = (name: string) => new URL(`testdata/wat/${name}.wasm`, here);

interface Outcome {
  gapMs: number;
  elapsedMs: number;
  result: string;
  peakRssMiB: number;
}

type Mod = typeof import("../mod.ts");
/** Runs `body` with the meter on (loading the module happens before). */
type Measure = (body: () => Promise<unknown>) => Promise<unknown>;

/** The cases: each runs once in its own process. */
const CASES: Record<string, (m: Mod, measure: Measure) => Promise<unknown>> = {
  "write-only guest, Plugin.call (timeout 2000, abort at 1000)": async ({ Plugin }, measure) => {
    using plugin = await Plugin.load(wat("write_forever"), { logger: () => {} });
    return await measure(() =>
      plugin.call("x", [], { timeout: 2000, signal: AbortSignal.timeout(1000) })
    );
  },
  "write-only guest, GuestModule.output (timeout 1000)": async ({ GuestModule }, measure) => {
    using module = await GuestModule.compile(await Deno.readFile(wat("write_forever")));
    return await measure(() => module.output({ timeout: 1000 }));
  },
  "looping start function (fuel 1000, timeout 100)": async ({ Plugin }, measure) => {
    using plugin = await Plugin.load(wat("start_loop"), { logger: () => {} });
    return await measure(() => plugin.call("x", [], { fuel: 1000, timeout: 100 }));
  },
  "looping start function, 8 calls at once (fuel 1000, timeout 100)": async (m, measure) => {
    using plugin = await m.Plugin.load(wat("start_loop"), { logger: () => {} });
    return await measure(async () => {
      const calls = Array.from(
        { length: 8 },
        () => plugin.call("x", [], { fuel: 1000, timeout: 100 }),
      );
      return (await Promise.allSettled(calls)).map((r) => r.status).join(",");
    });
  },
  "memory.grow loop to 256 MiB": async ({ GuestModule }, measure) => {
    using module = await GuestModule.compile(await Deno.readFile(wat("grow")));
    return await measure(() => module.output({ timeout: 10_000 }));
  },
  "reference: one ping of the same plugin": async ({ Plugin }, measure) => {
    using plugin = await Plugin.load(wat("misbehave"), { logger: () => {} });
    return await measure(() => plugin.call("ping"));
  },
  "2,000 host requests of 64 KiB, answers unread (timeout 3000)": async (m, measure) => {
    const host = new m.Router<import("../mod.ts").HostContext>().method(
      "echo",
      (params) => (params as unknown[])[0],
    );
    using plugin = await m.Plugin.load(wat("misbehave"), { host, logger: () => {} });
    return await measure(() => plugin.call("host_flood", [], { timeout: 3000 }));
  },
};

async function runCase(root: string, name: string): Promise<Outcome> {
  const m: Mod = await import(new URL("mod.ts", root).href);
  let last = 0;
  let gap = 0;
  let peak = 0;
  let started = 0;
  let elapsed = 0;
  const measure: Measure = async (body) => {
    const ticker = setInterval(() => {
      const now = performance.now();
      gap = Math.max(gap, now - last);
      last = now;
      peak = Math.max(peak, Deno.memoryUsage().rss);
    }, 1);
    started = last = performance.now();
    try {
      return await body();
    } finally {
      elapsed = performance.now() - started;
      gap = Math.max(gap, performance.now() - last);
      clearInterval(ticker);
    }
  };
  let result: string;
  try {
    const value = await CASES[name]!(m, measure);
    result = `ok ${typeof value === "string" ? value : ""}`.trim();
  } catch (error) {
    const e = error as Error & { kind?: string };
    result = `${e.name}${e.kind === undefined ? "" : ` (${e.kind})`}`;
  }
  return { gapMs: gap, elapsedMs: elapsed, result, peakRssMiB: peak / 2 ** 20 };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { root: { type: "string" }, case: { type: "string" } },
  });
  const root = values.root === undefined
    ? here.href
    : new URL(values.root.replace(/\/?$/, "/"), `file://${Deno.cwd()}/`).href;
  if (values.case !== undefined) {
    console.log(JSON.stringify(await runCase(root, values.case)));
    Deno.exit(0);
  }
  console.log(`package: ${root}`);
  console.log("| case | longest gap | elapsed | outcome | peak RSS |");
  console.log("| --- | ---: | ---: | --- | ---: |");
  for (const name of Object.keys(CASES)) {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL(import.meta.url).pathname, "--root", root, "--case", name],
      stdout: "piped",
      stderr: "null",
      signal: AbortSignal.timeout(20_000),
    }).output();
    let row: string;
    try {
      const { stdout } = await child;
      const o = JSON.parse(new TextDecoder().decode(stdout)) as Outcome;
      row = `${o.gapMs.toFixed(1)} ms | ${o.elapsedMs.toFixed(0)} ms | ${o.result} | ` +
        `${o.peakRssMiB.toFixed(0)} MiB`;
    } catch {
      row = "frozen (killed after 20 s) | — | never settled | —";
    }
    console.log(`| ${name} | ${row} |`);
  }
}
