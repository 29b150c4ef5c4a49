/**
 * Fuzz target (c): random arguments to every WASI preview1 function, called
 * directly on a `WasiPreview1` over a `WebAssembly.Memory`: out-of-bounds
 * pointers, huge lengths, iovecs that overlap or point outside memory, bad
 * fds, odd clock ids, random stdin.
 *
 * Oracle: each call returns a known errno (or a promise of one), or throws
 * `RangeError` (which the executor answers with `EFAULT`) or `ProcessExit`
 * (`proc_exit`, `proc_raise`); promises settle the same way; nothing writes
 * outside the memory (a `WebAssembly.Memory` cannot grow by accident).
 *
 * @module
 */

import {
  Errno,
  InputPipe,
  OutputPipe,
  PREVIEW1_SIGNATURES,
  ProcessExit,
  WasiPreview1,
  WebAssemblyMemory,
} from "../../src/wasi/mod.ts";
import { Prng } from "./_prng.ts";
import type { Failure, FuzzOptions, FuzzReport } from "./_report.ts";

const ERRNOS = new Set<number>(Object.values(Errno));
const NAMES = Object.keys(PREVIEW1_SIGNATURES).sort();
const PAGES = 1;

interface Values {
  u32: number[];
  i64: bigint[];
}

/** The corpus of argument values. */
export async function wasiValues(): Promise<Values> {
  const json = JSON.parse(
    await Deno.readTextFile(new URL("corpus/wasi/values.json", import.meta.url)),
  ) as { u32: number[]; i64: string[] };
  return { u32: json.u32, i64: json.i64.map((v) => BigInt(v)) };
}

/** A random u32 argument: a corpus value, a random one, or near a structure. */
function u32(rng: Prng, values: Values): number {
  switch (rng.int(4)) {
    case 0:
      return rng.u32();
    case 1:
      return rng.int(PAGES * 65536 + 64);
    default:
      return rng.pick(values.u32);
  }
}

/** Fills memory with iovec-looking data so that iovec arrays point somewhere. */
function scatterIovecs(rng: Prng, view: DataView, values: Values): void {
  for (let i = 0; i < 32; i++) {
    const at = rng.int(Math.floor(view.byteLength / 8)) * 8;
    view.setUint32(at, u32(rng, values), true);
    view.setUint32(at + 4, rng.chance(0.5) ? rng.int(256) : u32(rng, values), true);
  }
  // A few poll subscriptions too (clock type, small timeouts).
  for (let i = 0; i < 4; i++) {
    const at = rng.int(Math.floor(view.byteLength / 48)) * 48;
    view.setUint8(at + 8, rng.int(4));
    view.setUint32(at + 16, rng.int(4), true);
    view.setBigUint64(at + 24, BigInt(rng.int(2_000_000)), true);
    view.setUint16(at + 40, rng.int(2), true);
  }
}

/** The calls of iteration `i`: [name, args][]. */
export function wasiCalls(
  values: Values,
  seed: number,
  i: number,
): [string, (number | bigint)[]][] {
  const rng = Prng.for(seed, i);
  const calls: [string, (number | bigint)[]][] = [];
  const count = 1 + rng.int(16);
  for (let n = 0; n < count; n++) {
    const name = rng.pick(NAMES);
    const [params] = PREVIEW1_SIGNATURES[name]!.split(":");
    const args = [...params!].map((type, index) => {
      if (type === "I") return rng.pick(values.i64);
      // The first parameter of fd_* / path_* / sock_* is an fd: mostly 0..4.
      if (index === 0 && /^(fd|path|sock)_/.test(name) && rng.chance(0.7)) return rng.int(5);
      return u32(rng, values);
    });
    calls.push([name, args]);
  }
  return calls;
}

type Fn = (...args: (number | bigint)[]) => number | Promise<number> | undefined;

function check(name: string, outcome: unknown): string | undefined {
  if (typeof outcome === "number") {
    return ERRNOS.has(outcome) ? undefined : `${name} returned ${outcome}, not a known errno`;
  }
  if (outcome === undefined) return name === "proc_exit" ? undefined : `${name} returned nothing`;
  return `${name} returned ${String(outcome)}`;
}

