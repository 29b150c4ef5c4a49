import assert from "node:assert/strict";
import {
  AbortedError,
  FuelExhaustedError,
  GuestModule,
  MemoryLimitError,
  TimeoutError,
  TrapError,
} from "./mod.ts";
import { engineMode } from "../../tests/_engine_mode.ts";
import { ticksDuring } from "../../tests/_ticks.ts";

const wat = async (name: string) =>
  await GuestModule.compile(
    await Deno.readFile(new URL(`../../testdata/wat/${name}.wasm`, import.meta.url)),
    engineMode,
  );
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("GuestModule runs a guest that writes to stdout", async () => {
  using module = await wat("hello");
  const { status, stdout, stderr } = await module.output();
  assert.deepEqual({ ...status, fuelConsumed: 0 }, { code: 0, procExit: false, fuelConsumed: 0 });
  assert.ok(status.fuelConsumed > 0);
  assert.equal(text(stdout), "hello\n");
  assert.equal(stderr.length, 0);
});

Deno.test("GuestModule reports proc_exit codes as exits", async () => {
  using module = await wat("exit33");
  const { status } = await module.output();
  assert.equal(status.code, 33);
  assert.equal(status.procExit, true);
});

Deno.test("GuestModule rejects invalid bytes with a CompileError", async () => {
  await assert.rejects(
    GuestModule.compile(new TextEncoder().encode("not wasm"), engineMode),
    WebAssembly.CompileError,
  );
  await assert.rejects(
    GuestModule.compile(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1]), engineMode),
    {
      name: "CompileError",
    },
  );
});

Deno.test("GuestModule rejects an invalid function body with a CompileError", async () => {
  // (module (func (result i32) i32.add) (export "_start" (func 0))): the
  // body pops from an empty stack. The sections parse; only validating the
  // body finds the fault.
  const bytes = new Uint8Array([
    0,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0, // header
    1,
    5,
    1,
    0x60,
    0,
    1,
    0x7f, // type: () -> i32
    3,
    2,
    1,
    0, // function: one of type 0
    7,
    10,
    1,
    6,
    0x5f,
    0x73,
    0x74,
    0x61,
    0x72,
    0x74,
    0,
    0, // export "_start"
    10,
    5,
    1,
    3,
    0,
    0x6a,
    0x0b, // code: i32.add; end
  ]);
  await assert.rejects(GuestModule.compile(bytes, engineMode), { name: "CompileError" });
});

Deno.test("GuestModule runs what Wasmi supports: a SIMD function traps when first called", async () => {
  // The platform's validator accepts SIMD; the bundled Wasmi does not run it.
  using module = await wat("simd");
  if (module.engine === "v8") {
    assert.equal((await module.output()).status.code, 0);
    return;
  }
  await assert.rejects(module.output(), (error: unknown) => {
    assert.ok(error instanceof TrapError);
    assert.match(error.trap, /SIMD/);
    return true;
  });
});

Deno.test("GuestModule refuses imports outside WASI, naming them", async () => {
  using module = await wat("env_import");
  assert.deepEqual(module.linkErrors(), [
    "unsupported import `env::foo`: only wasi_snapshot_preview1 functions are provided",
  ]);
  assert.throws(() => module.spawn(), WebAssembly.LinkError);
});

Deno.test("GuestModule refuses a module without _start", async () => {
  using module = await wat("no_start");
  assert.throws(() => module.spawn(), {
    name: "LinkError",
    message: "the module exports no `_start` function",
  });
});

Deno.test("GuestModule refuses a _start that takes params, before it runs", async (t) => {
  for (const name of ["start_params", "start_import"]) {
    await t.step(name, async () => {
      using module = await wat(name);
      const message = "the module's `_start` must take and return nothing";
      assert.deepEqual(module.linkErrors(), [message]);
      assert.throws(() => module.spawn(), { name: "LinkError", message });
    });
  }
});

Deno.test("GuestModule lists imports and exports", async () => {
  using module = await wat("hello");
  assert.deepEqual(module.imports, [{
    module: "wasi_snapshot_preview1",
    name: "fd_write",
    kind: "func",
    params: ["i32", "i32", "i32", "i32"],
    results: ["i32"],
  }]);
  assert.deepEqual(module.exports.map((e) => `${e.name}:${e.kind}`).sort(), [
    "_start:func",
    "memory:memory",
  ]);
});

Deno.test("GuestModule surfaces traps with their message", async (t) => {
  for (
    const [name, message] of [
      ["trap", "wasm `unreachable` instruction executed"],
      ["div_zero", "integer divide by zero"],
      ["oob", "out of bounds memory access"],
      ["recursion", "call stack exhausted"],
      // The same words on both engines (V8's are translated into Wasmi's).
      ["null_call", "^uninitialized element$"],
      ["data_segment_oob", "^out of bounds memory access$"],
      ["elem_segment_oob", "^out of bounds table access$"],
    ]
  ) {
    await t.step(name!, async () => {
      using module = await wat(name!);
      await assert.rejects(module.output(), (e: unknown) => {
        assert.ok(e instanceof TrapError);
        assert.equal(e.kind, "trap");
        assert.match(e.trap, new RegExp(message!));
        return true;
      });
    });
  }
});

