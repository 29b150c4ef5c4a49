/**
 * Pre-initialisation (as Wizer does it, without Wizer): runs a wasm32-wasip1
 * command module's `_start` once, then writes a module whose memory and
 * mutable globals start from what that run left. Nothing else changes: the
 * new module's `_start` runs again from the top, on that memory, and the
 * program tells from its own memory how far it got (crates/js-guest's
 * `PHASE`).
 *
 * The run uses this runtime's own WebAssembly with a minimal WASI of its own:
 * argv, stdin from bytes, stderr to a callback, no environment, the clock
 * at 0 and random bytes all zero (so that a build is reproducible). It is
 * not the plugin host: there is no host to call.
 *
 * @module
 */

import {
  countImports,
  dataSegment,
  type Export,
  joinSections,
  Reader,
  readExports,
  readGlobals,
  readMemory,
  s32,
  s64,
  SECTION,
  type Section,
  skipConstExpr,
  splitSections,
  u32,
  vector,
  writeExports,
  writeMemory,
} from "./_wasm_sections.ts";

/** What the run gets and how it reports. */
export interface SnapshotRun {
  /** argv, with argv[0]. */
  args: string[];
  /** All of stdin. */
  stdin: Uint8Array;
  /** Each line the program writes to stderr. */
  log: (line: string) => void;
}

/** The run ended with a non-zero exit status (its stderr went to `log`). */
export class SnapshotRunFailed extends Error {
  constructor(readonly exitCode: number, readonly stderr: string) {
    super(`the build run exited with status ${exitCode}${stderr ? `: ${stderr}` : ""}`);
    this.name = "SnapshotRunFailed";
  }
}

class Exit {
  constructor(readonly code: number) {}
}

const PAGE = 65536;
/** Zero runs shorter than this stay inside a data segment (a segment's head costs ~8 bytes). */
const MIN_GAP = 32;
const EXPORT_PREFIX = "__snapshot_global_";

const ERRNO = { success: 0, badf: 8, inval: 28, nosys: 52, spipe: 70 } as const;

function section(sections: Section[], id: number): Section | undefined {
  return sections.find((s) => s.id === id);
}

/** Runs `module` once as `run` says and returns the pre-initialised module. */
export async function snapshot(module: Uint8Array, run: SnapshotRun): Promise<Uint8Array> {
  const sections = splitSections(module);
  const globalSection = section(sections, SECTION.global);
  const globals = globalSection ? readGlobals(globalSection.payload) : [];
  const importedGlobals = countImports(section(sections, SECTION.import)?.payload)[3] ?? 0;
  const exportSection = section(sections, SECTION.export);
  const exports = exportSection ? readExports(exportSection.payload) : [];
  const memorySection = section(sections, SECTION.memory);
  if (memorySection === undefined) throw new Error("the module defines no memory of its own");
  const memory = readMemory(memorySection.payload);
  const dataSection = section(sections, SECTION.data);
  if (dataSection !== undefined) checkActiveSegments(dataSection.payload);

  // Export every mutable global so that its final value can be read.
  const mutable = globals.flatMap((g, i) => (g.mutable ? [i] : []));
  for (const i of mutable) {
    if (globals[i]!.type === "other") {
      throw new Error(`global ${i} has a type a snapshot cannot write`);
    }
  }
  const probe: Export[] = [
    ...exports,
    ...mutable.map((i) => ({ name: EXPORT_PREFIX + i, kind: 3, index: importedGlobals + i })),
  ];
  const probed = replace(sections, SECTION.export, writeExports(probe));
  const instance = await instantiate(joinSections(probed), run);

  // The state the run left.
  const bytes = new Uint8Array((instance.exports.memory as WebAssembly.Memory).buffer);
  const values = mutable.map((i) =>
    (instance.exports[EXPORT_PREFIX + i] as WebAssembly.Global).value
  );

  const newGlobals = globals.map((global, i) => {
    const at = mutable.indexOf(i);
    if (at < 0) return global.entry;
    return globalEntry(global.type, values[at]);
  });
  const segments = dataSegments(bytes);
  let out = replace(
    sections,
    SECTION.memory,
    writeMemory({
      ...memory,
      min: Math.max(memory.min, bytes.length / PAGE),
    }),
  );
  if (globalSection) out = replace(out, SECTION.global, vector(newGlobals));
  out = replace(out, SECTION.data, vector(segments));
  if (section(out, SECTION.dataCount)) {
    out = replace(out, SECTION.dataCount, new Uint8Array(u32(segments.length)));
  }
  return joinSections(out);
}

