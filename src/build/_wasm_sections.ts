/**
 * Just enough of the wasm binary format to pre-initialise a module: split it
 * into sections, read its globals, memory and exports, and write the
 * sections a snapshot replaces (data, data count, memory, globals, exports).
 * Function bodies are never decoded: they are copied as they are.
 *
 * @module
 */

/** Section ids of the wasm binary format. */
export const SECTION = {
  custom: 0,
  type: 1,
  import: 2,
  function: 3,
  table: 4,
  memory: 5,
  global: 6,
  export: 7,
  start: 8,
  element: 9,
  code: 10,
  data: 11,
  dataCount: 12,
} as const;

/** One section: its id and its payload (without the id and size). */
export interface Section {
  id: number;
  payload: Uint8Array;
}

/** A byte reader over a wasm payload. */
export class Reader {
  at = 0;
  constructor(readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.at >= this.bytes.length;
  }

  byte(): number {
    if (this.at >= this.bytes.length) throw new Error("the module ends inside a section");
    return this.bytes[this.at++]!;
  }

  /** An unsigned LEB128 of up to 32 bits. */
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
    }
  }

  /** Skips a signed LEB128 (of any width). */
  skipLeb(): void {
    while (this.byte() & 0x80);
  }

  take(length: number): Uint8Array {
    const slice = this.bytes.subarray(this.at, this.at + length);
    if (slice.length !== length) throw new Error("the module ends inside a section");
    this.at += length;
    return slice;
  }

  name(): string {
    return new TextDecoder().decode(this.take(this.u32()));
  }
}

