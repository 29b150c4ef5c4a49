/**
 * Random modules that work memory in bulk, for the engines fuzzer: an
 * initial memory on either side of the 64 pages the Wasmi engine keeps at
 * instantiation, active data segments (one of them sometimes over a step of
 * 1 MiB, some out of bounds), then `memory.grow`, `memory.fill` and
 * `memory.copy` of sizes around the engine's step (crates/wasmi-wasm/src/
 * steps.rs), overlapping both ways and sometimes out of bounds. `_start`
 * writes what it saw to stdout: 16 bytes sampled from the memory, the
 * memory's size and each growth's answer, so the engines must agree on
 * every byte.
 */

import { HEADER, i32, name, section, uleb } from "./_feature_modules.ts";

const MIB = 1 << 20;
const STEP_SIZES = [0, 1, 65536, MIB - 1, MIB, MIB + 1, 2 * MIB + 7];
/** Where `_start` gathers what it writes: samples, size, growth answers. */
const OUT = 1024;
const OUT_LEN = 16 + 4 + 6 * 4;

/** A random bulk-memory module, and a line saying what it does. */
export function bulkModule(pick: (n: number) => number): { bytes: Uint8Array; how: string } {
  const initial = [1, 17, 64, 65, 100, 128][pick(6)]!;
  const maximum = pick(3) === 0 ? initial + pick(64) : undefined;
  const memoryBytes = initial * 65536;
  const address = () => pick(4) === 0 ? pick(memoryBytes + 2 * MIB) : pick(memoryBytes);
  const size = () => pick(3) === 0 ? pick(3 * MIB) : STEP_SIZES[pick(STEP_SIZES.length)]!;
  const how: string[] = [`memory ${initial}${maximum === undefined ? "" : `..${maximum}`}`];

  const data: number[][] = [];
  for (let k = pick(4); k > 0; k--) {
    const len = pick(8) === 0 ? MIB + pick(4096) : 1 + pick(64);
    const at = address();
    const bytes = Array.from({ length: len }, () => pick(256));
    data.push([0x00, ...i32(at), 0x0b, ...uleb(len), ...bytes]);
    how.push(`data ${len} at ${at}`);
  }

  const code: number[] = [];
  let grows = 0;
  for (let k = 1 + pick(6); k > 0; k--) {
    const op = pick(3);
    if (op === 0 && grows < 6) {
      const pages = [0, 1, 15, 16, 17, 40, 70000][pick(7)]!;
      // i32.store (OUT + 20 + 4 * grows) (memory.grow pages)
      code.push(...i32(OUT + 20 + 4 * grows++), ...i32(pages), 0x40, 0x00, 0x36, 0x02, 0x00);
      how.push(`grow ${pages}`);
    } else if (op === 1) {
      const [d, v, n] = [address(), pick(256), size()];
      code.push(...i32(d), ...i32(v), ...i32(n), 0xfc, 0x0b, 0x00);
      how.push(`fill ${d} ${v} ${n}`);
    } else {
      const [d, s, n] = [address(), address(), size()];
      code.push(...i32(d), ...i32(s), ...i32(n), 0xfc, 0x0a, 0x00, 0x00);
      how.push(`copy ${d} ${s} ${n}`);
    }
  }
  // Samples: i32.store8 (OUT + k) (i32.load8_u address).
  for (let k = 0; k < 16; k++) {
    code.push(...i32(OUT + k), ...i32(pick(memoryBytes)), 0x2d, 0x00, 0x00, 0x3a, 0x00, 0x00);
  }
  // i32.store (OUT + 16) (memory.size), then fd_write(1, iovec, 1, written).
  code.push(...i32(OUT + 16), 0x3f, 0x00, 0x36, 0x02, 0x00);
  code.push(...i32(OUT + 64), ...i32(OUT), 0x36, 0x02, 0x00);
  code.push(...i32(OUT + 68), ...i32(OUT_LEN), 0x36, 0x02, 0x00);
  code.push(...i32(1), ...i32(OUT + 64), ...i32(1), ...i32(OUT + 72), 0x10, 0x00, 0x1a);

  const body = [0x00, ...code, 0x0b];
  const limits = maximum === undefined
    ? [0x00, ...uleb(initial)]
    : [0x01, ...uleb(initial), ...uleb(maximum)];
  const bytes = new Uint8Array([
    ...HEADER,
    ...section(1, [[0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 1, 0x7f], [0x60, 0, 0]]),
    ...section(2, [[...name("wasi_snapshot_preview1"), ...name("fd_write"), 0x00, 0x00]]),
    ...section(3, [[0x01]]),
    ...section(5, [limits]),
    ...section(7, [[...name("memory"), 0x02, 0x00], [...name("_start"), 0x00, 0x01]]),
    ...section(10, [[...uleb(body.length), ...body]]),
    ...(data.length > 0 ? section(11, data) : []),
  ]);
  return { bytes, how: how.join("; ") };
}
