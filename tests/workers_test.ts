/**
 * What only a worker-backed plugin does: spreading instances over its
 * workers, replacing a worker that dies, and refusing the option where it
 * cannot work. Everything else is the in-thread behaviour, checked by the
 * plugin, fault and language suites in both modes (tests/*_workers_test.ts).
 */

import assert from "node:assert/strict";
import { Plugin, PluginError } from "../mod.ts";
import { workerPoolOf } from "../src/plugin/_worker_pool.ts";

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
