/**
 * What only a worker-backed plugin does: spreading instances over its
 * workers, replacing a worker that dies, and refusing the option where it
 * cannot work. Everything else is the in-thread behaviour, checked by the
 * plugin, fault and language suites in both modes (tests/*_workers_test.ts).
 */

import assert from "node:assert/strict";
import { Plugin, PluginError } from "../mod.ts";
import { workerPoolOf } from "../src/plugin/_worker_pool.ts";
import { servePluginWorker } from "../src/plugin/_plugin_worker.ts";
import type { FromWorker, ToWorker } from "../src/plugin/_worker_messages.ts";

const TEST_PLUGIN = new URL("../testdata/test_plugin.wasm", import.meta.url);

async function load(workers: number | "auto" = 2) {
  const logs: string[] = [];
  const plugin = await Plugin.load(TEST_PLUGIN, {
    workers,
    timeout: 10_000,
    logger: (line) => logs.push(line),
  });
  return { plugin, logs, pool: workerPoolOf(plugin.info.id)! };
}

/** Waits until `condition` holds (no time limit: the test's own limit applies). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

Deno.test("workers: instances go to the least busy worker; a session stays on its worker", async () => {
  const { plugin, pool } = await load(2);
  using _ = plugin;
  assert.deepEqual(pool.busy(), [0, 0]);
  await using first = plugin.session();
  await using second = plugin.session();
  assert.deepEqual(pool.busy(), [1, 1]);
  // A call that lasts until it is aborted: it is running whenever we look.
  const stop = new AbortController();
  const call = plugin.call("sleep", [600_000], { signal: stop.signal });
  await until(() => pool.busy().reduce((a, b) => a + b) === 3);
  assert.deepEqual(pool.busy().sort(), [1, 2]);
  stop.abort();
  await assert.rejects(call, { name: "PluginError", kind: "aborted" });
  // Both sessions keep their state on their worker.
  assert.deepEqual([await first.call("counter"), await first.call("counter")], [1, 2]);
  assert.deepEqual([await second.call("counter")], [1]);
});

Deno.test("workers: a dying worker fails only its own calls and is replaced", async () => {
  const { plugin, pool } = await load(2);
  using _ = plugin;
  // One endless call and one session on worker 0, a session on worker 1
  // (each holds its worker until it ends, however long the machine takes).
  const doomed = plugin.call("sleep", [600_000]);
  await until(() => pool.busy()[0] === 1);
  await using survivorSession = plugin.session();
  assert.equal(await survivorSession.call("counter"), 1);
  const session = plugin.session();
  assert.deepEqual(pool.busy(), [2, 1]);
  assert.equal(await session.call("counter"), 1);
  // A call of worker 1's session in flight (or just ended) during the crash.
  const survivor = survivorSession.call("sleep", [300]);
  pool.crashWorker(0);
  await assert.rejects(doomed, (error: unknown) => {
    assert.ok(error instanceof PluginError, `${error}`);
    assert.equal(error.kind, "engine");
    assert.match(
      error.message,
      /^Plugin test_plugin failed: The plugin worker failed: .*Injected worker crash/,
    );
    return true;
  });
  await assert.rejects(session.call("counter"), { name: "PluginError", kind: "engine" });
  await assert.rejects(session.ended, { name: "PluginError", kind: "engine" });
  // The other worker's session never noticed.
  assert.equal(await survivor, 300);
  assert.equal(await survivorSession.call("counter"), 2);
  await survivorSession.close();
  // A fresh worker took the dead one's place.
  await until(() => pool.size === 2);
  assert.deepEqual(pool.busy(), [0, 0]);
  const results = await Promise.all(Array.from({ length: 8 }, () => plugin.call("ping")));
  assert.deepEqual(results, Array(8).fill("pong"));
});

Deno.test("workers: spawn() runs a raw instance in a worker", async () => {
  const { plugin, pool } = await load(1);
  using _ = plugin;
  const guest = plugin.spawn();
  assert.deepEqual(pool.busy(), [1]);
  const writer = guest.stdin.getWriter();
  await writer.write(new TextEncoder().encode('{"jsonrpc":"2.0","id":1,"method":"ping"}\n'));
  await writer.close();
  const stdout = await new Response(guest.stdout).text();
  assert.equal(stdout, '{"jsonrpc":"2.0","id":1,"result":"pong"}\n');
  assert.equal((await guest.status).code, 0);
  assert.ok(guest.fuelConsumed > 0);
});

Deno.test('workers: "auto" starts one worker per core', async () => {
  const { plugin, pool } = await load("auto");
  using _ = plugin;
  assert.equal(pool.size, navigator.hardwareConcurrency);
  assert.equal(await plugin.call("ping"), "pong");
});

Deno.test("workers: the option is checked at load", async (t) => {
  for (const workers of [0, 1.5, -1, 2000, "all", null]) {
    await t.step(`${JSON.stringify(workers)}`, async () => {
      await assert.rejects(
        Plugin.load(TEST_PLUGIN, { workers: workers as number }),
        (error: unknown) => {
          assert.ok(error instanceof RangeError, `${error}`);
          assert.match(
            error.message,
            /^Option workers must be an integer from 1 to 1024 or "auto", got /,
          );
          return true;
        },
      );
    });
  }
  await t.step("a runtime without Worker", async () => {
    const worker = globalThis.Worker;
    // @ts-expect-error: a runtime without workers, such as an edge runtime or Node.js.
    delete globalThis.Worker;
    try {
      await assert.rejects(Plugin.load(TEST_PLUGIN, { workers: 2 }), {
        name: "TypeError",
        message: `Option workers needs Web Workers, which Deno ${Deno.version.deno} does not ` +
          "provide (no global Worker); leave it unset to run the plugin on this thread",
      });
    } finally {
      globalThis.Worker = worker;
    }
    // Nothing else changes.
    using plugin = await Plugin.load(TEST_PLUGIN, { logger: () => {} });
    assert.equal(await plugin.call("ping"), "pong");
  });
});

Deno.test("workers: a disposed plugin's workers end once its calls have ended", async () => {
  const { plugin, pool } = await load(2);
  // A call that lasts until it is aborted: still running at dispose.
  const stop = new AbortController();
  const running = plugin.call("sleep", [600_000], { signal: stop.signal });
  await until(() => pool.busy()[0] === 1);
  plugin[Symbol.dispose]();
  assert.throws(() => plugin.spawn(), { name: "TypeError", message: "The module was disposed" });
  // The running call still holds its worker.
  assert.deepEqual(pool.busy().filter((n) => n > 0), [1]);
  stop.abort();
  await assert.rejects(running, { name: "PluginError", kind: "aborted" });
  await until(() => pool.size === 0);
});

/** A worker stuck for good (a blocking instruction, a long synchronous step): this thread owns every deadline. */
Deno.test("workers: a stuck worker's calls settle on time; it is terminated and replaced", async (t) => {
  const { plugin, pool } = await load(1);
  using _ = plugin;
  const unresponsive =
    /^Plugin test_plugin failed: The plugin worker was unresponsive: it did not stop a cancelled run within 1000 ms, so it was terminated$/;
  await t.step("a call's timeout", async () => {
    const session = plugin.session();
    assert.equal(await session.call("counter"), 1);
    const call = plugin.call("sleep", [60_000], { timeout: 300 });
    await until(() => pool.busy()[0] === 2);
    pool.blockWorker(0);
    await assert.rejects(call, (error: unknown) => {
      assert.ok(error instanceof PluginError, `${error}`);
      assert.equal(error.kind, "timeout");
      assert.equal(error.message, "Plugin test_plugin failed: Guest timed out after 300 ms");
      assert.equal((error.cause as Error).name, "TimeoutError");
      return true;
    });
    // The worker never acknowledges the cancellation: it is terminated, and
    // the session it held fails with kind engine.
    await assert.rejects(session.ended, (error: unknown) => {
      assert.ok(error instanceof PluginError, `${error}`);
      assert.equal(error.kind, "engine");
      assert.match(error.message, unresponsive);
      return true;
    });
    await until(() => pool.size === 1);
    assert.equal(await plugin.call("ping"), "pong");
  });
  await t.step("a call's abort", async () => {
    const controller = new AbortController();
    const reason = new Error("enough");
    const call = plugin.call("sleep", [60_000], { signal: controller.signal });
    await until(() => pool.busy()[0] === 1);
    pool.blockWorker(0);
    controller.abort(reason);
    await assert.rejects(call, { name: "PluginError", kind: "aborted", cause: reason });
    await until(() => pool.size === 1 && pool.busy()[0] === 0);
    assert.equal(await plugin.call("ping"), "pong");
  });
  await t.step("a session's timeout and kill", async () => {
    const timed = plugin.session({ timeout: 300 });
    const killed = plugin.session();
    assert.equal(await timed.call("counter"), 1);
    assert.equal(await killed.call("counter"), 1);
    pool.blockWorker(0);
    await assert.rejects(timed.call("sleep", [60_000]), {
      name: "PluginError",
      kind: "timeout",
      message: "Plugin test_plugin failed: Guest timed out after 300 ms",
    });
    killed.kill(new Error("stop"));
    await assert.rejects(killed.ended, { name: "PluginError", kind: "aborted" });
    await until(() => pool.size === 1 && pool.busy()[0] === 0);
    assert.equal(await plugin.call("ping"), "pong");
  });
});

