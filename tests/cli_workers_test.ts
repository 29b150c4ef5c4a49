// `--workers` for `call` and `serve`, and a manifest's `workers` field.
import assert from "node:assert/strict";
import { cli } from "./_cli.ts";
import { parseManifest, readManifest } from "../src/manifest/plugin_manifest.ts";

const PLUGIN = "testdata/test_plugin.wasm";

Deno.test("cli call --workers runs the call in a worker", async () => {
  const { code, stdout, stderr } = await cli([
    "call",
    "--workers",
    "2",
    PLUGIN,
    "prime_sieve",
    "[1000]",
  ]);
  assert.equal(stderr, "");
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(stdout), { count: 168, limit: 1000 });
  const auto = await cli(["call", "--workers", "auto", PLUGIN, "ping"]);
  assert.deepEqual([auto.code, auto.stdout], [0, '"pong"\n']);
});

Deno.test("cli call --workers refuses other values (exit 2)", async () => {
  for (const value of ["0", "1.5", "many", "2000", ""]) {
    const { code, stderr } = await cli(["call", "--workers", value, PLUGIN, "ping"]);
    assert.equal(code, 2, value);
    assert.match(stderr, /--workers must be an integer from 1 to 1024 or auto/);
  }
  const { code, stderr } = await cli(["run", "--workers", "2", "testdata/wat/loop.wasm"]);
  assert.equal(code, 2);
  assert.match(stderr, /unknown option '--workers'/);
});

Deno.test("cli serve --workers serves requests from workers", async () => {
  const requests = [1, 2, 3].map((id) =>
    JSON.stringify({ jsonrpc: "2.0", id, method: "prime_sieve", params: [100 * id] })
  );
  const { code, stdout, stderr } = await cli(["serve", "--workers", "2", PLUGIN], {
    stdin: requests.join("\n") + "\n",
  });
  assert.equal(stderr, "");
  assert.equal(code, 0);
  const answers = stdout.trim().split("\n").map((line) => JSON.parse(line));
  assert.deepEqual(
    answers.sort((a, b) => a.id - b.id).map((a) => a.result.count),
    [25, 46, 62],
  );
});

Deno.test("a manifest's workers field", async (t) => {
  await t.step('a count or "auto" loads the plugin worker-backed', async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.copyFile(PLUGIN, `${dir}/p.wasm`);
      for (const workers of [3, "auto"]) {
        const manifest = `${dir}/p.plugin.jsonc`;
        await Deno.writeTextFile(manifest, JSON.stringify({ wasm: "p.wasm", workers }));
        assert.equal((await readManifest(manifest)).options.workers, workers);
        const { code, stdout } = await cli(["call", "--manifest", manifest, "ping"]);
        assert.deepEqual([code, stdout], [0, '"pong"\n']);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
  await t.step("anything else is refused with the field's name", () => {
    for (const workers of [0, 1.5, 2000, "all", null]) {
      assert.throws(() => parseManifest(JSON.stringify({ wasm: "p.wasm", workers })), {
        name: "ManifestError",
        message: 'manifest: "workers" must be an integer from 1 to 1024 or "auto"',
      });
    }
  });
});
