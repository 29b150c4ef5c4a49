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
    const [what, next] = args.includes("--manifest")
      ? ["manifest 'testdata'", "a manifest file (.jsonc)"]
      : ["'testdata'", "a .wasm file"];
    assert.equal(
      result.stderr,
      `error: cannot read ${what}: it is a directory; pass ${next}\n`,
      args.join(" "),
    );
  }
});

/** Each command that loads a module, with the arguments after the module's path. */
const LOADERS: [string, string[]][] = [
  ["call", ["ping"]],
  ["run", []],
  ["serve", []],
];

Deno.test("cli says a module path that does not exist is not there, and what to check", async () => {
  for (const [command, after] of [...LOADERS, ["inspect", []] as [string, string[]]]) {
    const relative = await cli([command, "nope.wasm", ...after], { stdin: "" });
    assert.equal(relative.code, 66, command);
    assert.equal(
      relative.stderr,
      "error: cannot read 'nope.wasm': no such file; check the path (relative to the current directory)\n",
    );
    const absolute = await cli([command, "/no/such/dir/p.wasm", ...after], { stdin: "" });
    assert.equal(
      absolute.stderr,
      "error: cannot read '/no/such/dir/p.wasm': no such file; check the path\n",
    );
  }
  const manifest = await cli(["call", "--manifest", "nope.jsonc", "ping"]);
  assert.equal(manifest.code, 66);
  assert.equal(
    manifest.stderr,
    "error: cannot read manifest 'nope.jsonc': no such file; check the path (relative to the current directory)\n",
  );
  await withDirs(async (dir) => {
    await Deno.writeTextFile(`${dir}/m/p.jsonc`, '{ "wasm": "gone.wasm" }');
    for (
      const args of [["call", "--manifest", `${dir}/m/p.jsonc`, "ping"], [
        "inspect",
        "--manifest",
        `${dir}/m/p.jsonc`,
      ]]
    ) {
      const wasm = await cli(args);
      assert.equal(wasm.code, 66);
      assert.equal(
        wasm.stderr,
        `error: cannot read 'gone.wasm', the wasm manifest '${dir}/m/p.jsonc' names: no such file; ` +
          `check its "wasm" field (relative to the manifest's directory)\n`,
      );
    }
  });
});

Deno.test("cli says a file that is not wasm is not, and what to pass instead", async () => {
  for (const [command, after] of LOADERS) {
    const text = await cli([command, "README.md", ...after], { stdin: "" });
    assert.equal(text.code, 65, command);
    assert.equal(
      text.stderr,
      "error: 'README.md' is not a WebAssembly module (it does not start with \\0asm); " +
        "pass a .wasm file built for wasm32-wasip1\n",
    );
    const wat = await cli([command, "testdata/wat/hello.wat", ...after], { stdin: "" });
    assert.equal(wat.code, 65, command);
    assert.equal(
      wat.stderr,
      "error: 'testdata/wat/hello.wat' is WebAssembly text, not a binary module; " +
        "convert it with wat2wasm, or pass a .wasm file built for wasm32-wasip1\n",
    );
  }
  const inspect = await cli(["inspect", "--json", "README.md"]);
  assert.equal(inspect.code, 1);
  assert.deepEqual(JSON.parse(inspect.stdout).reasons, [
    "the file is not a WebAssembly module (it does not start with \\0asm); " +
    "pass a .wasm file built for wasm32-wasip1",
  ]);
  await withDirs(async (dir) => {
    await Deno.copyFile("README.md", `${dir}/m/r.wasm`);
    await Deno.writeTextFile(`${dir}/m/p.jsonc`, '{ "wasm": "r.wasm" }');
    const manifest = await cli(["call", "--manifest", `${dir}/m/p.jsonc`, "ping"]);
    assert.equal(manifest.code, 65);
    assert.equal(
      manifest.stderr,
      "error: 'r.wasm' is not a WebAssembly module (it does not start with \\0asm); " +
        "pass a .wasm file built for wasm32-wasip1\n",
    );
  });
});

