/**
 * Hand-encoded modules that use post-MVP proposals (Debian's wabt 1.0.32
 * cannot assemble GC or `try_table`): a tiny byte builder, and one
 * `_start` per proposal, for the engine suites and the engines fuzzer.
 */

/** Unsigned LEB128. */
export function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit value. */
function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
/** The magic number and version every module starts with. */
export const HEADER: readonly number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** A section of `items`, with its count. */
export const section = (id: number, items: number[][]): number[] => {
  const body = vec(items);
  return [id, ...uleb(body.length), ...body];
};
/** A name: its length and UTF-8 bytes. */
export const name = (
  text: string,
): number[] => [...uleb(text.length), ...new TextEncoder().encode(text)];

/** `i32.const value`. */
export const i32 = (value: number): number[] => [0x41, ...sleb(value)];

/** What a module built by {@linkcode buildModule} holds besides `_start`. */
export interface ModuleParts {
  /** Type entries after type 0, `() -> ()` (encoded: `0x5e ...` an array, `0x5f ...` a struct). */
  types?: number[][];
  /** The memory's limits (encoded), default one page (`[0x00, 0x01]`). */
  memory?: number[];
  /** Tags, each of a type index. */
  tags?: number[];
  /** Functions after `_start` (index 0), each `() -> ()` with the given body (no `end`). */
  funcs?: number[][];
  /** Tables: of `funcref` with the given initial entries (no maximum), or encoded entries. */
  tables?: (number | number[])[];
}

/**
 * A module exporting `memory` and `_start` (function 0, type 0), `start`
 * being its body without the final `end`.
 */
export function buildModule(start: number[], parts: ModuleParts = {}): Uint8Array {
  const { types = [], memory = [0x00, 0x01], tags = [], funcs = [], tables = [] } = parts;
  const bodies = [start, ...funcs].map((body) => {
    const code = [0x00, ...body, 0x0b];
    return [...uleb(code.length), ...code];
  });
  return new Uint8Array([
    ...HEADER,
    ...section(1, [[0x60, 0x00, 0x00], ...types]),
    ...section(3, bodies.map(() => [0x00])),
    ...(tables.length > 0
      ? section(4, tables.map((t) => typeof t === "number" ? [0x70, 0x00, ...uleb(t)] : t))
      : []),
    ...section(5, [memory]),
    ...(tags.length > 0 ? section(13, tags.map((type) => [0x00, ...uleb(type)])) : []),
    ...section(7, [[...name("memory"), 0x02, 0x00], [...name("_start"), 0x00, 0x00]]),
    ...section(10, bodies),
  ]);
}

const GC = 0xfb;
/** Type 1: `(array (mut i8))`; type 2: `(struct (field i32))`. */
const GC_TYPES = [[0x5e, 0x78, 0x01], [0x5f, 0x01, 0x7f, 0x00]];

/**
 * Modules that use one proposal each, by the proposal's name in the
 * feature table, with what their `_start` does.
 */
export const FEATURE_MODULES: Readonly<Record<string, { proposal: string; bytes: Uint8Array }>> = {
  // A 1 GiB array: outside any memory limit.
  "array.new": {
    proposal: "gc",
    bytes: buildModule([...i32(0), ...i32(1 << 30), GC, 0x06, 0x01, 0x1a], { types: GC_TYPES }),
  },
  "struct.new": {
    proposal: "gc",
    bytes: buildModule([...i32(7), GC, 0x00, 0x02, 0x1a], { types: GC_TYPES }),
  },
  // array.new_default then array.fill of 2^24 bytes: one instruction.
  "array.fill": {
    proposal: "gc",
    bytes: buildModule(
      [...i32(1 << 24), GC, 0x07, 0x01, ...i32(0), ...i32(1), ...i32(1 << 24), GC, 0x10, 0x01],
      { types: GC_TYPES },
    ),
  },
  // A table with an initialiser expression (the typed function references
  // encoding, 0x40 0x00): V8 accepted it while the scan saw nothing.
  "a table with an initialiser": {
    proposal: "function_references",
    bytes: buildModule([], { tables: [[0x40, 0x00, 0x70, 0x00, 0x01, 0xd0, 0x70, 0x0b]] }),
  },
  // memory.atomic.wait32 on a shared memory, no timeout.
  "memory.atomic.wait32": {
    proposal: "threads",
    bytes: buildModule(
      [...i32(0), ...i32(0), 0x42, 0x7f, 0xfe, 0x01, 0x02, 0x00, 0x1a],
      { memory: [0x03, 0x01, 0x01] },
    ),
  },
  // try_table (catch_all 0) around a throw, in a loop: charged per throw.
  "try_table loop": {
    proposal: "exceptions",
    bytes: buildModule(
      [
        0x03,
        0x40,
        0x02,
        0x40,
        0x1f,
        0x40,
        0x01,
        0x02,
        0x00,
        0x08,
        0x00,
        0x0b,
        0x0b,
        0x0c,
        0x00,
        0x0b,
      ],
      { tags: [0] },
    ),
  },
  // throw out of _start.
  "throw": { proposal: "exceptions", bytes: buildModule([0x08, 0x00], { tags: [0] }) },
};

