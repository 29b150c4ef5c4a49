import assert from "node:assert/strict";
import { bundle, launchChromium, serveFiles } from "./_browser.ts";

const playground = new URL("../../examples/playground/", import.meta.url);

Deno.test({
  name: "the playground loads, inspects and calls a plugin, and cancels a running call",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const server = serveFiles({
    "/index.html": new URL("index.html", playground),
    "/playground.css": new URL("playground.css", playground),
    "/playground.js": await bundle("examples/playground/playground.ts"),
    "/test_plugin.wasm": new URL("../../testdata/test_plugin.wasm", import.meta.url),
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`${server.url}/`);
    await page.click("#example");
    await page.waitForSelector("#call-button:not([disabled])");
    assert.equal(await page.textContent("#verdict"), "Verdict: runs.");
    assert.equal(await page.locator("#imports tbody tr").count(), 8);

    await page.fill("#method", "prime_sieve");
    await page.fill("#params", "[100000]");
    await page.click("#call-button");
    await page.waitForFunction(`document.getElementById("status").textContent === "answered"`);
    assert.deepEqual(JSON.parse((await page.textContent("#result"))!), {
      count: 9592,
      limit: 100000,
    });
    assert.match((await page.textContent("#fuel"))!, /^[1-9][\d,]+$/);
    assert.match((await page.textContent("#elapsed"))!, /^\d+ ms$/);

    await page.fill("#method", "log");
    await page.fill("#params", '["hello from the page"]');
    await page.click("#call-button");
    await page.waitForFunction(`document.getElementById("status").textContent === "answered"`);
    assert.equal(await page.textContent("#log"), "INFO hello from the page\n");

    await page.fill("#method", "infinite_loop");
    await page.fill("#params", "[]");
    await page.click("#call-button");
    await page.waitForSelector("#cancel:not([disabled])");
    await page.waitForFunction(
      `Number(document.getElementById("fuel").textContent.replaceAll(",", "")) > 0`,
    );
    await page.click("#cancel");
    await page.waitForFunction(`document.getElementById("status").textContent === "cancelled"`);
    assert.equal(await page.isDisabled("#call-button"), false);
    const screenshot = Deno.env.get("PLAYGROUND_SCREENSHOT");
    if (screenshot) {
      await page.fill("#method", "prime_sieve");
      await page.fill("#params", "[1000000]");
      await page.click("#call-button");
      await page.waitForFunction(`document.getElementById("status").textContent === "answered"`);
      await page.screenshot({ path: screenshot, fullPage: true });
    }
  } finally {
    await browser.close();
    await server.shutdown();
  }
});
