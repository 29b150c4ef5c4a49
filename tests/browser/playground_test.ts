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
    // Every request the page makes is answered (no favicon 404).
    const missing: string[] = [];
    page.on("response", (response) => {
      if (response.status() >= 400) missing.push(response.url());
    });
    await page.goto(`${server.url}/`);
    // The method field's line leaves room below the baseline (an underscore
    // in prime_sieve showed as a space at 1x).
    const [fontSize, lineHeight] = await page.evaluate(`(() => {
      const style = getComputedStyle(document.getElementById("method"));
      return [parseFloat(style.fontSize), parseFloat(style.lineHeight)];
    })()`) as [number, number];
    assert.ok(lineHeight >= 1.5 * fontSize, `${lineHeight} px for a ${fontSize} px font`);
    await page.click("#example");
    await page.waitForSelector("#call-button:not([disabled])");
    assert.equal(await page.textContent("#verdict"), "Verdict: runs here.");
    assert.equal(await page.locator("#imports tbody tr").count(), 8);

    // The methods the plugin describes (rpc.discover), each a template.
    assert.equal(
      await page.textContent("#methods-note"),
      "Methods of test_plugin 0.1.0 (click one to fill in the form):",
    );
    const methods = await Promise.all(
      (await page.locator("#method-list button").all()).map((b) => b.getAttribute("data-method")),
    );
    assert.deepEqual(methods.slice(0, 3), ["ping", "get_random_number", "get_time"]);
    assert.ok(methods.includes("prime_sieve") && methods.includes("call_host"), `${methods}`);
    assert.match(
      (await page.textContent('#method-list button[data-method="prime_sieve"]'))!,
      /^prime_sieve\(limit: integer\) -> SieveCounts the primes up to limit$/,
    );
    await page.click('#method-list button[data-method="prime_sieve"]');
    assert.equal(await page.inputValue("#method"), "prime_sieve");
    assert.equal(await page.inputValue("#params"), "[0]");
    await page.click('#method-list button[data-method="call_host"]');
    assert.equal(await page.inputValue("#method"), "call_host");
    assert.equal(await page.inputValue("#params"), '["", null]');
    // The log shows the calls' lines only, not those of the discovery.
    assert.equal(await page.textContent("#log"), "");

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

    // A bidirectional override in a log line is shown escaped.
    await page.fill("#params", '["a\u202eb"]');
    await page.click("#call-button");
    await page.waitForFunction(`document.getElementById("status").textContent === "answered"`);
    assert.equal(await page.textContent("#log"), "INFO a\\u202eb\n");

    // The test host methods answer the plugin's calls (many_echo calls echo).
    await page.fill("#method", "many_echo");
    await page.fill("#params", "[3]");
    await page.click("#call-button");
    await page.waitForFunction(`document.getElementById("status").textContent === "answered"`);
    assert.equal(await page.textContent("#result"), "3");
    // Bad params clear the result before.
    await page.fill("#params", "[3");
    await page.click("#call-button");
    await page.waitForFunction(`document.getElementById("status").className === "failed"`);
    assert.match((await page.textContent("#status"))!, /^params are not valid JSON/);
    assert.equal(await page.textContent("#result"), "");
    // Without them, the message names the host method the plugin called.
    await page.uncheck("#test-host");
    await page.fill("#params", "[3]");
    await page.click("#call-button");
    await page.waitForFunction(`document.getElementById("status").textContent === "error -32601"`);
    assert.equal(
      await page.textContent("#result"),
      "The plugin called host method 'echo', which this host does not provide; " +
        'tick "test host methods" above to provide echo, ping, greeting and hour',
    );
    await page.check("#test-host");

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

    // A plugin that does not describe itself: no list, and a note that says so.
    await page.setInputFiles("#file", "testdata/compat_plugin.wasm");
    await page.waitForFunction(
      `document.getElementById("plugin-name").textContent.startsWith("compat_plugin.wasm")`,
    );
    await page.waitForSelector("#call-button:not([disabled])");
    assert.equal(
      await page.textContent("#methods-note"),
      "This plugin does not list its methods (it does not answer rpc.discover).",
    );
    assert.equal(await page.isHidden("#method-list"), true);
    await page.click("#example");
    await page.waitForSelector("#method-list:not([hidden])");
    // A file that is not wasm: said so, and the methods before are gone.
    await page.setInputFiles("#file", "README.md");
    await page.waitForFunction(
      `document.getElementById("verdict").textContent.includes("not a WebAssembly module")`,
    );
    assert.match((await page.textContent("#verdict"))!, /^Verdict: will not run here\. /);
    assert.equal(await page.locator("#method-list button").count(), 0);
    assert.equal(await page.isHidden("#method-list"), true);
    assert.equal(await page.isDisabled("#call-button"), true);
    await page.click("#example");
    await page.waitForSelector("#method-list:not([hidden])");
    const screenshot = Deno.env.get("PLAYGROUND_SCREENSHOT");
    if (screenshot) {
      await page.fill("#method", "prime_sieve");
      await page.fill("#params", "[1000000]");
      await page.click("#call-button");
      await page.waitForFunction(`document.getElementById("status").textContent === "answered"`);
      await page.screenshot({ path: screenshot, fullPage: true });
    }
    assert.deepEqual(missing, []);
  } finally {
    await browser.close();
    await server.shutdown();
  }
});
