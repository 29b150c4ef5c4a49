/**
 * The longest event-loop gap while hostile guests run (after their module
 * is loaded), measured with a 1 ms interval, each case in a fresh process (a host that freezes is killed
 * after 20 s and reported as such):
 *
 *   deno run -A bench/event_loop_gaps.ts [--root DIR] [--only SUBSTRING]
 *
 * `--only` runs the cases whose name contains SUBSTRING.
 * `--root` loads the package from another checkout (e.g. a `git worktree`
 * of an older revision) to compare before and after in one run; the guests
 * always come from this checkout's testdata/.
 *
 * @module
 */

import { setImmediate } from "node:timers";
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

/** A module of `n` functions that each push and drop a constant, and `_start`. */
function manyFunctions(n: number): Uint8Array {
  const bytes: number[] = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
  const leb = (value: number) => {
    const out: number[] = [];
    do {
      let byte = value & 0x7f;
      value >>>= 7;
      if (value !== 0) byte |= 0x80;
      out.push(byte);
    } while (value !== 0);
    return out;
  };
  const section = (id: number, body: number[]) => {
    bytes.push(id, ...leb(body.length));
    for (const byte of body) bytes.push(byte);
  };
  const text = (s: string) => [...leb(s.length), ...new TextEncoder().encode(s)];
  section(1, [1, 0x60, 0, 0]);
  const types = leb(n);
  for (let i = 0; i < n; i++) types.push(0);
  section(3, types);
  section(5, [1, 0, 1]);
  section(7, [2, ...text("_start"), 0, 0, ...text("memory"), 2, 0]);
  const code = leb(n);
  for (let i = 0; i < n; i++) code.push(5, 0, 0x41, 1, 0x1a, 0x0b); // i32.const 1; drop; end
  section(10, code);
  return new Uint8Array(bytes);
}

/** Compiles `bytes` under the meter, after another plugin if `warm`. */
async function compileCase(m: Mod, measure: Measure, bytes: Uint8Array, warm: boolean) {
  if (warm) {
    const other = await Deno.readFile(new URL("testdata/test_plugin.wasm", here));
    (await m.GuestModule.compile(other))[Symbol.dispose]();
  }
  const module = await measure(() => m.GuestModule.compile(bytes)) as { [Symbol.dispose](): void };
  module[Symbol.dispose]();
  return "compiled";
}

const goExample = () => Deno.readFile(new URL("examples/go/plugin.wasm", here));

