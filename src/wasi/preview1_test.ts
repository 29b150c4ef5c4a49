import assert from "node:assert/strict";
import { Errno } from "./errno.ts";
import { WebAssemblyMemory } from "./guest_memory.ts";
import { InputPipe } from "./input_pipe.ts";
import { OutputPipe } from "./output_pipe.ts";
import {
  PREVIEW1_SIGNATURES,
  PREVIEW1_SUPPORT,
  type TerminalStreams,
  WasiPreview1,
} from "./preview1.ts";
import { ProcessExit } from "./process_exit.ts";
import { IOV_MAX, RANDOM_STEP } from "./_limits.ts";

// deno-lint-ignore no-explicit-any
type Fn = (...args: any[]) => number | Promise<number> | undefined;

function setup(
  options: { args?: string[]; env?: Record<string, string>; terminal?: TerminalStreams } = {},
) {
  const memory = new WebAssemblyMemory(new WebAssembly.Memory({ initial: 1 }));
  const stdin = new InputPipe();
  const stdout = new OutputPipe();
  const stderr = new OutputPipe();
  const wasi = new WasiPreview1({ memory, stdin, stdout, stderr, ...options });
  const call = (name: string, ...args: (number | bigint)[]) => (wasi.imports[name] as Fn)(...args);
  return { memory, stdin, stdout, stderr, wasi, call, view: memory.view() };
}

Deno.test("WasiPreview1 defines every preview1 function", () => {
  const { wasi } = setup();
  assert.deepEqual(Object.keys(wasi.imports).sort(), Object.keys(PREVIEW1_SIGNATURES).sort());
  assert.equal(Object.keys(PREVIEW1_SIGNATURES).length, 46);
  assert.equal(PREVIEW1_SUPPORT.fd_write, "partial");
  assert.equal(PREVIEW1_SUPPORT.random_get, "full");
  assert.equal(PREVIEW1_SUPPORT.path_open, "errno");
});

Deno.test("WasiPreview1 gives argv[0] and exactly the given environment", () => {
  const { call, view, memory } = setup({ args: ["a b"], env: { K: "v=w\n" } });
  assert.equal(call("args_sizes_get", 0, 4), Errno.SUCCESS);
  assert.deepEqual([view.getUint32(0, true), view.getUint32(4, true)], [2, "guest\0a b\0".length]);
  assert.equal(call("args_get", 100, 200), Errno.SUCCESS);
  const text = new TextDecoder().decode(memory.bytes().subarray(200, 200 + 10));
  assert.equal(text, "guest\0a b\0");
  assert.equal(view.getUint32(104, true), 206);
  assert.equal(call("environ_sizes_get", 0, 4), Errno.SUCCESS);
  assert.deepEqual([view.getUint32(0, true), view.getUint32(4, true)], [1, "K=v=w\n\0".length]);
});

Deno.test("WasiPreview1 rejects environment names with '='", () => {
  assert.throws(() => setup({ env: { "A=B": "x" } }), TypeError);
});

Deno.test("WasiPreview1 answers the errnos C and Go startup depends on", () => {
  const { call, view } = setup();
  assert.equal(call("fd_prestat_get", 3, 0), Errno.BADF);
  assert.equal(call("fd_write", 0xffff85a7, 0, 0, 0), Errno.BADF); // fd -31337
  assert.equal(call("sock_shutdown", 3, 0), Errno.BADF);
  assert.equal(call("sock_shutdown", 1, 0), Errno.NOTSOCK);
  assert.equal(call("fd_seek", 1, 0n, 0, 0), Errno.SPIPE);
  assert.equal(call("fd_seek", 5, 0n, 0, 0), Errno.BADF);
  assert.equal(call("path_open", 3, 0, 0, 0, 0, 0n, 0n, 0, 0), Errno.BADF);
  assert.equal(call("fd_fdstat_set_flags", 0, 4), Errno.NOSYS);
  for (const fd of [0, 1, 2]) {
    assert.equal(call("fd_fdstat_get", fd, 64), Errno.SUCCESS);
    assert.equal(view.getUint8(64), 0); // a pipe: unknown file type
    assert.equal(view.getUint16(66, true), 0); // never non-blocking
  }
  assert.equal(call("fd_fdstat_get", 3, 64), Errno.BADF);
});