/** Unsigned LEB128 bytes of `value`. */
export function u32(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** Signed LEB128 bytes of a 32-bit `value`. */
export function s32(value: number): number[] {
  const out: number[] = [];
  value |= 0;
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

/** Signed LEB128 bytes of a 64-bit `value`. */
export function s64(value: bigint): number[] {
  const out: number[] = [];
  value = BigInt.asIntN(64, value);
  for (;;) {
    const byte = Number(value & 0x7fn);
    value >>= 7n;
    if ((value === 0n && (byte & 0x40) === 0) || (value === -1n && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const MAGIC = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** The sections of `module`, in order. */
export function splitSections(module: Uint8Array): Section[] {
  if (!MAGIC.every((byte, i) => module[i] === byte)) {
    throw new Error("not a wasm module (no \\0asm version 1 header)");
  }
  const reader = new Reader(module);
  reader.at = MAGIC.length;
  const sections: Section[] = [];
  while (!reader.done) {
    const id = reader.byte();
    sections.push({ id, payload: reader.take(reader.u32()) });
  }
  return sections;
}

/** The module made of `sections`. */
export function joinSections(sections: Section[]): Uint8Array {
  const parts: Uint8Array[] = [new Uint8Array(MAGIC)];
  for (const { id, payload } of sections) {
    parts.push(new Uint8Array([id, ...u32(payload.length)]), payload);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A vector section's payload: its count, then `items` as they are. */
export function vector(items: Uint8Array[]): Uint8Array {
  const head = u32(items.length);
  const out = new Uint8Array(head.length + items.reduce((n, i) => n + i.length, 0));
  out.set(head);
  let at = head.length;
  for (const item of items) {
    out.set(item, at);
    at += item.length;
  }
  return out;
}

/** Value types of globals. */
export type ValueType = "i32" | "i64" | "f32" | "f64" | "other";

const VALUE_TYPES: Record<number, ValueType> = {
  0x7f: "i32",
  0x7e: "i64",
  0x7d: "f32",
  0x7c: "f64",
};

/** A global of the global section: its type, mutability and encoded entry. */
export interface Global {
  type: ValueType;
  mutable: boolean;
  /** The whole entry (type, mutability, initialiser), as encoded. */
  entry: Uint8Array;
}

/** Reads a constant expression up to and with its `end`. */
export function skipConstExpr(reader: Reader): void {
  for (;;) {
    const op = reader.byte();
    switch (op) {
      case 0x0b: // end
        return;
      case 0x41: // i32.const
      case 0x42: // i64.const
        reader.skipLeb();
        break;
      case 0x43: // f32.const
        reader.take(4);
        break;
      case 0x44: // f64.const
        reader.take(8);
        break;
      case 0x23: // global.get
      case 0xd2: // ref.func
        reader.u32();
        break;
      case 0xd0: // ref.null
        reader.byte();
        break;
      case 0x6a: // i32.add, i32.sub, i32.mul, i64.add, i64.sub, i64.mul (extended const)
      case 0x6b:
      case 0x6c:
      case 0x7c:
      case 0x7d:
      case 0x7e:
        break;
      default:
        throw new Error(`a constant expression has an unknown instruction 0x${op.toString(16)}`);
    }
  }
}

/** The entries of the global section. */
export function readGlobals(payload: Uint8Array): Global[] {
  const reader = new Reader(payload);
  const globals: Global[] = [];
  for (let n = reader.u32(); n > 0; n--) {
    const start = reader.at;
    const type = VALUE_TYPES[reader.byte()] ?? "other";
    const mutable = reader.byte() === 1;
    skipConstExpr(reader);
    globals.push({ type, mutable, entry: payload.slice(start, reader.at) });
  }
  return globals;
}

/** How many globals, functions, ... the import section imports, by kind (0 func, 1 table, 2 memory, 3 global). */
export function countImports(payload: Uint8Array | undefined): number[] {
  const counts = [0, 0, 0, 0];
  if (payload === undefined) return counts;
  const reader = new Reader(payload);
  for (let n = reader.u32(); n > 0; n--) {
    reader.name();
    reader.name();
    const kind = reader.byte();
    counts[kind] = (counts[kind] ?? 0) + 1;
    switch (kind) {
      case 0:
        reader.u32();
        break;
      case 1:
        reader.byte();
        limits(reader);
        break;
      case 2:
        limits(reader);
        break;
      case 3:
        reader.byte();
        reader.byte();
        break;
      default:
        throw new Error(`an import of unknown kind ${kind}`);
    }
  }
  return counts;
}

/** Limits: flags, minimum, and maximum if the flags say so. */
export interface Limits {
  flags: number;
  min: number;
  max?: number;
}

function limits(reader: Reader): Limits {
  const flags = reader.byte();
  const min = reader.u32();
  return (flags & 1) ? { flags, min, max: reader.u32() } : { flags, min };
}

/** The one memory of the memory section. */
export function readMemory(payload: Uint8Array): Limits {
  const reader = new Reader(payload);
  if (reader.u32() !== 1) throw new Error("the module defines other than one memory");
  const memory = limits(reader);
  if (memory.flags & ~1) throw new Error("the module's memory is shared or 64-bit");
  return memory;
}

/** A memory section with one memory of `memory`'s limits. */
export function writeMemory(memory: Limits): Uint8Array {
  const bytes = [1, memory.flags, ...u32(memory.min)];
  if (memory.max !== undefined) bytes.push(...u32(memory.max));
  return new Uint8Array(bytes);
}

/** An export entry: name, kind (0 func, 1 table, 2 memory, 3 global), index. */
export interface Export {
  name: string;
  kind: number;
  index: number;
}

export function readExports(payload: Uint8Array): Export[] {
  const reader = new Reader(payload);
  const exports: Export[] = [];
  for (let n = reader.u32(); n > 0; n--) {
    exports.push({ name: reader.name(), kind: reader.byte(), index: reader.u32() });
  }
  return exports;
}

export function writeExports(exports: Export[]): Uint8Array {
  const encoder = new TextEncoder();
  return vector(exports.map(({ name, kind, index }) => {
    const bytes = encoder.encode(name);
    return new Uint8Array([...u32(bytes.length), ...bytes, kind, ...u32(index)]);
  }));
}

/** An active data segment of memory 0 at `offset` holding `bytes`. */
export function dataSegment(offset: number, bytes: Uint8Array): Uint8Array {
  const head = [0x00, 0x41, ...s32(offset), 0x0b, ...u32(bytes.length)];
  const out = new Uint8Array(head.length + bytes.length);
  out.set(head);
  out.set(bytes, head.length);
  return out;
}
