/**
 * Fuzz target (a): random and mutated wasm modules into
 * `GuestModule.compile`, `spawn` and `output`, under a timeout, a fuel budget
 * and a memory cap.
 *
 * Oracle: the host never throws anything but the documented classes
 * (`WebAssembly.CompileError`, `WebAssembly.LinkError`, `GuestError`
 * subclasses, `RangeError` for output past `maxBuffer`), no run outlives its timeout by more than a watchdog margin,
 * running a compiled module again and again does not grow the engine heap
 * run after run (every instance is freed), and once every module is
 * disposed of the engine instances in use hold what they held before (each
 * module's compiled code goes with its engine instance). The longest time
 * the event loop stood still during a run (a 1 ms interval measures it:
 * guests run in slices of about 2 ms, so only a guest that escapes the
 * slicing, like a looping start function or a writer resumed from
 * microtasks once did, comes near it) is reported, not judged: it moves with
 * the machine's load (bench/event_loop_gaps.ts measures it under hostile
 * guests).
 *
 * The heap verdict does not depend on history or speed: it compares runs of
 * the same module (the first may set up per-module state: Wasmi compiles a
 * function when it is first called, and keeps a grown call stack for the
 * next run), and a leak must show in both of two repeated runs that ended
 * the same way, not on a timeout (a run cut short by the clock reaches a
 * different amount of code each time).
 *
 * @module
 */

import { engineHeapBytes, GuestError, GuestModule } from "../../mod.ts";
import { Prng } from "./_prng.ts";
import { describe, type Failure, type FuzzOptions, type FuzzReport } from "./_report.ts";

const ROOT = new URL("../../", import.meta.url);
/** Per-run limits of a fuzzed guest. */
const TIMEOUT_MS = 100;
const FUEL = 2_000_000;
const MAX_MEMORY = 8 << 20;
const MAX_BUFFER = 1 << 20;
/** How late past its timeout a run may end before it counts as a hang. */
const WATCHDOG_MS = 60_000;

/** Loads the seed modules: every committed test guest and the corpus. */
export async function wasmSeeds(): Promise<{ name: string; bytes: Uint8Array }[]> {
  const seeds: { name: string; bytes: Uint8Array }[] = [];
  for (const dir of ["testdata/wat/", "testdata/", "tests/fuzz/corpus/wasm/"]) {
    const url = new URL(dir, ROOT);
    for await (const entry of Deno.readDir(url)) {
      if (!entry.isFile || !entry.name.endsWith(".wasm")) continue;
      seeds.push({ name: dir + entry.name, bytes: await Deno.readFile(new URL(entry.name, url)) });
    }
  }
  return seeds.sort((a, b) => a.name.localeCompare(b.name));
}

interface Section {
  id: number;
  bytes: Uint8Array; // the whole section: id, size and payload
}

