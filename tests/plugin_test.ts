import assert from "node:assert/strict";
import {
  type HostContext,
  JsonRpcError,
  Plugin,
  PluginError,
  type PluginOptions,
  type PluginSession,
  Router,
} from "../mod.ts";
import { modeOptions } from "./_plugin_mode.ts";

const TEST_PLUGIN = new URL("../testdata/test_plugin.wasm", import.meta.url);

/** Loads the test plugin with an `echo`, a failing and a hanging host method. */
async function testPlugin(options: PluginOptions = {}) {
  const logs: string[] = [];
  const seen: HostContext[] = [];
  const host = new Router<HostContext>()
    .method("echo", (params, context) => {
      seen.push(context);
      return (params as unknown[])[0];
    })
    .method("fail", ([message]: [string]) => {
      throw new Error(message);
    })
    .method("hang", (_params, context) =>
      new Promise((_, reject) => {
        context.signal.addEventListener("abort", () => reject(context.signal.reason));
      }));
  const plugin = await Plugin.load(TEST_PLUGIN, {
    host,
    logger: (line) => logs.push(line),
    timeout: 10_000,
    ...modeOptions,
    ...options,
  });
  return { plugin, logs, seen };
}

Deno.test("Plugin.call answers the test plugin's methods", async (t) => {
  const { plugin } = await testPlugin();
  using _ = plugin;
  await t.step("ping", async () => assert.equal(await plugin.call("ping"), "pong"));
  await t.step("get_random_number", async () => {
    const n = await plugin.call<number>("get_random_number");
    assert.ok(Number.isInteger(n) && n >= 0);
  });
  await t.step("get_time", async () => {
    // Between our clock before and after the call, however long it took (give
    // or take a second: the guest's clock may be a little off ours).
    const before = Math.floor(Date.now() / 1000) - 1;
    const seconds = await plugin.call<number>("get_time");
    const after = Date.now() / 1000 + 1;
    assert.ok(seconds >= before && seconds <= after, `${before} ≤ ${seconds} ≤ ${after}`);
  });
  await t.step("prime_sieve", async () => {
    assert.deepEqual(await plugin.call("prime_sieve", [1000]), { count: 168, limit: 1000 });
  });
  await t.step("echo", async () => {
    assert.deepEqual(await plugin.call("echo", { a: [1, "x"] }), { a: [1, "x"] });
  });
  await t.step("each call gets a fresh instance", async () => {
    assert.equal(await plugin.call("counter"), 1);
    assert.equal(await plugin.call("counter"), 1);
  });
});

Deno.test("Plugin.call sleeps without busy waiting", async () => {
  const { plugin } = await testPlugin();
  using _ = plugin;
  await using session = plugin.session();
  const started = performance.now();
  assert.equal(await session.call("sleep", [100]), 100);
  assert.ok(performance.now() - started >= 100);
  // A busy wait of 100 ms would burn tens of millions of fuel.
  assert.ok(session.fuelConsumed < 2_000_000, `fuel ${session.fuelConsumed}`);
});

Deno.test("Plugin.call serves the plugin's host calls with the caller's context", async () => {
  const { plugin, seen } = await testPlugin({ name: "tester" });
  using _ = plugin;
  assert.equal(await plugin.call("many_echo", [50]), 50);
  assert.equal(seen.length, 50);
  assert.equal(seen[0]!.plugin.name, "tester");
  assert.equal(seen[0]!.plugin.id, plugin.info.id);
  assert.equal(seen[0]!.call?.method, "many_echo");
  assert.equal(seen[0]!.session, undefined);
});

Deno.test("Plugin.call runs async plugin handlers", async () => {
  const { plugin } = await testPlugin();
  using _ = plugin;
  assert.equal(await plugin.call("async_sleep", [10]), "slept");
});

Deno.test("Plugin.session keeps state between calls", async () => {
  const { plugin, seen } = await testPlugin();
  using _ = plugin;
  await using session = plugin.session();
  assert.deepEqual(
    [await session.call("counter"), await session.call("counter"), await session.call("counter")],
    [1, 2, 3],
  );
  assert.equal(await session.call("many_echo", [2]), 2);
  assert.equal(seen[0]!.session?.id !== undefined, true);
  assert.equal((await session.close()).code, 0);
});

