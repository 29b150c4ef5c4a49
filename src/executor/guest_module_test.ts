import assert from "node:assert/strict";
import {
  AbortedError,
  FEATURES,
  FuelExhaustedError,
  GuestModule,
  MemoryBudget,
  MemoryLimitError,
  TimeoutError,
  TrapError,
  UnsupportedFeatureError,
} from "./mod.ts";
import { yieldToEventLoop } from "./_yield.ts";
import { FEATURE_MODULES } from "../../tests/_feature_modules.ts";
import { engineMode } from "../../tests/_engine_mode.ts";
import { ticksDuring } from "../../tests/_ticks.ts";

const wat = async (name: string) =>
  await GuestModule.compile(
    await Deno.readFile(new URL(`../../testdata/wat/${name}.wasm`, import.meta.url)),
    engineMode,
  );
const wasm = (name: string) =>
  Deno.readFile(new URL(`../../testdata/wat/${name}.wasm`, import.meta.url));
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

Deno.test("GuestModule gives fresh memory as one instruction would, though Wasmi works it in steps", async () => {
  // 256 MiB initial memory, its data segment near the end, a fill of all of
  // it and overlapping copies of 5 MiB (the Wasmi engine does each in steps
  // of 1 MiB, see crates/wasmi-wasm/src/steps.rs).
  const bytes = await Deno.readFile(
    new URL("../../testdata/wat/fresh_memory.wasm", import.meta.url),
  );
  using module = await GuestModule.compile(bytes, engineMode);
  assert.equal(module.exports.find((e) => e.kind === "memory")?.minimum, 4095);
  const { status, stdout } = await module.output({ maxMemory: 300 << 20 });
  assert.equal(status.code, 0);
  assert.deepEqual([...stdout], [...new TextEncoder().encode("ok!ab"), 0xff]);
  // Under a cap below the initial memory, the call fails with kind memory.
  await assert.rejects(module.output({ maxMemory: 64 << 20 }), { name: "MemoryLimitError" });
});

Deno.test("GuestModule runs SIMD on the v8 engine and refuses it at load on the wasmi engine", async () => {
  if (engineMode.engine === "v8") {
    using module = await wat("simd");
    assert.deepEqual(module.proposals, ["simd"]);
    assert.equal((await module.output()).status.code, 0);
    return;
  }
  await assert.rejects(wat("simd"), (error: unknown) => {
    assert.ok(error instanceof UnsupportedFeatureError);
    assert.ok(error instanceof WebAssembly.CompileError);
    assert.equal(
      error.message,
      'The module uses SIMD, which the wasmi engine does not support; the v8 engine runs it (engine: "v8")',
    );
    assert.deepEqual([error.proposals, error.runsOn], [["simd"], ["v8"]]);
    return true;
  });
});

Deno.test("GuestModule refuses at load, on both engines, what neither runs, naming it", async (t) => {
  const refused: [string, Uint8Array, string][] = [
    [
      "atomics.wait on a shared memory",
      await wasm("atomics_wait"),
      "threads (shared memory and atomics)",
    ],
    ["a 64-bit memory", await wasm("memory64"), "64-bit memories or tables (memory64)"],
    ["two memories", await wasm("multi_memory"), "several memories (multi-memory)"],
    ...Object.entries(FEATURE_MODULES)
      .filter(([, { proposal }]) => !FEATURES[proposal]![engineMode.engine])
      .filter(([, { proposal }]) => proposal !== "exceptions")
      .map(([name, { proposal, bytes }]): [string, Uint8Array, string] => [
        name,
        bytes,
        FEATURES[proposal]!.name,
      ]),
  ];
  for (const [name, bytes, feature] of refused) {
    await t.step(name, async () => {
      await assert.rejects(GuestModule.compile(bytes, engineMode), (error: unknown) => {
        assert.ok(error instanceof UnsupportedFeatureError, String(error));
        assert.equal(
          error.message,
          `The module uses ${feature}, which the ${engineMode.engine} engine does not support`,
        );
        assert.deepEqual(error.runsOn, []);
        return true;
      });
    });
  }
});

