import assert from "node:assert/strict";
import { type HostContext, JsonRpcError, Router } from "../mod.ts";
import { loadPluginFromManifest } from "../src/manifest/mod.ts";

const MANIFEST = new URL("../testdata/test_plugin.plugin.jsonc", import.meta.url);

Deno.test("loadPluginFromManifest applies the manifest's name, env and limits", async () => {
  using plugin = await loadPluginFromManifest(MANIFEST, { logger: () => {} });
  assert.equal(plugin.info.name, "manifest_test_plugin");
  assert.equal(await plugin.call("ping"), "pong");
  await assert.rejects(plugin.call("memory_hog"), { name: "PluginError", kind: "memory" });
});

Deno.test("loadPluginFromManifest refuses host methods outside the manifest's list", async () => {
  const host = new Router<HostContext>()
    .method("echo", ([value]: [unknown]) => value)
    .method("fail", () => "would not fail");
  using plugin = await loadPluginFromManifest(MANIFEST, { host, logger: () => {} });
  assert.equal(await plugin.call("many_echo", [3]), 3);
  await assert.rejects(plugin.call("call_failing_host_method"), (e: unknown) => {
    assert.ok(e instanceof JsonRpcError);
    assert.equal(e.code, -32001);
    assert.equal(
      e.message,
      "Host method not allowed: fail is not in the allowed host methods of manifest_test_plugin",
    );
    return true;
  });
});

Deno.test("loadPluginFromManifest refuses bytes whose SHA-256 differs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.copyFile(new URL("../testdata/wat/hello.wasm", import.meta.url), `${dir}/p.wasm`);
    await Deno.writeTextFile(
      `${dir}/p.jsonc`,
      `{ "wasm": "p.wasm", "sha256": "${"ab".repeat(32)}" }`,
    );
    await assert.rejects(loadPluginFromManifest(`${dir}/p.jsonc`), {
      name: "ManifestError",
      message: /^The module's SHA-256 is [0-9a-f]{64}, but the manifest expects (ab){32}$/,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