Deno.test("WasiPreview1 fills random bytes and accepts an empty request", () => {
  const { call, memory } = setup();
  assert.equal(call("random_get", 0, 0), Errno.SUCCESS);
  assert.equal(call("random_get", 0, 256), Errno.SUCCESS);
  assert.ok(memory.bytes().subarray(0, 256).some((byte) => byte !== 0));
});

Deno.test("WasiPreview1 reads REALTIME and MONOTONIC clocks only", () => {
  const { call, view } = setup();
  const now = () => performance.timeOrigin + performance.now();
  const before = now();
  assert.equal(call("clock_time_get", 0, 0n, 8), Errno.SUCCESS);
  const after = now();
  const realtime = Number(view.getBigUint64(8, true) / 1_000_000n);
  assert.ok(realtime >= before - 1 && realtime <= after + 1, `${before} ${realtime} ${after}`);
  assert.equal(call("clock_time_get", 1, 0n, 8), Errno.SUCCESS);
  assert.equal(call("clock_time_get", 2, 0n, 8), Errno.INVAL);
});

Deno.test("WasiPreview1 ends the guest on proc_exit and proc_raise", () => {
  const { call } = setup();
  assert.throws(() => call("proc_exit", 33), (e) => e instanceof ProcessExit && e.code === 33);
  assert.throws(
    () => call("proc_raise", 6),
    (e) => e instanceof ProcessExit && e.code === 134 && e.signal === 6,
  );
});

Deno.test("WasiPreview1 gathers iovecs and writes into one chunk until flushed", async () => {
  const { call, view, memory, stdout, wasi } = setup();
  memory.bytes().set(new TextEncoder().encode("hello world"), 100);
  view.setUint32(0, 100, true);
  view.setUint32(4, 6, true);
  view.setUint32(8, 106, true);
  view.setUint32(12, 5, true);
  assert.equal(call("fd_write", 1, 0, 2, 16), Errno.SUCCESS);
  assert.equal(call("fd_write", 1, 0, 2, 16), Errno.SUCCESS);
  assert.equal(view.getUint32(16, true), 11);
  wasi.flush();
  const { value } = await stdout.readable.getReader().read();
  assert.equal(new TextDecoder().decode(value), "hello worldhello world");
});

Deno.test("WasiPreview1 reports each stdio stream as a pipe or, when told, a terminal", () => {
  // As wasmtime 51 does: file type 0 (unknown) for a pipe, 2 (character
  // device) for a terminal, and the stream's one right, base and inheriting.
  const kinds = (terminal?: TerminalStreams) => {
    const { call, view } = setup(terminal === undefined ? {} : { terminal });
    return [0, 1, 2].map((fd) => {
      view.setUint32(68, 0xffffffff, true); // padding the answer must clear
      assert.equal(call("fd_fdstat_get", fd, 64), Errno.SUCCESS);
      assert.equal(call("fd_filestat_get", fd, 128), Errno.SUCCESS);
      return [
        view.getUint8(64),
        view.getUint16(66, true),
        view.getUint32(68, true),
        view.getBigUint64(72, true),
        view.getBigUint64(80, true),
        view.getUint8(128 + 16),
      ];
    });
  };
  const [read, write] = [1n << 1n, 1n << 6n];
  assert.deepEqual(kinds(), [
    [0, 0, 0, read, read, 0],
    [0, 0, 0, write, write, 0],
    [0, 0, 0, write, write, 0],
  ]);
  assert.deepEqual(kinds({ stdout: true, stderr: false }), [
    [0, 0, 0, read, read, 0],
    [2, 0, 0, write, write, 2],
    [0, 0, 0, write, write, 0],
  ]);
  assert.deepEqual(kinds({ stdin: true, stdout: true, stderr: true }).map((k) => k[0]), [2, 2, 2]);
});