Deno.test("Plugin.load names a plugin given as bytes after their SHA-256, and logs no blank lines", async () => {
  const bytes = await Deno.readFile(TEST_PLUGIN);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const hex = Array.from(digest.slice(0, 4), (b) => b.toString(16).padStart(2, "0")).join("");
  const lines: string[] = [];
  using plugin = await Plugin.load(bytes, { ...modeOptions, logger: (line) => lines.push(line) });
  assert.equal(plugin.info.name, `plugin-${hex}`);
  await assert.rejects(plugin.call("panic"), (e: unknown) => {
    assert.ok(e instanceof PluginError);
    assert.match(e.message, new RegExp(`^Plugin plugin-${hex} failed: `));
    return true;
  });
  // A custom logger gets every line as the plugin wrote it, blank ones too.
  assert.equal(lines[0], "");
});

Deno.test("Plugin.session ends with using and await using", async () => {
  const { plugin } = await testPlugin();
  using _ = plugin;
  let held: PluginSession;
  {
    using session = plugin.session();
    held = session;
    assert.equal(await session.call("counter"), 1);
  }
  // Killed at the block's end: its end settles, and no call reaches it.
  await held.ended.catch(() => {});
  await assert.rejects(held.call("ping"), PluginError);
  {
    await using session = plugin.session();
    held = session;
    assert.equal(await session.call("counter"), 1);
  }
  await assert.rejects(held.call("ping"), PluginError);
});

Deno.test("Plugin.session is not bound by the plugin's per-call timeout", async () => {
  const { plugin } = await testPlugin({ timeout: 100 });
  using _ = plugin;
  await using session = plugin.session();
  assert.equal(await session.call("sleep", [250]), 250);
  await assert.rejects(plugin.call("sleep", [250]), { name: "PluginError", kind: "timeout" });
});

Deno.test("Plugin.call rejects with the plugin's JSON-RPC errors", async (t) => {
  const { plugin } = await testPlugin();
  using _ = plugin;
  await t.step("unknown plugin method", async () => {
    await assert.rejects(plugin.call("no_such_plugin_method"), (e: unknown) => {
      assert.ok(e instanceof JsonRpcError);
      assert.equal(e.code, -32601);
      assert.equal(e.message, "Method not found: no_such_plugin_method");
      return true;
    });
  });
  await t.step("a call to an unknown host method", async () => {
    await assert.rejects(plugin.call("call_unknown_host_method"), (e: unknown) => {
      assert.ok(e instanceof JsonRpcError);
      assert.equal(e.code, -32601);
      // The plugin passes the host's answer on: it names the missing host
      // method and how to provide it.
      assert.equal(
        e.message,
        "The plugin called host method 'no_such_method', which this host does not provide; " +
          "give it in the host option of Plugin.load (a Router with that method)",
      );
      return true;
    });
  });
  await t.step("a host method that throws", async () => {
    await assert.rejects(plugin.call("call_failing_host_method"), (e: unknown) => {
      assert.ok(e instanceof JsonRpcError);
      assert.equal(e.code, -32000);
      assert.equal(e.message, "boom");
      return true;
    });
  });
});