/** A piece of `_start` that uses a proposal (or none), with what it needs. */
interface Snippet {
  proposals: string[];
  code: number[];
  types?: number[][];
  tags?: boolean;
}

/** Stands for the address operand: `i32.const 0`, or `i64.const 0` on a 64-bit memory. */
const ADDRESS = -1;

const SNIPPETS: readonly Snippet[] = [
  { proposals: [], code: [0x01] }, // nop
  // memory.atomic.notify (never blocks); its address is an i32 (an i64 on a 64-bit memory).
  { proposals: ["threads"], code: [ADDRESS, ...i32(1), 0xfe, 0x00, 0x02, 0x00, 0x1a] },
  { proposals: ["gc"], code: [...i32(3), GC, 0x00, 0x02, 0x1a], types: GC_TYPES },
  { proposals: ["gc"], code: [...i32(4), GC, 0x07, 0x01, 0x1a], types: GC_TYPES },
  // try_table (catch_all) around a throw, inside a block it branches to.
  {
    proposals: ["exceptions"],
    code: [0x02, 0x40, 0x1f, 0x40, 0x01, 0x02, 0x00, 0x08, 0x00, 0x0b, 0x0b],
    tags: true,
  },
  // Legacy try / catch_all around a throw.
  {
    proposals: ["exceptions", "legacy_exceptions"],
    code: [0x06, 0x40, 0x08, 0x00, 0x19, 0x0b],
    tags: true,
  },
  { proposals: ["simd"], code: [0xfd, 0x0c, ...new Array(16).fill(0), 0x1a] },
  { proposals: ["sign_extension"], code: [...i32(200), 0xc0, 0x1a] },
];

/** Memories: plain, shared (threads), 64-bit (memory64). */
const MEMORIES: readonly { proposals: string[]; limits: number[] }[] = [
  { proposals: [], limits: [0x00, 0x01] },
  { proposals: ["threads"], limits: [0x03, 0x01, 0x01] },
  { proposals: ["memory64"], limits: [0x04, 0x01] },
];

/**
 * A module whose `_start` strings together random snippets, each using a
 * proposal (threads, GC, exceptions in both encodings, SIMD, ...), with a
 * random memory (plain, shared or 64-bit), and the proposals it uses.
 * `pick(n)` returns an integer in [0, n).
 */
export function featureModule(pick: (n: number) => number): {
  bytes: Uint8Array;
  proposals: string[];
  how: string;
} {
  const memory = MEMORIES[pick(MEMORIES.length)]!;
  // One encoding of exceptions per module: V8 refuses a mix of the two.
  const legacy = pick(2) === 0;
  const usable = SNIPPETS.filter((s) =>
    !s.proposals.includes(legacy ? "exceptions" : "legacy_exceptions") ||
    s.proposals.includes("legacy_exceptions") === legacy
  );
  const snippets = Array.from({ length: 1 + pick(3) }, () => usable[pick(usable.length)]!);
  const address = memory.proposals.includes("memory64") ? [0x42, 0x00] : i32(0);
  const proposals = new Set(memory.proposals);
  for (const snippet of snippets) for (const p of snippet.proposals) proposals.add(p);
  const needsGc = snippets.some((s) => s.types !== undefined);
  const code = snippets.flatMap((s) => s.code.flatMap((b) => b === ADDRESS ? address : [b]));
  const bytes = buildModule(code, {
    memory: memory.limits,
    ...(needsGc ? { types: GC_TYPES } : {}),
    ...(snippets.some((s) => s.tags) ? { tags: [0] } : {}),
  });
  const sorted = [...proposals].sort();
  return { bytes, proposals: sorted, how: `feature module using [${sorted.join(", ")}]` };
}
