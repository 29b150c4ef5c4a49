/**
 * Runs a wasm32-wasip1 command on V8's own WebAssembly with this package's
 * WASI layer: the physical reference for the interpreter's figures. Stdin is
 * provided up front (closed), so no WASI call ever needs to suspend.
 *
 * @module
 */

import {
  Errno,
  InputPipe,
  OutputPipe,
  ProcessExit,
  WasiPreview1,
  WebAssemblyMemory,
} from "../mod.ts";

/** What a native run printed and how it exited. */
export interface NativeOutput {
  code: number;
  stdout: string;
}

/** Runs `_start` of `module` natively with `args` after argv[0]. */
export async function runNative(module: WebAssembly.Module, args: string[]): Promise<NativeOutput> {
  const stdin = new InputPipe();
  await stdin.writable.getWriter().close();
  const stdout = new OutputPipe({ highWaterMark: 1 << 30 });
  const stderr = new OutputPipe({ highWaterMark: 1 << 30 });
  const memory: { current?: WebAssemblyMemory } = {};
  const wasi = new WasiPreview1({
    memory: { bytes: () => memory.current!.bytes(), view: () => memory.current!.view() },
    programName: "bench_guest",
    args,
    stdin,
    stdout,
    stderr,
  });
  const functions: Record<string, (...args: (number | bigint)[]) => number | undefined> = {};
  for (const [name, fn] of Object.entries(wasi.imports)) {
    functions[name] = (...values) => {
      // V8 passes i32 as signed numbers; the WASI layer takes them unsigned.
      const unsigned = values.map((v) => typeof v === "number" ? v >>> 0 : v);
      try {
        const result = (fn as (...a: (number | bigint)[]) => number | Promise<number> | undefined)(
          ...unsigned,
        );
        if (result instanceof Promise) {
          throw new Error(`${name} would suspend: not supported natively`);
        }
        return result;
      } catch (error) {
        if (error instanceof RangeError) return Errno.FAULT;
        throw error;
      }
    };
  }
  const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: functions });
  memory.current = new WebAssemblyMemory(instance.exports.memory as WebAssembly.Memory);
  let code = 0;
  try {
    (instance.exports._start as () => void)();
  } catch (error) {
    if (!(error instanceof ProcessExit)) throw error;
    code = error.code;
  }
  stdout.close();
  return { code, stdout: await new Response(stdout.readable).text() };
}