/** The cases: each runs once in its own process. */
const CASES: Record<string, (m: Mod, measure: Measure) => Promise<unknown>> = {
  "compiling the Go example (3.4 MB), first module of the process": async (m, measure) =>
    compileCase(m, measure, await goExample(), false),
  "compiling the Go example (3.4 MB), after another plugin": async (m, measure) =>
    compileCase(m, measure, await goExample(), true),
  "compiling 100,000 functions (0.7 MB), first module of the process": (m, measure) =>
    compileCase(m, measure, manyFunctions(100_000), false),
  "compiling 100,000 functions (0.7 MB), after another plugin": (m, measure) =>
    compileCase(m, measure, manyFunctions(100_000), true),
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
  "a table of 10,000,000 entries, v8: load and 8 calls (fuel 1, timeout 20)": async (m, measure) =>
    await measure(async () => {
      using plugin = await m.Plugin.load(wat("table_huge"), { engine: "v8", logger: () => {} });
      for (let i = 0; i < 8; i++) {
        await plugin.call("x", [], { fuel: 1, timeout: 20 }).catch(() => {});
      }
    }),
  "a table of 2^20 entries (the cap), v8: 8 calls (fuel 1, timeout 20)": async (m, measure) => {
    using plugin = await m.Plugin.load(wat("table_at_cap"), { engine: "v8", logger: () => {} });
    return await measure(async () => {
      for (let i = 0; i < 8; i++) {
        await plugin.call("x", [], { fuel: 1, timeout: 20 }).catch(() => {});
      }
    });
  },
  "memory budget (64 MiB) after 50 v8 runs stopped in their first turn": async (m, measure) => {
    using module = await m.GuestModule.compile(await Deno.readFile(wat("loop")), { engine: "v8" });
    const memoryBudget = new m.MemoryBudget(64 << 20);
    return await measure(async () => {
      for (let i = 0; i < 50; i++) {
        const process = module.spawn({ memoryBudget, maxMemory: (16 << 20) + i * 65536 });
        await new Promise((resolve) => setImmediate(resolve));
        process.kill();
        await process.status.catch(() => {});
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      return `${memoryBudget.used} bytes held`;
    });
  },
  "a v8 loop of calls (300 ms) after another v8 module charged unexecuted if arms (300 ms)": async (
    m,
    measure,
  ) => {
    const compile = async (name: string) =>
      await m.GuestModule.compile(await Deno.readFile(wat(name)), { engine: "v8" });
    using attacker = await compile("dead_arm");
    using victim = await compile("call_loop");
    await attacker.output({ timeout: 300 }).catch(() => {});
    return await measure(() => victim.output({ timeout: 300 }).catch(() => {}));
  },
  "256 MiB initial memory, wasmi: 8 calls (fuel 1)": async ({ GuestModule }, measure) => {
    using module = await GuestModule.compile(await Deno.readFile(wat("big_initial")));
    return await measure(async () => {
      for (let i = 0; i < 8; i++) await module.output({ fuel: 1 }).catch(() => {});
    });
  },
  "256 MiB initial memory, wasmi: 8 calls run to the end": async ({ GuestModule }, measure) => {
    using module = await GuestModule.compile(await Deno.readFile(wat("big_initial")));
    return await measure(async () => {
      for (let i = 0; i < 8; i++) await module.output({ timeout: 10_000 });
    });
  },
  "256 MiB initial memory, v8: 8 calls (fuel 1)": async ({ GuestModule }, measure) => {
    const bytes = await Deno.readFile(wat("big_initial"));
    using module = await GuestModule.compile(bytes, { engine: "v8" });
    return await measure(async () => {
      for (let i = 0; i < 8; i++) await module.output({ fuel: 1 }).catch(() => {});
    });
  },
  "grow to 256 MiB and fill it at once, wasmi": async ({ GuestModule }, measure) => {
    using module = await GuestModule.compile(await Deno.readFile(wat("grow_fill")));
    return await measure(() => module.output({ timeout: 10_000 }));
  },
  "grow to 256 MiB and fill it at once, v8": async ({ GuestModule }, measure) => {
    const bytes = await Deno.readFile(wat("grow_fill"));
    using module = await GuestModule.compile(bytes, { engine: "v8" });
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
  "a guest's batch of 10,000 host calls in one line (0.6 MB)": (m, measure) =>
    volleyCase(m, measure, 10_000),
  "a guest's batch of 100,000 host calls in one line (5.6 MB)": (m, measure) =>
    volleyCase(m, measure, 100_000),
  "a guest's line nested 1,000,000 deep (2 MB)": async ({ Plugin }, measure) => {
    using plugin = await Plugin.load(wat("misbehave"), { logger: () => {} });
    return await measure(() => plugin.call("inception_1000000"));
  },
  // Proposals the feature table refuses (issue 24): measured from the load
  // on, so that a refusal at load is what "after" shows.
  "memory.atomic.wait32 on a shared memory, v8: load and run (timeout 1000)": (m, measure) =>
    featureCase(m, measure, "memory.atomic.wait32"),
  "GC array.new of 1 GiB, v8: load and run (maxMemory 1 MiB, timeout 1000)": (m, measure) =>
    featureCase(m, measure, "array.new"),
  "GC array.fill of 16 MiB, v8: load and run (fuel 1,000,000, timeout 1000)": (m, measure) =>
    featureCase(m, measure, "array.fill"),
  "throw/catch loop (try_table), v8: load and run (fuel 1,000,000, timeout 1000)": (m, measure) =>
    featureCase(m, measure, "try_table loop"),
};

/** Loads and runs one of tests/_feature_modules.ts's modules on v8. */
async function featureCase(m: Mod, measure: Measure, name: string) {
  const { FEATURE_MODULES } = await import("../tests/_feature_modules.ts");
  const { bytes } = FEATURE_MODULES[name]!;
  return await measure(async () => {
    using module = await m.GuestModule.compile(bytes, { engine: "v8" });
    return await module.output({ timeout: 1000, fuel: 1_000_000, maxMemory: 1 << 20 });
  });
}

/** A session's call whose guest sends `n` host calls as one batch line. */
async function volleyCase(m: Mod, measure: Measure, n: number) {
  const host = new m.Router<import("../mod.ts").HostContext>().method(
    "echo",
    (params) => (params as unknown[])[0],
  );
  using plugin = await m.Plugin.load(wat("misbehave"), { host, logger: () => {} });
  await using session = plugin.session();
  await session.call("ping");
  const answer = await measure(() => session.call(`volley_${n}`));
  return typeof answer === "string" ? answer : JSON.stringify(answer).slice(0, 60);
}

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
    options: { root: { type: "string" }, case: { type: "string" }, only: { type: "string" } },
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
  for (const name of Object.keys(CASES).filter((n) => n.includes(values.only ?? ""))) {
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
