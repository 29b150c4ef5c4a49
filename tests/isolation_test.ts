/**
 * Isolation between plugins: each compiled module runs in engine instances
 * of its own, so one plugin's memory, failure or appetite never harms
 * another, and a disposed plugin's engine memory is reclaimed.
 */

import assert from "node:assert/strict";
import { MemoryBudget, Plugin, type PluginOptions, type PluginSession } from "../mod.ts";

const MISBEHAVE = new URL("../testdata/wat/misbehave.wasm", import.meta.url);
const load = (options: PluginOptions = {}) =>
  Plugin.load(MISBEHAVE, { name: "misbehave", logger: () => {}, timeout: 60_000, ...options });

Deno.test("isolation: 64 sessions of one plugin hold 64 MiB each, 4 GiB together, and all answer", async () => {
  // One wasm32 engine instance holds at most 4 GiB: the module is placed in
  // as many instances as its guests' limits need.
  using plugin = await load({ maxMemory: 80 << 20 });
  const sessions: PluginSession[] = Array.from({ length: 64 }, () => plugin.session());
  try {
    const grown = await Promise.all(sessions.map((s) => s.call("allocate_64")));
    assert.deepEqual(new Set(grown), new Set(["allocated"]));
    const answers = await Promise.all(sessions.map((s) => s.call("ping")));
    assert.deepEqual(new Set(answers), new Set(["pong"]));
  } finally {
    await Promise.all(sessions.map((s) => s.close()));
  }
});

Deno.test("isolation: a plugin that exhausts its engine's memory fails alone (kind memory)", async () => {
  const others = await Promise.all(Array.from({ length: 10 }, () => load()));
  const sessions = others.map((p) => p.session());
  try {
    using hog = await load({ maxMemory: 65535 * 65536 });
    const bomb = hog.call("memory_bomb");
    // The other plugins' sessions keep answering while it grows.
    let rounds = 0;
    let settled = false;
    bomb.catch(() => {}).finally(() => settled = true);
    while (!settled || rounds === 0) {
      assert.deepEqual(
        await Promise.all(sessions.map((s) => s.call("ping"))),
        Array(10).fill("pong"),
      );
      rounds++;
    }
    await assert.rejects(bomb, (error: Error & { kind?: string }) => {
      assert.equal(error.name, "PluginError");
      assert.equal(error.kind, "memory");
      assert.match(error.message, /the engine's own memory is exhausted/);
      return true;
    });
    assert.equal(await hog.call("ping"), "pong");
    assert.deepEqual(
      await Promise.all(sessions.map((s) => s.call("ping"))),
      Array(10).fill("pong"),
    );
  } finally {
    await Promise.all(sessions.map((s) => s.close()));
    for (const plugin of others) plugin[Symbol.dispose]();
  }
});

Deno.test("isolation: a shared MemoryBudget refuses the guest that would cross it, and only that one", async () => {
  const memoryBudget = new MemoryBudget(48 << 20);
  using a = await load({ memoryBudget });
  using b = await load({ memoryBudget });
  await using held = a.session();
  assert.equal(await held.call("allocate_32"), "allocated");
  await assert.rejects(b.call("allocate_32"), (error: Error & { kind?: string }) => {
    assert.equal(error.name, "PluginError");
    assert.equal(error.kind, "memory");
    assert.equal(
      error.message,
      "Plugin misbehave failed: Guest exceeded its memory limit of 50331648 bytes " +
        "(the shared memory budget is used up)",
    );
    return true;
  });
  // The session holding the budget is unharmed, and small guests still fit.
  assert.equal(await held.call("ping"), "pong");
  assert.equal(await b.call("allocate_1"), "allocated");
  await held.close();
  assert.equal(memoryBudget.used, 0);
  assert.equal(await b.call("allocate_32"), "allocated");
});

Deno.test("isolation: 1,000 distinct plugins loaded, called and disposed of leave nothing behind", async () => {
  const { stdout, success } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--v8-flags=--expose-gc",
      new URL("fixtures/plugin_churn.ts", import.meta.url).pathname,
      "1000",
    ],
    stderr: "inherit",
  }).output();
  assert.ok(success);
  const { start, after, counts, engines } = JSON.parse(new TextDecoder().decode(stdout));
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  // A figure, not a verdict: resident memory moves with V8's collector and
  // the machine's load (bench/plugin_churn.ts measures it after a warm-up).
  console.log(`RSS ${mib(start.rss)} at start, ${mib(after.rss)} after 1,000 plugins`);
  // Nothing is in use, and every plugin, every engine instance and every
  // engine's memory (which lives outside the JavaScript heap) was collected:
  // nothing kept a reference to any of them.
  assert.equal(engines, 0);
  assert.equal(counts.plugins.registered, 1000);
  assert.ok(counts.engines.registered >= 1000, `${counts.engines.registered} engines`);
  assert.deepEqual(counts, {
    plugins: { registered: 1000, collected: 1000 },
    engines: { registered: counts.engines.registered, collected: counts.engines.registered },
    memories: { registered: counts.engines.registered, collected: counts.engines.registered },
  });
});

Deno.test("isolation: closed sessions and a disposed plugin the application still holds pin no engine memory", async (t) => {
  for (const engine of ["wasmi", "v8"]) {
    await t.step(engine, async () => {
      const { stdout, success } = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-read",
          "--v8-flags=--expose-gc",
          new URL("fixtures/closed_sessions.ts", import.meta.url).pathname,
          engine,
        ],
        stderr: "inherit",
      }).output();
      assert.ok(success);
      const { watched, closed, disposed } = JSON.parse(new TextDecoder().decode(stdout));
      assert.ok(watched > 0);
      // The engine instance the sessions grew is dropped once they have
      // closed (a V8 guest's memory may be kept for the plugin's next guest).
      if (engine === "wasmi") assert.equal(closed, 0);
      assert.equal(disposed, 0);
    });
  }
});