function checkThrown(name: string, error: unknown): string | undefined {
  if (error instanceof RangeError) return undefined;
  if (error instanceof ProcessExit && (name === "proc_exit" || name === "proc_raise")) {
    return undefined;
  }
  return `${name} threw ${error instanceof Error ? `${error.name}: ${error.message}` : error}`;
}

/** Runs one iteration's calls; returns problems found. */
async function runCalls(rng: Prng, values: Values, calls: [string, (number | bigint)[]][]) {
  const memory = new WebAssembly.Memory({ initial: PAGES, maximum: PAGES });
  const stdin = new InputPipe();
  const stdout = new OutputPipe({ highWaterMark: 256 });
  const stderr = new OutputPipe({ highWaterMark: 256 });
  const wasi = new WasiPreview1({
    memory: new WebAssemblyMemory(memory),
    stdin,
    stdout,
    stderr,
    args: ["fuzz"],
    env: { A: "b" },
  });
  scatterIovecs(rng, new DataView(memory.buffer), values);
  const writer = stdin.writable.getWriter();
  if (rng.chance(0.5)) writer.write(rng.bytes(rng.int(300))).catch(() => {});
  // Drain outputs (sometimes), so that writes may or may not wait.
  const drain = rng.chance(0.5);
  const readers = [stdout, stderr].map((pipe) =>
    drain ? new Response(pipe.readable).arrayBuffer().catch(() => {}) : undefined
  );
  const problems: string[] = [];
  const pending: Promise<void>[] = [];
  const counts: Record<string, number> = {};
  for (const [name, args] of calls) {
    let outcome: unknown;
    try {
      outcome = (wasi.imports[name] as Fn)(...args);
    } catch (error) {
      const problem = checkThrown(name, error);
      if (problem !== undefined) problems.push(problem);
      counts.thrown = (counts.thrown ?? 0) + 1;
      continue;
    }
    if (outcome instanceof Promise) {
      counts.suspended = (counts.suspended ?? 0) + 1;
      pending.push(outcome.then(
        (value) => {
          const problem = check(name, value);
          if (problem !== undefined) problems.push(`${problem} (after waiting)`);
        },
        (error) => {
          const problem = checkThrown(name, error);
          if (problem !== undefined) problems.push(`${problem} (after waiting)`);
        },
      ));
      // A guest waits for its call before the next one; so do we, briefly.
      await Promise.race([outcome.catch(() => {}), new Promise((r) => setTimeout(r, 0))]);
      continue;
    }
    const problem = check(name, outcome);
    if (problem !== undefined) problems.push(problem);
    counts.returned = (counts.returned ?? 0) + 1;
  }
  // End everything: input ends, outputs close, sleeps are cancelled.
  await writer.close().catch(() => {});
  stdout.close();
  stderr.close();
  wasi.dispose();
  await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 20))]);
  if (!drain) {
    await Promise.all([stdout, stderr].map((pipe) => pipe.readable.cancel().catch(() => {})));
  }
  await Promise.all(readers);
  if (memory.buffer.byteLength !== PAGES * 65536) problems.push("the memory changed size");
  return { problems, counts };
}

/** Fuzzes the WASI functions for `options.seconds`. */
export async function fuzzWasi(options: FuzzOptions): Promise<FuzzReport> {
  const values = await wasiValues();
  const outcomes: Record<string, number> = {};
  const failures: Failure[] = [];
  const deadline = performance.now() + options.seconds * 1000;
  const first = options.from ?? 0;
  let calls = 0;
  let i = first;
  for (; performance.now() < deadline && (options.iterations ?? Infinity) > i - first; i++) {
    const list = wasiCalls(values, options.seed, i);
    calls += list.length;
    try {
      const { problems, counts } = await runCalls(Prng.for(options.seed ^ 0xa11, i), values, list);
      for (const [k, v] of Object.entries(counts)) outcomes[k] = (outcomes[k] ?? 0) + v;
      for (const problem of new Set(problems)) {
        failures.push({ iteration: i, message: problem, input: JSON.stringify(list, bigints) });
      }
    } catch (error) {
      failures.push({
        iteration: i,
        message: `harness: ${(error as Error).message}`,
        input: JSON.stringify(list, bigints),
      });
    }
  }
  return {
    target: "wasi",
    seed: options.seed,
    executions: i - first,
    outcomes,
    failures,
    notes: [`${calls} WASI calls`],
  };
}

function bigints(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? `${value}n` : value;
}