/** `sections` with the section of `id` holding `payload` (added in order if missing). */
function replace(sections: Section[], id: number, payload: Uint8Array): Section[] {
  if (sections.some((s) => s.id === id)) {
    return sections.map((s) => (s.id === id ? { id, payload } : s));
  }
  // Sections are ordered by id, except custom ones and data count (before code).
  const rank = (n: number) => (n === SECTION.dataCount ? SECTION.code - 0.5 : n);
  const at = sections.findIndex((s) => s.id !== SECTION.custom && rank(s.id) > rank(id));
  const out = [...sections];
  out.splice(at < 0 ? out.length : at, 0, { id, payload });
  return out;
}

/** Refuses passive segments: `memory.init` may use them, which a snapshot would break. */
function checkActiveSegments(payload: Uint8Array): void {
  const reader = new Reader(payload);
  for (let n = reader.u32(); n > 0; n--) {
    const flags = reader.u32();
    if (flags === 1) {
      throw new Error("the module has passive data segments; a snapshot would break them");
    }
    if (flags === 2) reader.u32();
    skipConstExpr(reader);
    reader.take(reader.u32());
  }
}

function globalEntry(type: string, value: unknown): Uint8Array {
  const head = [{ i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c }[type as "i32"], 1];
  switch (type) {
    case "i32":
      return new Uint8Array([...head, 0x41, ...s32(Number(value)), 0x0b]);
    case "i64":
      return new Uint8Array([...head, 0x42, ...s64(BigInt(value as bigint)), 0x0b]);
    case "f32": {
      const bytes = new Uint8Array(4);
      new DataView(bytes.buffer).setFloat32(0, Number(value), true);
      return new Uint8Array([...head, 0x43, ...bytes, 0x0b]);
    }
    default: {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setFloat64(0, Number(value), true);
      return new Uint8Array([...head, 0x44, ...bytes, 0x0b]);
    }
  }
}

/** Active data segments for the non-zero parts of `memory`. */
function dataSegments(memory: Uint8Array): Uint8Array[] {
  const segments: Uint8Array[] = [];
  let at = 0;
  const end = memory.length;
  while (at < end) {
    while (at < end && memory[at] === 0) at++;
    if (at === end) break;
    const start = at;
    let last = at; // the last non-zero byte seen
    while (at < end && at - last <= MIN_GAP) {
      if (memory[at] !== 0) last = at;
      at++;
    }
    segments.push(dataSegment(start, memory.subarray(start, last + 1)));
    at = last + 1;
  }
  return segments;
}