Deno.test("workers: dispose terminates a stuck worker once its calls have settled", async () => {
  const { plugin, pool } = await load(2);
  const call = plugin.call("sleep", [60_000], { timeout: 300 });
  await until(() => pool.busy()[0] === 1);
  pool.blockWorker(0);
  plugin[Symbol.dispose]();
  // The idle worker ends at once; the stuck one as soon as its call has
  // timed out here, without waiting for the grace period.
  await until(() => pool.size === 1);
  await assert.rejects(call, { name: "PluginError", kind: "timeout" });
  assert.equal(pool.size, 0);
});

Deno.test("workers: the process exits after dispose, even with a worker stuck for good", async () => {
  // Deno keeps a process alive until a terminated worker's thread has
  // ended, which a blocked thread never does (see `terminate` in
  // _worker_pool.ts). The limit only keeps a regression from hanging the suite.
  const { stdout, code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-R", new URL("fixtures/stuck_worker_exit.ts", import.meta.url).pathname],
    stderr: "inherit",
    signal: AbortSignal.timeout(120_000),
  }).output();
  assert.equal(code, 0, "the process did not exit by itself");
  assert.deepEqual(JSON.parse(new TextDecoder().decode(stdout)), { kind: "timeout" });
});

Deno.test("workers: an answer structured clone cannot copy fails that call alone (kind protocol)", async () => {
  const logs: string[] = [];
  using plugin = await Plugin.load(new URL("../testdata/wat/misbehave.wasm", import.meta.url), {
    name: "misbehave",
    workers: 1,
    maxLineLength: 4 << 20,
    logger: (line) => logs.push(line),
  });
  const pool = workerPoolOf(plugin.info.id)!;
  await using session = plugin.session();
  assert.equal(await session.call("ping"), "pong");
  // 1,000,000 nested arrays: JSON.parse in the worker takes them, a
  // structured clone does not (too deep). Refused by the JSON codec, or not
  // passed on by the worker: a protocol error either way.
  await assert.rejects(plugin.call("inception_1000000"), (error: unknown) => {
    assert.ok(error instanceof PluginError, `${error}`);
    assert.equal(error.kind, "protocol");
    assert.match(error.message, /^Plugin misbehave broke the protocol: /);
    return true;
  });
  // The worker lives on, and so does the session it runs.
  assert.equal(pool.size, 1);
  assert.equal(await session.call("ping"), "pong");
  assert.equal(await plugin.call("ping"), "pong");
});

