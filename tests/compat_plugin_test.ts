// The original Rust framework's integration scenarios, run against
// testdata/compat_plugin.wasm: a plugin that speaks that framework's wire
// format (params required on every request, number ids, bare scalar params
// both ways, u64 results beyond 2^53), through the API and through the CLI.
import assert from "node:assert/strict";
import { type HostContext, Plugin, PluginError, type PluginOptions, Router } from "../mod.ts";
import { cli } from "./_cli.ts";

const COMPAT_PLUGIN = new URL("../testdata/compat_plugin.wasm", import.meta.url);
const PLUGIN_PATH = "testdata/compat_plugin.wasm";
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Loads the plugin with the host methods the original's tests register: `echo` and `ping`. */
async function compatPlugin(options: PluginOptions = {}) {
  const logs: string[] = [];
  const echoed: unknown[] = [];
  const pinged: unknown[] = [];
  const host = new Router<HostContext>()
    .method("echo", (params) => {
      echoed.push(params);
      return params;
    })
    .method("ping", (params) => {
      pinged.push(params);
      return "pong";
    });
  const plugin = await Plugin.load(COMPAT_PLUGIN, {
    host,
    logger: (line) => logs.push(line),
    timeout: 10_000,
    missingParams: "null",
    largeIntegers: "bigint",
    ...options,
  });
  return { plugin, logs, echoed, pinged };
}

/** The number the plugin logged for its last `get_random_number`. */
function loggedRandomNumber(logs: string): bigint {
  const match = logs.match(/INFO get_random_number: (\d+)/);
  assert.ok(match, logs);
  return BigInt(match[1]!);
}

Deno.test("compat plugin: the original framework's scenarios through the API", async (t) => {
  const { plugin, logs, echoed, pinged } = await compatPlugin();
  using _ = plugin;
  await t.step("ping", async () => assert.equal(await plugin.call("ping"), "pong"));
  await t.step("get_random_number is exact with largeIntegers bigint", async () => {
    const n = await plugin.call("get_random_number");
    assert.equal(typeof n, "bigint");
    assert.ok((n as bigint) > MAX_SAFE);
    assert.equal(n, loggedRandomNumber(logs.join("\n")));
  });
  await t.step("get_time is our clock's", async () => {
    // Between our clock before and after the call, however long it took (give
    // or take a second: the guest's clock may be a little off ours).
    const before = Math.floor(Date.now() / 1000) - 1;
    const seconds = await plugin.call<number>("get_time");
    const after = Date.now() / 1000 + 1;
    assert.ok(seconds >= before && seconds <= after, `${before} ≤ ${seconds} ≤ ${after}`);
  });
  await t.step("sleep 1500 takes at least 1500 ms without busy waiting", async () => {
    await using session = plugin.session();
    const started = performance.now();
    assert.equal(await session.call("sleep", 1500), null);
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 1500, `${elapsed} ms`);
    // A busy wait of 1.5 s would burn hundreds of millions of fuel.
    assert.ok(session.fuelConsumed < 2_000_000, `fuel ${session.fuelConsumed}`);
  });
  await t.step("many_echo(200) calls the host's echo with bare numbers", async () => {
    assert.equal(await plugin.call("many_echo", 200), 200);
    assert.deepEqual(echoed, Array.from({ length: 200 }, (_, i) => i));
  });
  await t.step("prime_sieve(1000) finds 168 primes", async () => {
    assert.deepEqual(await plugin.call("prime_sieve", 1000), { count: 168, limit: 1000 });
  });
  await t.step("the host's ping gets null params", async () => {
    assert.equal(await plugin.call("host_ping"), "pong");
    assert.deepEqual(pinged, [null]);
  });
  await t.step("a session serves the scenarios on one instance", async () => {
    await using session = plugin.session();
    assert.equal(await session.call("ping"), "pong");
    assert.equal(await session.call("many_echo", 3), 3);
    assert.deepEqual(await session.call("prime_sieve", 10), { count: 4, limit: 10 });
    assert.equal((await session.close()).code, 0);
  });
});

Deno.test("compat plugin: without missingParams null, a call without params goes unanswered", async () => {
  const { plugin, logs } = await compatPlugin({ missingParams: "omit" });
  using _ = plugin;
  await assert.rejects(plugin.call("ping"), (e: unknown) => {
    assert.ok(e instanceof PluginError);
    assert.equal(e.kind, "exit");
    return true;
  });
  assert.match(logs.join("\n"), /Failed to parse line: missing field `params`/);
  // Calls with params are answered either way.
  assert.deepEqual(await plugin.call("prime_sieve", 1000), { count: 168, limit: 1000 });
});

Deno.test("compat plugin: without largeIntegers bigint, a u64 arrives as the nearest double", async () => {
  const { plugin, logs } = await compatPlugin({ largeIntegers: "number" });
  using _ = plugin;
  const n = await plugin.call("get_random_number");
  assert.equal(typeof n, "number");
  assert.equal(n, Number(loggedRandomNumber(logs.join("\n"))));
});

Deno.test("compat plugin: the original framework's scenarios through the CLI", async (t) => {
  const call = (...args: string[]) =>
    cli(["call", "--missing-params", "null", PLUGIN_PATH, ...args]);
  await t.step("ping", async () => {
    assert.deepEqual(await call("ping"), { code: 0, stdout: '"pong"\n', stderr: "" });
  });
  await t.step("get_random_number prints every digit", async () => {
    const { code, stdout, stderr } = await call("get_random_number");
    assert.equal(code, 0);
    const logged = loggedRandomNumber(stderr);
    assert.ok(logged > MAX_SAFE);
    assert.equal(stdout, `${logged}\n`);
  });
  await t.step("get_time is our clock's", async () => {
    const before = Math.floor(Date.now() / 1000) - 1;
    const { stdout } = await call("get_time");
    const after = Date.now() / 1000 + 1;
    const seconds = Number(stdout);
    assert.ok(seconds >= before && seconds <= after, `${before} ≤ ${stdout} ≤ ${after}`);
  });
  await t.step("sleep 1500 takes at least 1500 ms without busy waiting", async () => {
    const started = performance.now();
    // 1 million fuel is a few ms of computation: a busy wait would run out (exit 125).
    const result = await cli(["call", "--fuel", "1000000", PLUGIN_PATH, "sleep", "1500"]);
    const elapsed = performance.now() - started;
    assert.deepEqual(result, { code: 0, stdout: "null\n", stderr: "" });
    assert.ok(elapsed >= 1500, `${elapsed} ms`);
  });
  await t.step("prime_sieve 1000 (params given: no flag needed)", async () => {
    const result = await cli(["call", PLUGIN_PATH, "prime_sieve", "1000"]);
    assert.deepEqual(result, { code: 0, stdout: '{"count":168,"limit":1000}\n', stderr: "" });
  });
  await t.step("the manifest's missingParams", async () => {
    const result = await cli(["call", "--manifest", "testdata/compat_plugin.plugin.jsonc", "ping"]);
    assert.deepEqual(result, { code: 0, stdout: '"pong"\n', stderr: "" });
  });
  await t.step("without --missing-params null, ping goes unanswered", async () => {
    const result = await cli(["call", PLUGIN_PATH, "ping"]);
    assert.equal(result.code, 69);
    assert.match(result.stderr, /Failed to parse line: missing field `params`/);
  });
  await t.step("--missing-params omit overrides the manifest", async () => {
    const result = await cli([
      "call",
      "--missing-params",
      "omit",
      "--manifest",
      "testdata/compat_plugin.plugin.jsonc",
      "ping",
    ]);
    assert.equal(result.code, 69);
  });
});
