import assert from "node:assert/strict";
import { cli } from "./_cli.ts";

const verdicts: [string, string, number][] = [
  ["testdata/test_plugin.wasm", "runs", 0],
  ["testdata/rust_stdio.wasm", "runs", 0],
  ["testdata/c_stdio.wasm", "runs", 0],
  ["testdata/wat/hello.wasm", "runs", 0],
  ["testdata/wat/needs_fs.wasm", "limited", 0],
  ["testdata/wat/env_import.wasm", "will-not-run", 1],
  ["testdata/wat/no_start.wasm", "will-not-run", 1],
  ["LICENSE", "will-not-run", 1],
];

for (const [path, verdict, code] of verdicts) {
  Deno.test(`cli inspect --json gives ${path} the verdict ${verdict}`, async () => {
    const result = await cli(["inspect", "--json", path]);
    assert.equal(result.code, code, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.verdict, verdict);
    assert.equal(report.module, path);
    const bytes = await Deno.readFile(new URL(`../${path}`, import.meta.url));
    assert.equal(report.size, bytes.length);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    assert.equal(
      report.sha256,
      Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""),
    );
  });
}

Deno.test("cli inspect explains why a module is limited or will not run", async () => {
  const fs = JSON.parse((await cli(["inspect", "--json", "testdata/wat/needs_fs.wasm"])).stdout);
  assert.deepEqual(fs.reasons, ["runs, but path_open answers an errno here (no filesystem)"]);
  assert.deepEqual(fs.imports.find((i: { name: string }) => i.name === "path_open"), {
    module: "wasi_snapshot_preview1",
    name: "path_open",
    kind: "func",
    support: "errno",
    note: "no filesystem: answers an errno",
  });
  const env = JSON.parse((await cli(["inspect", "--json", "testdata/wat/env_import.wasm"])).stdout);
  assert.deepEqual(env.reasons, [
    "unsupported import `env::foo`: only wasi_snapshot_preview1 functions are provided",
  ]);
  const invalid = JSON.parse((await cli(["inspect", "--json", "LICENSE"])).stdout);
  assert.match(invalid.reasons[0], /^not a valid module: magic header not detected/);
});

Deno.test("cli inspect prints a readable report with memory limits", async () => {
  const { stdout, code } = await cli(["inspect", "testdata/test_plugin.wasm"]);
  assert.equal(code, 0);
  assert.match(stdout, /^module: {2}testdata\/test_plugin\.wasm\n/);
  assert.match(stdout, /\nmemory: {2}17 pages \(1\.1 MiB\) initial, no maximum\n/);
  assert.match(stdout, /\n {2}wasi_snapshot_preview1::fd_read +partial +stdin only\n/);
  assert.match(stdout, /\nverdict: runs here\n$/);
});

Deno.test("cli inspect checks the module a manifest names", async () => {
  const result = await cli([
    "inspect",
    "--json",
    "--manifest",
    "testdata/test_plugin.plugin.jsonc",
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout).verdict, "runs");
});
