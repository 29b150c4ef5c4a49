import assert from "node:assert/strict";
import { bundle, launchChromium, serveFiles } from "./_browser.ts";

/** The page's modes: its query string. */
const MODES = ["engine=wasmi", "engine=v8", "workers=2"];

Deno.test({
  name: "the package runs plugins in a web page in headless Chromium: both engines, and workers",
  // playwright-core keeps a few resources of its own across the test.
  sanitizeOps: false,
  sanitizeResources: false,
}, async (t) => {
  const server = serveFiles({
    "/index.html": new URL("./fixtures/index.html", import.meta.url),
    "/mod.js": await bundle(),
    "/test_plugin.wasm": new URL("../../testdata/test_plugin.wasm", import.meta.url),
    "/ts_plugin.wasm": new URL("../../examples/ts/plugin.wasm", import.meta.url),
  });
  const browser = await launchChromium();
  try {
    for (const mode of MODES) await t.step(mode, () => runPage(mode));
  } finally {
    await browser.close();
    await server.shutdown();
  }

  async function runPage(mode: string) {
    const page = await browser.newPage();
    const workers: string[] = [];
    page.on("worker", (worker) => workers.push(worker.url()));
    await page.goto(`${server.url}/?${mode}`);
    await page.waitForFunction(() => "results" in globalThis, undefined, { timeout: 60_000 });
    const r = await page.evaluate(() =>
      (globalThis as unknown as { results: Record<string, unknown> }).results
    );
    assert.equal(r.error, undefined);
    // With workers, each worker loaded the bundle itself (two plugins, a
    // pool of two each); otherwise none ran.
    const bundles = mode === "workers=2" ? 4 : 0;
    assert.deepEqual(workers, Array(bundles).fill(`${server.url}/mod.js`));
    assert.equal(r.ping, "pong");
    assert.equal(r.manyEcho, 20);
    assert.deepEqual(r.sieveCounts, [168, 1229, 9592]);
    assert.deepEqual(r.counter, [1, 2]);
    assert.ok((r.logs as string[]).some((line) => line.includes("from the plugin")), `${r.logs}`);
    assert.deepEqual(r.sieve, { count: 148933, limit: 2_000_000 });
    // The page stayed responsive during the CPU-bound call: its timers and
    // frames went on. How many fit moves with the machine's speed and load
    // (printed, not judged); a frozen page has none at all. On "v8" the call
    // may end within a frame or two, so only a longer call is judged.
    console.log(
      `${mode}: ${r.ticks} ticks, ${r.frames} frames in ${Math.round(r.sieveMs as number)} ms`,
    );
    if ((r.sieveMs as number) > 200) {
      assert.ok((r.ticks as number) > 0, `${mode}: no tick in ${r.sieveMs} ms`);
      assert.ok((r.frames as number) > 0, `${mode}: no frame in ${r.sieveMs} ms`);
    }
    assert.deepEqual(r.timeout, {
      kind: "timeout",
      message: "Plugin test_plugin failed: Guest timed out after 300 ms",
    });
    assert.deepEqual(r.trap, {
      kind: "trap",
      message: "Plugin test_plugin failed: Guest trapped: wasm `unreachable` instruction executed",
    });
    assert.deepEqual(r.aborted, {
      kind: "aborted",
      message: "Call of test_plugin.infinite_loop was aborted",
    });
    assert.deepEqual(r.ts, ["pong", 5, "Hello, Ada!"]);
    await page.close();
  }
});