Deno.test("Plugin.call reports plugin failures as PluginError", async (t) => {
  const { plugin, logs } = await testPlugin();
  using _ = plugin;
  await t.step("panic: a trap with the stderr tail", async () => {
    await assert.rejects(plugin.call("panic"), (e: unknown) => {
      assert.ok(e instanceof PluginError);
      assert.equal(e.kind, "trap");
      assert.match(e.message, /Guest trapped: wasm `unreachable` instruction executed/);
      assert.match(e.stderr, /test plugin panicked/);
      return true;
    });
  });
  await t.step("infinite loop: timeout", async () => {
    await assert.rejects(plugin.call("infinite_loop", [], { timeout: 200 }), {
      name: "PluginError",
      kind: "timeout",
      message: `Plugin test_plugin failed: Guest timed out after 200 ms`,
    });
  });
  await t.step("infinite loop: fuel", async () => {
    await assert.rejects(plugin.call("infinite_loop", [], { fuel: 5_000_000 }), {
      name: "PluginError",
      kind: "fuel",
    });
  });
  await t.step("memory hog: memory limit", async () => {
    const { plugin: small } = await testPlugin({ maxMemory: 32 << 20 });
    using _ = small;
    await assert.rejects(small.call("memory_hog"), { name: "PluginError", kind: "memory" });
  });
  await t.step("exit without answering", async () => {
    await assert.rejects(plugin.call("exit_without_answer"), {
      name: "PluginError",
      kind: "exit",
      exitCode: 3,
      message: "Plugin test_plugin exited with code 3 without answering",
    });
  });
  await t.step("invalid output: logged, and the call still answers", async () => {
    assert.equal(await plugin.call("invalid_output"), "done");
    assert.ok(
      logs.some((line) =>
        line.includes("Received invalid JSON") && line.includes("this is not json")
      ),
    );
  });
  await t.step("the plugin still serves a normal call afterwards", async () => {
    assert.equal(await plugin.call("ping"), "pong");
  });
});

Deno.test("Plugin.call passes the plugin's stderr lines to the logger", async () => {
  const { plugin, logs } = await testPlugin();
  using _ = plugin;
  assert.equal(await plugin.call("log", ["hello from the plugin"]), null);
  assert.ok(logs.includes("INFO hello from the plugin"), JSON.stringify(logs));
  assert.equal(await plugin.call("stderr_flood"), "done");
});

Deno.test("Plugin.call logs each instance's start-up lines with its call, once", async () => {
  // Worker-backed, the instance of each call after the first was started
  // ahead of it (a spare): its start-up line waits for the call that takes it.
  const logs: string[] = [];
  const plugin = await Plugin.load(new URL("../testdata/wat/start_log.wasm", import.meta.url), {
    logger: (line) => logs.push(line),
    ...modeOptions,
  });
  using _ = plugin;
  for (let i = 1; i <= 3; i++) {
    assert.equal(await plugin.call("anything"), "ok");
    assert.deepEqual(logs, Array(i).fill("started"));
  }
});

Deno.test("Plugin.call counts the instance's start-up against the call's limits", async (t) => {
  const { plugin } = await testPlugin({ timeout: 2000 });
  using _ = plugin;
  await t.step("fuel: less than the start-up needs", async () => {
    assert.equal(await plugin.call("ping"), "pong");
    // The test plugin's start-up alone takes some 60,000 fuel.
    await assert.rejects(plugin.call("ping", undefined, { fuel: 10_000 }), {
      name: "PluginError",
      kind: "fuel",
    });
    assert.equal(await plugin.call("ping"), "pong");
  });
  await t.step("timeout: runs from the call, not from an earlier start", async () => {
    assert.equal(await plugin.call("ping"), "pong");
    // An instance started ahead of the next call must not have used that
    // call's time up: 1500 + 600 ms is over the 2000 ms timeout, 600 is not
    // (the 1400 ms left over leave room for a busy machine).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(await plugin.call("sleep", [600]), 600);
    // Idle for longer than the timeout, and still served.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    assert.equal(await plugin.call("ping"), "pong");
  });
});

Deno.test("Plugin.call aborted during a host round trip cleans up both sides", async () => {
  const { plugin, seen } = await testPlugin();
  using _ = plugin;
  let hostSignal: AbortSignal | undefined;
  const controller = new AbortController();
  const host = new Router<HostContext>().method("hang", (_params, context) => {
    hostSignal = context.signal;
    setTimeout(() => controller.abort(new Error("user cancelled")), 10);
    return new Promise(() => {});
  });
  const { plugin: hanging } = await testPlugin({ host });
  using __ = hanging;
  void seen;
  await assert.rejects(hanging.call("call_host", ["hang", []], { signal: controller.signal }), {
    name: "PluginError",
    kind: "aborted",
  });
  assert.equal(hostSignal?.aborted, true);
  assert.equal(await hanging.call("ping"), "pong");
});