Deno.test("WasiPreview1 sends stdout and stderr on in the order the guest wrote them", async () => {
  const { call, view, memory, wasi, stdout, stderr } = setup();
  const chunks: string[] = [];
  const collect = async (name: string, stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) chunks.push(`${name}:${new TextDecoder().decode(chunk)}`);
  };
  const done = Promise.all([collect("out", stdout.readable), collect("err", stderr.readable)]);
  memory.bytes().set(new TextEncoder().encode("abc"), 100);
  const write = (fd: number, at: number) => {
    view.setUint32(0, at, true);
    view.setUint32(4, 1, true);
    assert.equal(call("fd_write", fd, 0, 1, 16), Errno.SUCCESS);
  };
  write(1, 100);
  write(1, 101);
  write(2, 102);
  write(1, 100);
  wasi.flush();
  stdout.close();
  stderr.close();
  await done;
  assert.deepEqual(chunks, ["out:ab", "err:c", "out:a"]);
});

Deno.test("WasiPreview1 sends what the guest wrote before it waits for input", async () => {
  const { call, view, memory, stdout, stdin } = setup();
  memory.bytes().set(new TextEncoder().encode("reply\n"), 100);
  view.setUint32(0, 100, true);
  view.setUint32(4, 6, true);
  assert.equal(call("fd_write", 1, 0, 1, 16), Errno.SUCCESS);
  view.setUint32(0, 200, true);
  view.setUint32(4, 16, true);
  const pending = call("fd_read", 0, 0, 1, 8);
  assert.ok(pending instanceof Promise);
  const { value } = await stdout.readable.getReader().read();
  assert.equal(new TextDecoder().decode(value), "reply\n");
  await stdin.writable.close();
  assert.equal(await pending, Errno.SUCCESS);
});

Deno.test("WasiPreview1 answers EPIPE to writes once the reader cancelled", async () => {
  const { call, view, stdout, stderr } = setup();
  view.setUint32(0, 100, true);
  view.setUint32(4, 4, true);
  assert.equal(call("fd_write", 1, 0, 1, 16), Errno.SUCCESS);
  await stdout.readable.cancel();
  assert.equal(call("fd_write", 1, 0, 1, 16), Errno.PIPE);
  assert.equal(call("fd_write", 2, 0, 1, 16), Errno.SUCCESS);
  await stderr.readable.cancel();
  assert.equal(call("fd_write", 2, 0, 1, 16), Errno.PIPE);
});

Deno.test("WasiPreview1 throws RangeError for pointers outside memory", () => {
  const { call } = setup();
  assert.throws(() => call("fd_write", 1, 65530, 2, 0), RangeError);
  assert.throws(() => call("random_get", 65000, 1000), RangeError);
});

Deno.test("WasiPreview1 suspends fd_read until input arrives", async () => {
  const { call, view, memory, stdin } = setup();
  view.setUint32(0, 100, true);
  view.setUint32(4, 16, true);
  const pending = call("fd_read", 0, 0, 1, 8);
  assert.ok(pending instanceof Promise);
  const writer = stdin.writable.getWriter();
  await writer.write(new TextEncoder().encode("late"));
  assert.equal(await pending, Errno.SUCCESS);
  assert.equal(view.getUint32(8, true), 4);
  assert.equal(new TextDecoder().decode(memory.bytes().subarray(100, 104)), "late");
  await writer.close();
  assert.equal(call("fd_read", 0, 0, 1, 8), Errno.SUCCESS);
  assert.equal(view.getUint32(8, true), 0);
});

