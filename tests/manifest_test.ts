import assert from "node:assert/strict";
import { readConfined } from "../src/manifest/_read_confined.ts";
import { type HostContext, JsonRpcError, Router } from "../mod.ts";
import { loadPluginFromManifest, ManifestError, readManifest } from "../src/manifest/mod.ts";
import { modeOptions } from "./_plugin_mode.ts";

const MANIFEST = new URL("../testdata/test_plugin.plugin.jsonc", import.meta.url);

Deno.test("loadPluginFromManifest applies the manifest's name, env and limits", async () => {
  using plugin = await loadPluginFromManifest(MANIFEST, { logger: () => {}, ...modeOptions });
  assert.equal(plugin.info.name, "manifest_test_plugin");
  assert.equal(await plugin.call("ping"), "pong");
  await assert.rejects(plugin.call("memory_hog"), { name: "PluginError", kind: "memory" });
});

Deno.test("loadPluginFromManifest refuses host methods outside the manifest's list", async () => {
  const host = new Router<HostContext>()
    .method("echo", ([value]: [unknown]) => value)
    .method("fail", () => "would not fail");
  using plugin = await loadPluginFromManifest(MANIFEST, { host, logger: () => {}, ...modeOptions });
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
      message: `The module's SHA-256 does not match the manifest's sha256 ${"ab".repeat(32)}`,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const TEST_PLUGIN = new URL("../testdata/test_plugin.wasm", import.meta.url);

/** A temporary directory with `outside.wasm` and a directory `m/` holding `p.wasm`. */
async function withDirs(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/m`);
    await Deno.copyFile(TEST_PLUGIN, `${dir}/outside.wasm`);
    await Deno.copyFile(TEST_PLUGIN, `${dir}/m/p.wasm`);
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function manifest(dir: string, wasm: string, extra = ""): Promise<string> {
  const path = `${dir}/m/p.jsonc`;
  await Deno.writeTextFile(path, `{ "wasm": ${JSON.stringify(wasm)}${extra} }`);
  return path;
}

Deno.test("loadPluginFromManifest reads the wasm only from the manifest's directory", async (t) => {
  await withDirs(async (dir) => {
    const outside = /"wasm" names a file outside the manifest's directory .*allowWasmOutside/;
    for (const wasm of ["../outside.wasm", `${dir}/outside.wasm`, `file://${dir}/outside.wasm`]) {
      await t.step(`refuses ${wasm.replace(dir, "DIR")}`, async () => {
        const path = await manifest(dir, wasm);
        await assert.rejects(loadPluginFromManifest(path), {
          name: "ManifestError",
          message: outside,
        });
        using plugin = await loadPluginFromManifest(path, { allowWasmOutside: true });
        assert.equal(await plugin.call("ping"), "pong");
      });
    }
    await t.step("refuses a path outside that does not exist without telling", async () => {
      const path = await manifest(dir, "../no/such.wasm");
      await assert.rejects(loadPluginFromManifest(path), {
        name: "ManifestError",
        message: outside,
      });
    });
    await t.step("refuses a symbolic link that leads out", async () => {
      await Deno.symlink(`${dir}/outside.wasm`, `${dir}/m/link.wasm`);
      const path = await manifest(dir, "link.wasm");
      await assert.rejects(loadPluginFromManifest(path), {
        name: "ManifestError",
        message: /outside the manifest's directory \(through a symbolic link\)/,
      });
    });
    await t.step("accepts a path below the manifest's directory", async () => {
      await Deno.mkdir(`${dir}/m/sub`);
      await Deno.copyFile(TEST_PLUGIN, `${dir}/m/sub/q.wasm`);
      using plugin = await loadPluginFromManifest(await manifest(dir, "./sub/../sub/q.wasm"));
      assert.equal(plugin.info.name, "q");
      assert.equal(await plugin.call("ping"), "pong");
    });
  });
});