Deno.test("GuestModule runs wasm exceptions metered on v8 (a trap when one escapes) and refuses them on wasmi", async (t) => {
  const cases: [string, Uint8Array][] = [
    ["throw out of _start (legacy encoding)", await wasm("exception_escape")],
    ["throw out of _start", FEATURE_MODULES["throw"]!.bytes],
    ["a throw/catch loop (legacy try/catch)", await wasm("exception_loop")],
    ["a throw/catch loop (try_table)", FEATURE_MODULES["try_table loop"]!.bytes],
  ];
  for (const [name, bytes] of cases) {
    await t.step(name, async () => {
      if (engineMode.engine === "wasmi") {
        await assert.rejects(GuestModule.compile(bytes, engineMode), (error: unknown) => {
          assert.ok(error instanceof UnsupportedFeatureError);
          assert.match(
            error.message,
            /^The module uses WebAssembly exceptions.*, which the wasmi engine does not support; the v8 engine runs it \(engine: "v8"\)$/,
          );
          return true;
        });
        return;
      }
      using module = await GuestModule.compile(bytes, engineMode);
      assert.ok(module.proposals.includes("exceptions"));
      if (name.startsWith("throw")) {
        await assert.rejects(module.output(), (error: unknown) => {
          assert.ok(error instanceof TrapError, String(error));
          assert.equal(error.kind, "trap");
          assert.equal(error.trap, "uncaught wasm exception");
          return true;
        });
      } else {
        // Every throw is charged: the endless loop ends at its budget.
        await assert.rejects(module.output({ fuel: 1_000_000 }), (error: unknown) => {
          assert.ok(error instanceof FuelExhaustedError, String(error));
          assert.equal(error.fuelConsumed, 1_000_000);
          return true;
        });
      }
    });
  }
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
      ["bulk_oob", "^out of bounds memory access$"],
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

Deno.test("GuestModule refuses a table over 2^20 initial entries when it loads", async () => {
  await assert.rejects(wat("table_huge"), {
    name: "CompileError",
    message: "Table 0 has 10000000 initial entries, more than the 1048576 a table may have",
  });
});

Deno.test("GuestModule counts a table's initial entries with the memory against maxMemory", async () => {
  // 2^20 entries of 8 bytes and one page: 8 MiB + 64 KiB.
  using module = await wat("table_at_cap");
  await assert.rejects(module.output({ maxMemory: 8 << 20 }), (e: unknown) => {
    assert.ok(e instanceof MemoryLimitError, String(e));
    assert.equal(e.limit, 8 << 20);
    return true;
  });
  const budget = new MemoryBudget((8 << 20) + 65535);
  await assert.rejects(module.output({ memoryBudget: budget }), MemoryLimitError);
  assert.equal(budget.used, 0);
  const { status } = await module.output({ maxMemory: (8 << 20) + 65536 });
  assert.equal(status.code, 0);
});

Deno.test("GuestModule gives a memory budget back whichever phase a run is stopped in", async (t) => {
  using module = await wat("loop");
  const budget = new MemoryBudget(64 << 20);
  // Stopped at once, after some microtasks, or after some turns of the
  // event loop: before the guest exists, while the module is instrumented
  // and compiled for a new maxMemory (v8), while it is instantiated, while
  // it runs.
  const waits: [string, () => Promise<unknown>][] = [
    ["microtasks", () => Promise.resolve()],
    ["turns", yieldToEventLoop],
  ];
  let maxMemory = 16 << 20;
  for (const [name, wait] of waits) {
    await t.step(name, async () => {
      for (let phase = 0; phase < 16; phase++) {
        maxMemory += 65536;
        const process = module.spawn({ memoryBudget: budget, maxMemory });
        for (let i = 0; i < phase; i++) await wait();
        process.kill(new Error("stop"));
        await assert.rejects(process.status, AbortedError);
        // A run for the same maxMemory waits for the same compilation as the
        // stopped one: once it ended, the stopped guest is done with it too.
        await assert.rejects(
          module.output({ memoryBudget: budget, maxMemory, fuel: 1 }),
          FuelExhaustedError,
        );
        assert.equal(budget.used, 0, `stopped after ${phase} ${name}`);
      }
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