/** Instantiates `module` with the build run's WASI and runs its `_start`. */
async function instantiate(module: Uint8Array, run: SnapshotRun): Promise<WebAssembly.Instance> {
  const encoder = new TextEncoder();
  const args = run.args.map((a) => encoder.encode(`${a}\0`));
  let stdinAt = 0;
  let stderr = "";
  // Set once instantiated; the imports read the memory through it.
  const state: { memory?: WebAssembly.Memory } = {};
  const view = () => new DataView(state.memory!.buffer);
  const mem = () => new Uint8Array(state.memory!.buffer);
  const flushLines = (final: boolean) => {
    let nl;
    while ((nl = stderr.indexOf("\n")) >= 0) {
      run.log(stderr.slice(0, nl));
      stderr = stderr.slice(nl + 1);
    }
    if (final && stderr) run.log(stderr);
  };
  let stderrAll = "";
  const wasi: Record<string, (...a: never[]) => number> = {
    args_sizes_get: (count: number, size: number) => {
      view().setUint32(count, args.length, true);
      view().setUint32(size, args.reduce((n, a) => n + a.length, 0), true);
      return ERRNO.success;
    },
    args_get: (argv: number, buf: number) => {
      for (const [i, arg] of args.entries()) {
        view().setUint32(argv + 4 * i, buf, true);
        mem().set(arg, buf);
        buf += arg.length;
      }
      return ERRNO.success;
    },
    environ_sizes_get: (count: number, size: number) => {
      view().setUint32(count, 0, true);
      view().setUint32(size, 0, true);
      return ERRNO.success;
    },
    environ_get: () => ERRNO.success,
    clock_time_get: (_id: number, _precision: bigint, out: number) => {
      view().setBigUint64(out, 0n, true);
      return ERRNO.success;
    },
    random_get: (buf: number, len: number) => {
      mem().fill(0, buf, buf + len);
      return ERRNO.success;
    },
    fd_read: (fd: number, iovs: number, count: number, nread: number) => {
      if (fd !== 0) return ERRNO.badf;
      let total = 0;
      for (let i = 0; i < count; i++) {
        const ptr = view().getUint32(iovs + 8 * i, true);
        const len = view().getUint32(iovs + 8 * i + 4, true);
        const chunk = run.stdin.subarray(stdinAt, stdinAt + len);
        mem().set(chunk, ptr);
        stdinAt += chunk.length;
        total += chunk.length;
        if (chunk.length < len) break;
      }
      view().setUint32(nread, total, true);
      return ERRNO.success;
    },
    fd_write: (fd: number, iovs: number, count: number, nwritten: number) => {
      if (fd !== 1 && fd !== 2) return ERRNO.badf;
      let total = 0;
      for (let i = 0; i < count; i++) {
        const ptr = view().getUint32(iovs + 8 * i, true);
        const len = view().getUint32(iovs + 8 * i + 4, true);
        const text = new TextDecoder().decode(mem().subarray(ptr, ptr + len));
        if (fd === 2) {
          stderr += text;
          stderrAll += text;
          flushLines(false);
        } else {
          throw new Error("the program wrote to stdout while it was built");
        }
        total += len;
      }
      view().setUint32(nwritten, total, true);
      return ERRNO.success;
    },
    fd_fdstat_get: (fd: number, out: number) => {
      if (fd > 2) return ERRNO.badf;
      mem().fill(0, out, out + 24);
      view().setUint8(out, 2); // character device
      return ERRNO.success;
    },
    fd_close: () => ERRNO.success,
    fd_seek: () => ERRNO.spipe,
    fd_prestat_get: () => ERRNO.badf,
    sched_yield: () => ERRNO.success,
    proc_exit: (code: number) => {
      throw new Exit(code);
    },
  };
  const imports = new Proxy(wasi, {
    get: (target, name: string) => target[name] ?? (() => ERRNO.nosys),
  });
  const compiled = await WebAssembly.compile(module as Uint8Array<ArrayBuffer>);
  const instance = await WebAssembly.instantiate(compiled, { wasi_snapshot_preview1: imports });
  state.memory = instance.exports.memory as WebAssembly.Memory;
  let code = 0;
  try {
    (instance.exports._start as () => void)();
  } catch (error) {
    if (error instanceof Exit) {
      code = error.code;
    } else if (error instanceof RangeError || error instanceof WebAssembly.RuntimeError) {
      // The runtime's own stack (V8's, under QuickJS's limit) or a trap.
      flushLines(true);
      throw new SnapshotRunFailed(
        134,
        error instanceof RangeError
          ? "its top level ran out of stack (a recursion too deep)"
          : `the runtime trapped: ${(error as Error).message}`,
      );
    } else {
      throw error;
    }
  }
  flushLines(true);
  if (code !== 0) throw new SnapshotRunFailed(code, stderrAll.trim());
  return instance;
}