Deno.test("loadPluginFromManifest fetches a wasm URL only when allowed", async () => {
  let requests = 0;
  const bytes = await Deno.readFile(TEST_PLUGIN);
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === "/m/in.jsonc") return new Response('{ "wasm": "p.wasm" }');
    if (pathname === "/m/out.jsonc") return new Response('{ "wasm": "../p.wasm" }');
    requests++;
    return new Response(bytes);
  });
  const url = `http://127.0.0.1:${server.addr.port}/p.wasm`;
  await withDirs(async (dir) => {
    const path = await manifest(dir, url);
    await assert.rejects(loadPluginFromManifest(path), {
      name: "ManifestError",
      message: /"wasm" is a URL .*allowRemoteWasm/,
    });
    assert.equal(requests, 0);
    using plugin = await loadPluginFromManifest(path, { allowRemoteWasm: true });
    assert.equal(await plugin.call("ping"), "pong");
    assert.equal(requests, 1);
  });
  // A remote manifest's wasm may be under its own URL, and nowhere else.
  const base = `http://127.0.0.1:${server.addr.port}/m/`;
  using inside = await loadPluginFromManifest(new URL("in.jsonc", base));
  assert.equal(await inside.call("ping"), "pong");
  assert.equal(requests, 2);
  await assert.rejects(loadPluginFromManifest(new URL("out.jsonc", base)), {
    name: "ManifestError",
    message: /"wasm" is a URL outside the manifest's directory/,
  });
  assert.equal(requests, 2);
});

Deno.test("loadPluginFromManifest keeps the contents of a non-wasm file out of its error", async () => {
  await withDirs(async (dir) => {
    await Deno.writeTextFile(`${dir}/m/secret.wasm`, "root:x:0:0:root:/root:/bin/bash\n");
    const path = await manifest(dir, "secret.wasm");
    await assert.rejects(loadPluginFromManifest(path), (e: unknown) => {
      assert.ok(e instanceof WebAssembly.CompileError);
      assert.equal(
        e.message,
        "'secret.wasm' is not a WebAssembly module (it does not start with \\0asm); " +
          "pass a .wasm file built for wasm32-wasip1",
      );
      return true;
    });
  });
});

Deno.test("loadPluginFromManifest accepts an upper-case sha256", async () => {
  await withDirs(async (dir) => {
    const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(TEST_PLUGIN));
    const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
    const path = await manifest(dir, "p.wasm", `, "sha256": "${hex.toUpperCase()}"`);
    using plugin = await loadPluginFromManifest(path);
    assert.equal(await plugin.call("ping"), "pong");
    assert.equal((await readManifest(path)).manifest.sha256, hex.toUpperCase());
  });
});

Deno.test("readManifestWasm never reads a file outside when a directory is swapped for a symbolic link at any step", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  await Deno.mkdir(`${dir}/m/sub`, { recursive: true });
  await Deno.mkdir(`${dir}/out`);
  await Deno.writeFile(`${dir}/m/sub/p.wasm`, new Uint8Array([...header, 1]));
  await Deno.writeFile(`${dir}/out/p.wasm`, new Uint8Array([...header, 2]));
  const m = `${dir}/m`;
  const toLink = () => {
    Deno.renameSync(`${m}/sub`, `${m}/real`);
    Deno.symlinkSync("../out", `${m}/sub`);
  };
  const back = () => {
    Deno.removeSync(`${m}/sub`);
    Deno.renameSync(`${m}/real`, `${m}/sub`);
  };
  try {
    // The link is swapped in before step `from` and out again before step
    // `to` (or never): every window the read's steps leave.
    for (let from = 0; from <= 6; from++) {
      for (let to = from + 1; to <= 7; to++) {
        let linked = false;
        const between = (step: number) => {
          if (step === from) (toLink(), linked = true);
          if (step === to && linked) (back(), linked = false);
        };
        let outcome: string;
        try {
          const bytes = await readConfined(`${m}/sub/p.wasm`, m, "sub/p.wasm", between);
          outcome = bytes[8] === 1 ? "inside" : "outside";
        } catch (error) {
          outcome = error instanceof ManifestError ? "refused" : `failed: ${error}`;
        }
        if (linked) back();
        assert.ok(outcome === "inside" || outcome === "refused", `${from}-${to}: ${outcome}`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
