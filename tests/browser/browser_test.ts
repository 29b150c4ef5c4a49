import assert from "node:assert/strict";
import { bundle, launchChromium, serveFiles } from "./_browser.ts";

Deno.test({
  name: "the package runs plugins in a web page in headless Chromium, on both engines",
  // playwright-core keeps a few resources of its own across the test.
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const server = serveFiles({
    "/index.html": new URL("./fixtures/index.html", import.meta.url),
    "/mod.js": await bundle(),
    "/test_plugin.wasm": new URL("../../testdata/test_plugin.wasm", import.meta.url),
  });
  const browser = await launchChromium();
  try {
    for (const engine of ["wasmi", "v8"]) await runPage(engine);
  } finally {
    await browser.close();
    await server.shutdown();
  }

  async function runPage(engine: string) {
    const page = await browser.newPage();
    await page.goto(`${server.url}/?engine=${engine}`);
    await page.waitForFunction(() => "results" in globalThis, undefined, { timeout: 60_000 });
    const results = await page.evaluate(() =>
      (globalThis as unknown as { results: unknown }).results
    );
    const r = results as Record<string, unknown>;
    assert.equal(r.error, undefined);
    assert.equal(r.ping, "pong");
    assert.equal(r.manyEcho, 20);
    assert.deepEqual(r.sieve, { count: 148933, limit: 2_000_000 });
    // The page stayed responsive during the CPU-bound call (on "v8" it may
    // take only a few frames' time).
    assert.ok(
      (r.ticks as number) >= Math.floor((r.sieveMs as number) / 5 / 4),
      `${engine}: ticks ${r.ticks} in ${r.sieveMs} ms`,
    );
    if ((r.sieveMs as number) > 100) assert.ok((r.frames as number) > 2, `frames ${r.frames}`);
    assert.deepEqual(r.timeout, {
      kind: "timeout",
      message: "Plugin test_plugin failed: Guest timed out after 300 ms",
    });
    assert.deepEqual(r.trap, {
      kind: "trap",
      message: "Plugin test_plugin failed: Guest trapped: wasm `unreachable` instruction executed",
    });
    await page.close();
  }
});