Deno.test("GuestModule stops an infinite loop by timeout while timers keep ticking", async () => {
  using module = await wat("loop");
  const ticks = await ticksDuring(async () => {
    await assert.rejects(module.output({ timeout: 300 }), (e: unknown) => {
      assert.ok(e instanceof TimeoutError);
      assert.equal(e.timeout, 300);
      assert.ok(e.fuelConsumed > 0);
      return true;
    });
  });
  assert.ok(ticks > 0, `the interval ticked ${ticks} times`);
});

Deno.test("GuestModule stops an infinite loop by abort while timers keep ticking", async () => {
  using module = await wat("loop");
  const controller = new AbortController();
  const ticks = await ticksDuring(async () => {
    const running = module.output({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error("enough")), 50);
    await assert.rejects(running, (e: unknown) => {
      assert.ok(e instanceof AbortedError);
      assert.equal((e.cause as Error).message, "enough");
      return true;
    });
  });
  assert.ok(ticks > 0, `the interval ticked ${ticks} times`);
});

Deno.test("GuestModule stops an infinite loop at its fuel budget while timers keep ticking", async () => {
  using module = await wat("loop");
  const ticks = await ticksDuring(async () => {
    await assert.rejects(module.output({ fuel: 20_000_000, fuelSlice: 100_000 }), (e: unknown) => {
      assert.ok(e instanceof FuelExhaustedError);
      // Stopped at the budget: less fuel is left than the next step needs.
      assert.ok(e.fuelConsumed <= 20_000_000 && e.fuelConsumed > 19_999_900, `${e.fuelConsumed}`);
      return true;
    });
  });
  assert.ok(ticks > 0, `the interval ticked ${ticks} times`);
});

Deno.test("GuestModule rejects an already aborted signal", async () => {
  using module = await wat("loop");
  await assert.rejects(module.output({ signal: AbortSignal.abort() }), AbortedError);
});

Deno.test("GuestModule fails cleanly when memory grows past the cap", async (t) => {
  // Exported or not, the memory counts.
  for (const name of ["grow", "grow_unexported"]) {
    await t.step(name, async () => {
      using module = await wat(name);
      await assert.rejects(module.output({ maxMemory: 4 * 65536 }), (e: unknown) => {
        assert.ok(e instanceof MemoryLimitError);
        assert.equal(e.limit, 4 * 65536);
        return true;
      });
    });
  }
});

Deno.test("GuestModule resumes a guest blocked on stdin when data arrives later", async () => {
  using module = await wat("read_echo");
  await using guest = module.spawn();
  const writer = guest.stdin.getWriter();
  const reader = guest.stdout.getReader();
  await new Promise((resolve) => setTimeout(resolve, 20));
  await writer.write(new TextEncoder().encode("first"));
  assert.equal(text((await reader.read()).value!), "first");
  await new Promise((resolve) => setTimeout(resolve, 20));
  await writer.write(new TextEncoder().encode("second"));
  assert.equal(text((await reader.read()).value!), "second");
  await writer.close();
  assert.equal((await reader.read()).done, true);
  assert.equal((await guest.status).code, 0);
});

Deno.test("GuestProcess.relimit gives a waiting guest new limits", async (t) => {
  using module = await wat("read_echo");
  /** A guest that has run up to its first read and waits there. */
  const waiting = async (options = {}) => {
    const guest = module.spawn(options);
    while (guest.fuelConsumed === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    return guest;
  };
  await t.step("fuel counts what it consumed already", async () => {
    const guest = await waiting();
    assert.equal(guest.relimit({ fuel: guest.fuelConsumed }), true);
    await assert.rejects(guest.status, FuelExhaustedError);
  });
  await t.step("a timeout runs from the call; a lifted one no longer applies", async () => {
    // 2 s: time enough to reach the read and lift it on a busy machine.
    const guest = await waiting({ timeout: 2000 });
    assert.equal(guest.relimit({}), true);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    assert.equal(guest.relimit({ timeout: 30 }), true);
    await assert.rejects(guest.status, TimeoutError);
  });
  await t.step("the new signal replaces the spawn's", async () => {
    const first = new AbortController();
    const second = new AbortController();
    const guest = await waiting({ signal: first.signal });
    assert.equal(guest.relimit({ signal: second.signal }), true);
    first.abort();
    const writer = guest.stdin.getWriter();
    await writer.write(new TextEncoder().encode("still here"));
    assert.equal(text((await guest.stdout.getReader().read()).value!), "still here");
    second.abort(new Error("the call's reason"));
    await assert.rejects(guest.status, (error: AbortedError) => {
      assert.ok(error instanceof AbortedError);
      assert.equal((error.cause as Error).message, "the call's reason");
      return true;
    });
  });
  await t.step("an ended guest keeps its outcome", async () => {
    const guest = module.spawn();
    await guest.stdin.close();
    assert.equal((await guest.status).code, 0);
    assert.equal(guest.relimit({ fuel: 1 }), false);
  });
});

Deno.test("GuestModule keeps a slow consumer's guest waiting instead of buffering", async () => {
  using module = await wat("read_echo");
  await using guest = module.spawn({ outputHighWaterMark: 1024 });
  const writer = guest.stdin.getWriter();
  const chunk = new Uint8Array(1000);
  for (let i = 0; i < 4; i++) await writer.write(chunk);
  await new Promise((resolve) => setTimeout(resolve, 20));
  // The guest wrote until stdout held about 1 KiB, then waited.
  let read = 0;
  const reader = guest.stdout.getReader();
  writer.close();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    read += value.length;
  }
  assert.equal(read, 4000);
  assert.equal((await guest.status).code, 0);
});