Deno.test("cli says a module that is not a wasip1 command is not, and how to build one", async () => {
  for (const [command, after] of LOADERS) {
    const noStart = await cli([command, "testdata/wat/no_start.wasm", ...after], { stdin: "" });
    assert.equal(noStart.code, 65, command);
    assert.equal(
      noStart.stderr,
      "error: 'testdata/wat/no_start.wasm' is not a wasip1 command (it exports no `_start` " +
        "function); build it as a program with a `main` function, not as a library\n",
    );
    const env = await cli([command, "testdata/wat/env_import.wasm", ...after], { stdin: "" });
    assert.equal(env.code, 65, command);
    assert.equal(
      env.stderr,
      "error: 'testdata/wat/env_import.wasm' imports `env::foo`, which this host does not " +
        "provide (it provides wasi_snapshot_preview1 functions only); build it for " +
        "wasm32-wasip1 with no other imports\n",
    );
  }
});

Deno.test("cli says params that are not JSON are not, with an example", async () => {
  const broken = await cli(["call", PLUGIN, "echo", "{oops"]);
  assert.equal(broken.code, 2);
  assert.equal(
    broken.stderr,
    "error: params '{oops' are not valid JSON: Expected property name or '}' in JSON at " +
      "position 1 (line 1 column 2); pass one JSON value in single quotes, such as '[2, 3]', " +
      `'{"name": "Ada"}' or '"text"'\nRun '${program()} call --help' for usage.\n`,
  );
  const word = await cli(["call", PLUGIN, "echo", "hello"]);
  assert.equal(word.code, 2);
  assert.equal(
    word.stderr,
    `error: params 'hello' are not valid JSON; to pass the string hello, quote it as JSON: ` +
      `'"hello"'\nRun '${program()} call --help' for usage.\n`,
  );
});

Deno.test("cli says which methods a plugin has when it has not the one called", async () => {
  const c = await cli(["call", "examples/c/plugin.wasm", "nosuch"]);
  assert.equal(c.code, 1);
  assert.equal(
    c.stderr,
    "error: plugin has no method 'nosuch'; its methods are: ping, add, greet, log, fail, exit " +
      `(run '${program()} inspect examples/c/plugin.wasm' for their params)\n`,
  );
  const typo = await cli(["call", PLUGIN, "prime_seive", "[10]"]);
  assert.equal(typo.code, 1);
  assert.match(
    typo.stderr,
    new RegExp(
      "^error: test_plugin has no method 'prime_seive' \\(did you mean 'prime_sieve'\\?\\); " +
        "its methods are: ping, [^\\n]*, echo, [^\\n]* \\(run '[^']+ inspect " +
        "testdata/test_plugin\\.wasm' for their params\\)\n$",
    ),
  );
  const manifest = await cli(["call", "--manifest", "testdata/test_plugin.plugin.jsonc", "nosuch"]);
  assert.match(
    manifest.stderr,
    / \(run '[^']+ inspect --manifest testdata\/test_plugin\.plugin\.jsonc' for their params\)\n$/,
  );
  // A plugin that does not describe itself: its answer, and what to check.
  const compat = await cli([
    "call",
    "--missing-params",
    "null",
    "testdata/compat_plugin.wasm",
    "nosuch",
  ]);
  assert.equal(compat.code, 1);
  assert.equal(
    compat.stderr,
    "error: compat_plugin has no method 'nosuch' (it answered -32601: Method not found); " +
      "check the method's name in the plugin's documentation\n",
  );
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
      // Fuel, not a timeout, stops the loop: the verdict must not depend on the machine's speed.
      JSON.stringify({ name, wasm: "p.wasm", limits: { fuel: 5_000_000 } }),
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
    assert.equal(loop.code, 125);
    assert.equal(
      loop.stderr,
      `error: Plugin ${escapedName} failed: Guest ran out of fuel (budget 5000000)\n`,
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