/** Splits a module into its sections (undefined if the framing is broken). */
function sections(module: Uint8Array): Section[] | undefined {
  const out: Section[] = [];
  let at = 8;
  while (at < module.length) {
    const start = at;
    const id = module[at++]!;
    let size = 0;
    let shift = 0;
    for (;;) {
      if (at >= module.length || shift > 28) return undefined;
      const byte = module[at++]!;
      size |= (byte & 0x7f) << shift;
      shift += 7;
      if ((byte & 0x80) === 0) break;
    }
    size >>>= 0;
    if (at + size > module.length) return undefined;
    at += size;
    out.push({ id, bytes: module.subarray(start, at) });
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function leb(value: number): Uint8Array {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return new Uint8Array(out);
}

const HEADER = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x40, 0x0b, 0x10, 0x41];

/** One mutation of `input`, using `other` for splices. */
function mutateOnce(rng: Prng, input: Uint8Array, other: Uint8Array): [string, Uint8Array] {
  const bytes = input.slice();
  switch (rng.int(9)) {
    case 0: {
      const flips = 1 + rng.int(8);
      for (let i = 0; i < flips && bytes.length > 0; i++) {
        bytes[rng.int(bytes.length)]! ^= 1 << rng.int(8);
      }
      return ["bitflip", bytes];
    }
    case 1: {
      const n = 1 + rng.int(4);
      for (let i = 0; i < n && bytes.length > 0; i++) {
        bytes[rng.int(bytes.length)] = rng.pick(INTERESTING);
      }
      return ["byte", bytes];
    }
    case 2:
      return ["truncate", bytes.subarray(0, rng.int(bytes.length + 1))];
    case 3: {
      const at = rng.int(bytes.length + 1);
      const insert = rng.bytes(1 + rng.int(16));
      return ["insert", concat([bytes.subarray(0, at), insert, bytes.subarray(at)])];
    }
    case 4: {
      const at = rng.int(bytes.length + 1);
      return ["delete", concat([bytes.subarray(0, at), bytes.subarray(at + 1 + rng.int(16))])];
    }
    case 5: {
      // Section splicing: replace, insert, duplicate, drop or swap sections.
      const a = sections(input);
      const b = sections(other);
      if (a === undefined || b === undefined || a.length === 0) return ["splice-skip", bytes];
      const list = [...a];
      const what = rng.int(5);
      const i = rng.int(list.length);
      if (what === 0 && b.length > 0) list[i] = rng.pick(b);
      else if (what === 1 && b.length > 0) list.splice(i, 0, rng.pick(b));
      else if (what === 2) list.splice(i, 0, list[i]!);
      else if (what === 3) list.splice(i, 1);
      else {
        const j = rng.int(list.length);
        [list[i], list[j]] = [list[j]!, list[i]!];
      }
      return ["splice", concat([HEADER, ...list.map((s) => s.bytes)])];
    }
    case 6: {
      // A section with a wrong size field.
      const list = sections(input);
      if (list === undefined || list.length === 0) return ["size-skip", bytes];
      const i = rng.int(list.length);
      const section = list[i]!;
      let at = 1;
      while (section.bytes[at]! & 0x80) at++;
      const payload = section.bytes.subarray(at + 1);
      const size = rng.pick([0, 1, payload.length + 1, payload.length - 1, 0xffffffff, rng.u32()]);
      const patched = concat([new Uint8Array([section.id]), leb(size >>> 0), payload]);
      list[i] = { id: section.id, bytes: patched };
      return ["size", concat([HEADER, ...list.map((s) => s.bytes)])];
    }
    case 7:
      return ["random", concat([HEADER, rng.bytes(rng.int(256))])];
    default:
      return ["random-raw", rng.bytes(rng.int(64))];
  }
}

/** The input of iteration `i`: a seed with 1–3 mutations. */
export function wasmInput(
  seeds: readonly { name: string; bytes: Uint8Array }[],
  seed: number,
  i: number,
): { bytes: Uint8Array; how: string } {
  const rng = Prng.for(seed, i);
  const base = rng.pick(seeds);
  let bytes = base.bytes;
  const steps: string[] = [];
  const count = 1 + rng.int(3);
  for (let n = 0; n < count; n++) {
    const [name, next] = mutateOnce(rng, bytes, rng.pick(seeds).bytes);
    steps.push(name);
    bytes = next;
  }
  return { bytes, how: `${base.name}: ${steps.join(", ")}` };
}

/** Engine heap growth of repeated runs of a module, and of compiles; the longest stall. */
const heap = { runs: 0, compiles: 0, stall: 0 };

/** Runs one input; returns the outcome's name, or throws a failure message. */
async function runOne(bytes: Uint8Array, stdin: Uint8Array): Promise<string> {
  let module: GuestModule;
  const beforeCompile = await engineHeapBytes();
  try {
    module = await GuestModule.compile(bytes);
  } catch (error) {
    heap.compiles += await engineHeapBytes().catch(() => beforeCompile) - beforeCompile;
    if (error instanceof WebAssembly.CompileError) return "compile-error";
    throw new Error(`compile threw ${describe(error)}`);
  }
  heap.compiles += await engineHeapBytes() - beforeCompile;
  try {
    const outcome = await spawnAndRun(module, stdin);
    if (outcome === "link-error") return outcome;
    // Two more runs: a leak grows the heap in each of them.
    const grew: number[] = [];
    const endings: string[] = [];
    for (let run = 0; run < 2; run++) {
      const beforeRun = await engineHeapBytes();
      endings.push(await spawnAndRun(module, stdin));
      grew.push(await engineHeapBytes() - beforeRun);
    }
    heap.runs += grew[0]! + grew[1]!;
    const comparable = endings[0] === endings[1] && endings[0] !== "timeout";
    if (comparable && grew[0]! > 0 && grew[1]! > 0) {
      throw new Error(
        `runs grew the engine heap by ${grew[0]} and then ${grew[1]} bytes (${endings[0]})`,
      );
    }
    return outcome;
  } finally {
    module[Symbol.dispose]();
  }
}

async function spawnAndRun(module: GuestModule, stdin: Uint8Array): Promise<string> {
  {
    if (module.linkErrors().length > 0) {
      try {
        module.spawn();
      } catch (error) {
        if (error instanceof WebAssembly.LinkError) return "link-error";
        throw new Error(`spawn of an unlinkable module threw ${describe(error)}`);
      }
      throw new Error("spawn of an unlinkable module did not throw");
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const watchdog = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`hang: the run outlived its ${TIMEOUT_MS} ms timeout`)),
        TIMEOUT_MS + WATCHDOG_MS,
      );
    });
    let last = performance.now();
    let stall = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      stall = Math.max(stall, now - last);
      last = now;
    }, 1);
    const checkStall = () => {
      heap.stall = Math.max(heap.stall, stall, performance.now() - last);
    };
    try {
      const run = module.output({
        timeout: TIMEOUT_MS,
        fuel: FUEL,
        maxMemory: MAX_MEMORY,
        maxBuffer: MAX_BUFFER,
        stdin,
      });
      const { status } = await Promise.race([run, watchdog]);
      checkStall();
      return status.procExit ? "exit" : "finished";
    } catch (error) {
      checkStall();
      if (error instanceof WebAssembly.LinkError) return "link-error";
      if (error instanceof GuestError) return error.kind;
      if (error instanceof RangeError && error.message.includes("maxBuffer")) return "output-limit";
      throw error instanceof Error && error.message.startsWith("hang")
        ? error
        : new Error(`run threw ${describe(error)}`);
    } finally {
      clearTimeout(timer);
      clearInterval(ticker);
    }
  }
}

