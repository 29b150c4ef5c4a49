// The example plugins under examples/ (Rust, C, Go, AssemblyScript, TypeScript) serve
// the same methods; each one goes through the same assertions here.

import assert from "node:assert/strict";
import { type HostContext, JsonRpcError, Plugin, PluginError, Router } from "../mod.ts";
import { modeOptions } from "./_plugin_mode.ts";

const LANGUAGES = ["rust", "c", "go", "assemblyscript", "ts"] as const;

/** The methods examples/README.md lists, which each plugin's OpenRPC document describes. */
const DOCUMENTED_METHODS = ["add", "exit", "fail", "greet", "log", "ping"];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Loads an example plugin with the host's `greeting` and a collecting logger. */
async function load(lang: string, greeting: (name: string) => string) {
  const logs: string[] = [];
  const host = new Router<HostContext>().method("greeting", ([name]: [string]) => greeting(name));
  const plugin = await Plugin.load(new URL(`../examples/${lang}/plugin.wasm`, import.meta.url), {
    host,
    logger: (line) => logs.push(line),
    timeout: 20_000,
    ...modeOptions,
  });
  return { plugin, logs };
}

for (const lang of LANGUAGES) {
  Deno.test(`${lang} plugin serves the example methods`, async (t) => {
    const { plugin, logs } = await load(lang, (name) => `Hello, ${name}`);
    using _ = plugin;
    await t.step("ping", async () => assert.equal(await plugin.call("ping"), "pong"));
    await t.step("add", async () => assert.equal(await plugin.call("add", [2, 3]), 5));
    await t.step("greet calls the host", async () => {
      assert.equal(await plugin.call("greet", ["Ada"]), "Hello, Ada!");
    });
    await t.step("log writes to stderr", async () => {
      logs.length = 0;
      assert.equal(await plugin.call("log", ["hi"]), null);
      assert.deepEqual(logs, ["INFO hi"]);
    });
    await t.step("fail answers an error", async () => {
      await assert.rejects(plugin.call("fail"), (e: unknown) => {
        assert.ok(e instanceof JsonRpcError);
        assert.equal(e.code, -32000);
        assert.equal(e.message, "failed on purpose");
        return true;
      });
    });
    await t.step("exit ends the plugin without an answer", async () => {
      await assert.rejects(plugin.call("exit", [7]), (e: unknown) => {
        assert.ok(e instanceof PluginError);
        assert.equal(e.kind, "exit");
        assert.equal(e.exitCode, 7);
        return true;
      });
    });
    await t.step("unknown method", async () => {
      await assert.rejects(plugin.call("no_such_method"), (e: unknown) => {
        assert.ok(e instanceof JsonRpcError);
        assert.equal(e.code, -32601);
        return true;
      });
    });
    await t.step("a session serves calls until stdin closes, then exits 0", async () => {
      const session = plugin.session();
      assert.equal(await session.call("ping"), "pong");
      assert.equal(await session.call("add", [2, 3]), 5);
      const status = await session.close();
      assert.equal(status.code, 0);
    });
  });

  Deno.test(`${lang} plugin describes its methods with rpc.discover`, async () => {
    const { plugin } = await load(lang, (name) => `Hello, ${name}`);
    using _ = plugin;
    const document = await plugin.call("rpc.discover");
    assert.ok(isRecord(document));
    assert.equal(document.openrpc, "1.3.2");
    assert.ok(isRecord(document.info));
    assert.equal(typeof document.info.title, "string");
    assert.notEqual(document.info.title, "");
    assert.equal(document.info.version, "0.1.0");
    assert.ok(Array.isArray(document.methods));
    const names = document.methods.map((method: unknown) => {
      assert.ok(isRecord(method));
      assert.ok(Array.isArray(method.params)); // required, even when empty
      return method.name;
    });
    assert.deepEqual(names.toSorted(), DOCUMENTED_METHODS);
    // null and [] are no params too.
    assert.deepEqual(await plugin.call("rpc.discover", null), document);
    assert.deepEqual(await plugin.call("rpc.discover", []), document);
  });

  Deno.test(`${lang} plugin passes on the host's error`, async () => {
    const { plugin } = await load(lang, (name) => {
      throw new JsonRpcError(7, `no greeting for ${name}`);
    });
    using _ = plugin;
    await assert.rejects(plugin.call("greet", ["Bob"]), (e: unknown) => {
      assert.ok(e instanceof JsonRpcError);
      assert.equal(e.code, 7);
      assert.equal(e.message, "no greeting for Bob");
      return true;
    });
  });
}
