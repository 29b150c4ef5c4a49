import assert from "node:assert/strict";
import { bundle, launchChromium, serveFiles } from "./_browser.ts";

Deno.test({
  name: "a worker-backed plugin runs in a web page in headless Chromium",
  // playwright-core keeps a few resources of its own across the test.
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const server = serveFiles({
    "/index.html": new URL("./fixtures/workers.html", import.meta.url),
    "/mod.js": await bundle(),
    "/test_plugin.wasm": new URL("../../testdata/test_plugin.wasm", import.meta.url),
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const workers: string[] = [];
    page.on("worker", (worker) => workers.push(worker.url()));
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => "results" in globalThis, undefined, { timeout: 60_000 });
    const r = await page.evaluate(() =>
      (globalThis as unknown as { results: Record<string, unknown> }).results
    );
    assert.equal(r.error, undefined);
    // Each worker loaded the bundle itself.
    assert.deepEqual(workers, [`${server.url}/mod.js`, `${server.url}/mod.js`]);
    assert.equal(r.ping, "pong");
    assert.equal(r.manyEcho, 20);
    assert.deepEqual(r.sieveCounts, [168, 1229, 9592, 78498]);
    assert.deepEqual(r.counter, [1, 2]);
    assert.ok((r.logs as string[]).some((line) => line.includes("from a worker")), `${r.logs}`);
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
  } finally {
    await browser.close();
    await server.shutdown();
  }
});