/** Fuzzes wasm modules for `options.seconds` (or `options.iterations`). */
export async function fuzzWasm(options: FuzzOptions): Promise<FuzzReport> {
  const seeds = await wasmSeeds();
  const outcomes: Record<string, number> = {};
  const failures: Failure[] = [];
  const deadline = performance.now() + options.seconds * 1000;
  const first = options.from ?? 0;
  const start = await engineHeapBytes();
  const [runs0, compiles0] = [heap.runs, heap.compiles];
  heap.stall = 0;
  let i = first;
  for (; performance.now() < deadline && (options.iterations ?? Infinity) > i - first; i++) {
    const { bytes, how } = wasmInput(seeds, options.seed, i);
    const stdin = Prng.for(options.seed ^ 0x5eed, i).bytes(16);
    try {
      const outcome = await runOne(bytes, stdin);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    } catch (error) {
      failures.push({ iteration: i, message: (error as Error).message, input: how, bytes });
    }
  }
  const executions = i - first;
  const runs = heap.runs - runs0;
  const compiles = heap.compiles - compiles0;
  const end = await engineHeapBytes();
  if (end !== start) {
    failures.push({
      iteration: i,
      message: `the engine instances in use hold ${end - start} bytes more than before`,
      input: "all inputs",
    });
  }
  return {
    target: "wasm",
    seed: options.seed,
    executions,
    outcomes,
    failures,
    notes: [
      `engine heap ${start} → ${end} bytes: runs ${runs}, compiles ${compiles} ` +
      `(${Math.round(compiles / Math.max(1, executions))} per input, freed with each module)`,
      `the longest the event loop stood still during a run: ${Math.round(heap.stall)} ms`,
    ],
  };
}
