import assert from "node:assert/strict";

const fixtures = new URL("./fixtures/", import.meta.url);

Deno.test("an edge function with only --allow-net=127.0.0.1 serves plugin calls", async () => {
  // The plugin's bytes go into a module, as a bundler would embed them.
  const bytes = await Deno.readFile(new URL("../testdata/test_plugin.wasm", import.meta.url));
  const embedded = new URL("edge_plugin_bytes.ts", fixtures);
  await Deno.writeTextFile(embedded, `export const PLUGIN_BASE64 = "${bytes.toBase64()}";\n`);
  const server = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      "--allow-net=127.0.0.1",
      new URL("edge_server.ts", fixtures).pathname,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    const reader = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const port = Number((await reader.read()).value);
    reader.releaseLock();
    const base = `http://127.0.0.1:${port}`;
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => fetch(`${base}/prime_sieve?params=[${1000 + i}]`)),
    );
    const bodies = await Promise.all(responses.map((r) => r.json()));
    assert.deepEqual(bodies.filter((b) => b.error), []);
    assert.deepEqual(bodies[0], { result: { count: 168, limit: 1000 } });
    assert.deepEqual(
      bodies.map((b) => b.result.limit),
      Array.from({ length: 50 }, (_, i) => 1000 + i),
    );
    // Each request is bounded by its timeout.
    const looping = await fetch(`${base}/infinite_loop?timeout=500`);
    assert.equal(looping.status, 504);
    assert.deepEqual(await looping.json(), {
      error: "Plugin edge failed: Guest timed out after 500 ms",
    });
    const ping = await fetch(`${base}/ping`);
    assert.deepEqual(await ping.json(), { result: "pong" });
  } finally {
    server.kill();
    await server.status;
    await server.stdout.cancel().catch(() => {});
    await server.stderr.cancel();
    await Deno.remove(embedded);
  }
});