Deno.test("WasiPreview1 sleeps in poll_oneoff with a relative clock", async () => {
  const { call, view } = setup();
  view.setBigUint64(0, 7n, true); // userdata
  view.setUint8(8, 0); // clock
  view.setUint32(16, 1, true); // MONOTONIC
  view.setBigUint64(24, 20_000_000n, true); // 20 ms
  const started = performance.now();
  const pending = call("poll_oneoff", 0, 100, 1, 200);
  assert.ok(pending instanceof Promise);
  assert.equal(await pending, Errno.SUCCESS);
  assert.ok(performance.now() - started >= 19);
  assert.equal(view.getUint32(200, true), 1);
  assert.equal(view.getBigUint64(100, true), 7n);
  assert.equal(view.getUint16(108, true), Errno.SUCCESS);
});

Deno.test("WasiPreview1 answers fd subscriptions of poll_oneoff at once with ENOSYS", () => {
  const { call, view } = setup();
  view.setUint8(8, 1); // fd_read
  assert.equal(call("poll_oneoff", 0, 100, 1, 200), Errno.SUCCESS);
  assert.equal(view.getUint32(200, true), 1);
  assert.equal(view.getUint16(108, true), Errno.NOSYS);
  assert.equal(call("poll_oneoff", 0, 100, 0, 200), Errno.INVAL);
});

Deno.test("WasiPreview1 bounds one call's host work: IOV_MAX iovecs, short writes, random_get in steps", async (t) => {
  await t.step("more than IOV_MAX iovecs answer EINVAL, for reading and writing", () => {
    const { call } = setup();
    assert.equal(call("fd_write", 1, 0, IOV_MAX + 1, 0), Errno.INVAL);
    assert.equal(call("fd_read", 0, 0, IOV_MAX + 1, 0), Errno.INVAL);
  });
  await t.step("a write stops where the reader falls behind: a short write", async () => {
    const memory = new WebAssemblyMemory(new WebAssembly.Memory({ initial: 4 }));
    const stdout = new OutputPipe({ highWaterMark: 64 * 1024 });
    const wasi = new WasiPreview1({
      memory,
      stdin: new InputPipe(),
      stdout,
      stderr: new OutputPipe(),
    });
    const view = memory.view();
    // 40 iovecs naming the same 128 KiB (from 65536): 5 MiB asked of one call.
    for (let i = 0; i < 40; i++) {
      view.setUint32(i * 8, 65536, true);
      view.setUint32(i * 8 + 4, 128 * 1024, true);
    }
    const answer = (wasi.imports.fd_write as Fn)(1, 0, 40, 1024);
    assert.ok(answer instanceof Promise, "the guest waits for the reader");
    const reading = (async () => {
      let total = 0;
      for await (const chunk of stdout.readable) total += chunk.length;
      return total;
    })();
    assert.equal(await answer, Errno.SUCCESS);
    assert.equal(view.getUint32(1024, true), 128 * 1024, "one iovec taken, the rest left");
    stdout.close();
    assert.equal(await reading, 128 * 1024);
  });
  await t.step("random_get fills a large buffer RANDOM_STEP bytes per turn", async () => {
    const memory = new WebAssemblyMemory(new WebAssembly.Memory({ initial: 64 }));
    const wasi = new WasiPreview1({
      memory,
      stdin: new InputPipe(),
      stdout: new OutputPipe(),
      stderr: new OutputPipe(),
    });
    assert.equal((wasi.imports.random_get as Fn)(0, RANDOM_STEP), Errno.SUCCESS, "one step");
    const len = 3 * RANDOM_STEP + 5;
    const answer = (wasi.imports.random_get as Fn)(0, len);
    assert.ok(answer instanceof Promise, "a larger buffer suspends the guest");
    assert.equal(await answer, Errno.SUCCESS);
    const bytes = memory.bytes();
    // Each step's last 64 bytes are not all zero: every step was filled.
    for (const end of [RANDOM_STEP, 2 * RANDOM_STEP, 3 * RANDOM_STEP, len]) {
      assert.ok(bytes.subarray(end - 64, end).some((b) => b !== 0), `filled up to ${end}`);
    }
  });
});