Deno.test("workers: a message the worker cannot post is replaced by one that says why; the worker lives on", async () => {
  // The worker's side alone, on this thread, with a scope whose first post
  // of each kind fails as a structured clone of a value nested too deeply
  // would.
  const sent: FromWorker[] = [];
  const failing = new Set(["host", "log", "done"]);
  let onmessage: ((event: MessageEvent<ToWorker>) => void) | null = null;
  const scope = {
    set onmessage(handler: typeof onmessage) {
      onmessage = handler;
    },
    get onmessage() {
      return onmessage;
    },
    postMessage(message: FromWorker) {
      if (failing.delete(message.t)) throw new RangeError("Maximum call stack size exceeded");
      sent.push(message);
    },
  };
  servePluginWorker(scope);
  const send = (message: ToWorker) => onmessage!(new MessageEvent("message", { data: message }));
  send({ t: "init", bytes: await Deno.readFile(TEST_PLUGIN), options: {} });
  await until(() => sent.some((m) => m.t === "ready"));
  const call = (id: number, method: string, params: unknown) =>
    send({
      t: "call",
      id,
      call: {
        method,
        params: JSON.stringify(params),
        spawn: {},
        info: { name: "test_plugin", id: "test" },
        context: { call: { id, method } },
        maxLineLength: 1 << 20,
        missingParams: "omit",
        largeIntegers: "number",
      },
    });
  const done = async (id: number) => {
    await until(() => sent.some((m) => m.t === "done" && m.id === id));
    return (sent.find((m) => m.t === "done" && m.id === id) as { outcome: unknown }).outcome;
  };
  const lines = (id: number) => sent.flatMap((m) => m.t === "log" && m.id === id ? m.lines : []);
  const reason = "cannot be passed on from the plugin worker: Maximum call stack size exceeded";
  // A result: that call fails with kind protocol.
  call(1, "echo", [1]);
  assert.deepEqual(await done(1), {
    pluginError: {
      kind: "protocol",
      message: `Plugin test_plugin broke the protocol: its result for echo ${reason}`,
      stderr: "",
    },
  });
  // Host-call params: the guest gets an error, and the log says why; the
  // batch with that line cannot be posted either (the first log post fails
  // too): a line in its place says why.
  call(2, "call_host", ["echo", [1]]);
  assert.deepEqual(await done(2), {
    rpcError: {
      code: -32603,
      message: "Internal error",
      data: `The params of host call echo ${reason}`,
    },
  });
  await until(() => lines(2).length > 0);
  assert.deepEqual(lines(2), [`protocol error: a stderr line ${reason}`]);
  send({ t: "logAck", id: 2 });
  // Lines after it pass.
  call(3, "log", "hello");
  await done(3);
  await until(() => lines(3).length > 0);
  assert.deepEqual(lines(3), ["INFO hello"]);
  // The worker still serves calls.
  call(4, "ping", null);
  assert.deepEqual(await done(4), { result: "pong" });
});