Deno.test("Plugin.call completes 1,000 concurrent calls", async () => {
  const { plugin } = await testPlugin();
  using _ = plugin;
  const results = await Promise.all(
    Array.from({ length: 1000 }, (_, i) => plugin.call("echo", [i])),
  );
  assert.deepEqual(results, Array.from({ length: 1000 }, (_, i) => [i]));
});

Deno.test("Plugin.call answers a ping long before a CPU-bound call ends", async () => {
  // The CPU-bound call never ends on its own (it is aborted once the ping
  // is answered), so however fast or busy the machine, it is still running.
  const { plugin } = await testPlugin();
  using _ = plugin;
  const stop = new AbortController();
  let loopDone = false;
  const loop = plugin.call("infinite_loop", [], { signal: stop.signal }).finally(() => {
    loopDone = true;
  });
  loop.catch(() => {});
  assert.equal(await plugin.call("ping"), "pong");
  assert.equal(loopDone, false);
  stop.abort();
  await assert.rejects(loop, { name: "PluginError", kind: "aborted" });
});

Deno.test("Plugin.call fails a plugin that writes an endless line", async () => {
  const rustStdio = new URL("../testdata/rust_stdio.wasm", import.meta.url);
  using plugin = await Plugin.load(rustStdio, {
    args: ["stdout_flood", "1000000"],
    maxLineLength: 4096,
    logger: () => {},
    ...modeOptions,
  });
  await assert.rejects(plugin.call("anything"), (e: unknown) => {
    assert.ok(e instanceof PluginError);
    assert.equal(e.kind, "protocol");
    assert.match(e.message, /Line exceeds the limit of 4096 bytes/);
    return true;
  });
});

Deno.test("Plugin.session serves 300 concurrent calls that each call the host", async (t) => {
  // Regression: the guest kit ran each request that arrived while another
  // waited for the host nested inside that wait, so a few hundred concurrent
  // host-calling requests exhausted the guest's call stack and killed the session.
  const { plugin, seen } = await testPlugin();
  using _ = plugin;
  await t.step("300 concurrent many_echo calls all succeed", async () => {
    await using session = plugin.session();
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => session.call("many_echo", [1 + i % 5])),
    );
    assert.deepEqual(results, Array.from({ length: 300 }, (_, i) => 1 + i % 5));
    assert.equal(seen.length, 300 * 3);
    assert.equal((await session.close()).code, 0);
  });
  await t.step("300 calls, a random subset aborted: the others succeed", async () => {
    await using session = plugin.session();
    // A fixed-seed generator (mulberry32): the same subset and timings every run.
    let seed = 0x1357;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
    };
    const timers: ReturnType<typeof setTimeout>[] = [];
    const calls = Array.from({ length: 300 }, (_, i) => {
      const n = 1 + i % 5;
      if (random() < 0.5) return { n, aborted: false, result: session.call("many_echo", [n]) };
      const controller = new AbortController();
      timers.push(setTimeout(() => controller.abort(new Error("cancelled")), random() * 20));
      const result = session.call("many_echo", [n], { signal: controller.signal });
      return { n, aborted: true, result };
    });
    const settled = await Promise.allSettled(calls.map((call) => call.result));
    timers.forEach(clearTimeout);
    let rejected = 0;
    settled.forEach((outcome, i) => {
      const call = calls[i]!;
      if (outcome.status === "fulfilled") return assert.equal(outcome.value, call.n);
      rejected++;
      assert.ok(call.aborted, `call ${i} failed: ${outcome.reason}`);
      assert.ok(outcome.reason instanceof PluginError, `${outcome.reason}`);
      assert.equal(outcome.reason.kind, "aborted");
    });
    assert.ok(rejected > 0, "no call was aborted in time");
    // The session is still usable.
    assert.equal(await session.call("many_echo", [3]), 3);
    assert.equal(await session.call("ping"), "pong");
    assert.equal((await session.close()).code, 0);
  });
});
