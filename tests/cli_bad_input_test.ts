// Bad input to the CLI and hostile plugins and manifests (issue 13): limits
// out of range, directories, terminal escapes, manifests naming files
// outside their directory.
import assert from "node:assert/strict";
import { cli, program } from "./_cli.ts";

const PLUGIN = "testdata/test_plugin.wasm";

/** Runs `body` with a temporary directory holding `outside.wasm` and `m/p.wasm`. */
async function withDirs(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/m`);
    await Deno.copyFile(PLUGIN, `${dir}/outside.wasm`);
    await Deno.copyFile(PLUGIN, `${dir}/m/p.wasm`);
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("cli rejects limit flags out of range with one line naming the flag and range", async () => {
  const cases: [string, string][] = [
    ["--max-memory=4294967296", "--max-memory must be an integer from 0 to 4294901760"],
    ["--max-memory=-1", "--max-memory must be an integer from 0 to 4294901760"],
    ["--max-memory=NaN", "--max-memory must be an integer from 0 to 4294901760"],
    ["--fuel=0", "--fuel must be an integer from 1 to 9007199254740991"],
    ["--fuel=1.5", "--fuel must be an integer from 1 to 9007199254740991"],
    ["--fuel=9007199254740992", "--fuel must be an integer from 1 to 9007199254740991"],
    ["--fuel-slice=0x10", "--fuel-slice must be an integer from 1 to 9007199254740991"],
    ["--timeout=Infinity", "--timeout must be a number from 0 to 2147483647"],
    ["--timeout=-1", "--timeout must be a number from 0 to 2147483647"],
    ["--timeout=2147483648", "--timeout must be a number from 0 to 2147483647"],
    ["--timeout=", "--timeout must be a number from 0 to 2147483647"],
  ];
  for (const [flag, message] of cases) {
    const result = await cli(["call", flag, PLUGIN, "ping"]);
    assert.equal(result.code, 2, flag);
    const value = flag.slice(flag.indexOf("=") + 1);
    assert.equal(
      result.stderr,
      `error: ${message}, got '${value}'\nRun '${program()} call --help' for usage.\n`,
    );
  }
  // In range: --timeout 0 means none, a fraction of a millisecond is a number.
  assert.equal((await cli(["call", "--timeout", "0", PLUGIN, "ping"])).stdout, '"pong"\n');
  assert.equal((await cli(["call", "--timeout", "5000.5", PLUGIN, "ping"])).code, 0);
  assert.equal((await cli(["run", "--timeout", "0", "testdata/wat/hello.wasm"])).code, 0);
});

Deno.test("cli reports a directory given as module or manifest in one line (exit 66)", async () => {
  for (
    const args of [
      ["call", "testdata", "ping"],
      ["call", "--manifest", "testdata", "ping"],
      ["serve", "testdata"],
      ["run", "testdata"],
      ["inspect", "testdata"],
      ["inspect", "--manifest", "testdata"],
    ]
  ) {
    const result = await cli(args, { stdin: "" });
    assert.equal(result.code, 66, args.join(" "));
    assert.match(result.stderr, /^error: Is a directory[^\n]*\n$/, args.join(" "));
  }
});

Deno.test("cli reports a manifest with a limit out of range in one line (exit 65)", async () => {
  await withDirs(async (dir) => {
    await Deno.writeTextFile(`${dir}/m/p.jsonc`, '{ "wasm": "p.wasm", "limits": { "fuel": 0 } }');
    const result = await cli(["call", "--manifest", `${dir}/m/p.jsonc`, "ping"]);
    assert.equal(result.code, 65);
    assert.equal(
      result.stderr,
      `error: ${dir}/m/p.jsonc: "limits.fuel" must be an integer from 1 to 9007199254740991\n`,
    );
  });
});

Deno.test("cli shows control characters from plugins and manifests escaped", async () => {
  await withDirs(async (dir) => {
    const name = "\x1b]0;owned\x07evil\u009b2J";
    const escapedName = "\\x1b]0;owned\\x07evil\\u009b2J";
    await Deno.writeTextFile(
      `${dir}/m/p.jsonc`,
      JSON.stringify({ name, wasm: "p.wasm", limits: { timeout: 200 } }),
    );
    const manifest = ["--manifest", `${dir}/m/p.jsonc`];
    const log = await cli([
      "call",
      ...manifest,
      "log",
      '["\\u001b[2J\\u001b]52;c;ZXZpbA==\\u0007"]',
    ]);
    assert.equal(log.stderr, `[${escapedName}] INFO \\x1b[2J\\x1b]52;c;ZXZpbA==\\x07\n`);
    const loop = await cli(["call", ...manifest, "infinite_loop"]);
    assert.equal(loop.code, 124);
    assert.equal(
      loop.stderr,
      `error: Plugin ${escapedName} failed: Guest timed out after 200 ms\n`,
    );
    // A result holding C1 characters is printed as JSON escapes (the same value).
    const echo = await cli(["call", PLUGIN, "echo", '["\\u009b\\u007f"]']);
    assert.equal(echo.stdout, '["\\u009b\\u007f"]\n');
  });
});

Deno.test("cli reads a manifest's wasm outside its directory only with --allow-wasm-outside", async () => {
  await withDirs(async (dir) => {
    const manifest = `${dir}/m/p.jsonc`;
    await Deno.writeTextFile(manifest, '{ "wasm": "../outside.wasm" }');
    for (
      const command of [["call", "--manifest", manifest, "ping"], [
        "inspect",
        "--manifest",
        manifest,
      ]]
    ) {
      const refused = await cli(command);
      assert.equal(refused.code, 65);
      assert.match(
        refused.stderr,
        /^error: [^\n]*"wasm" names a file outside the manifest's directory [^\n]*--allow-wasm-outside[^\n]*\n$/,
      );
      assert.equal((await cli([command[0]!, "--allow-wasm-outside", ...command.slice(1)])).code, 0);
    }
    await Deno.writeTextFile(manifest, '{ "wasm": "http://127.0.0.1:9/p.wasm" }');
    const url = await cli(["call", "--manifest", manifest, "ping"]);
    assert.equal(url.code, 65);
    assert.match(url.stderr, /"wasm" is a URL .*--allow-remote-wasm/);
    // The flags go with --manifest only.
    assert.equal((await cli(["run", "--allow-wasm-outside", "testdata/wat/hello.wasm"])).code, 2);
  });
});
