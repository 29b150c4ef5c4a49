import assert from "node:assert/strict";
import { cli, cliMode } from "./_cli.ts";

const PLUGIN = "testdata/test_plugin.wasm";

Deno.test("cli call prints the result as JSON", async () => {
  assert.deepEqual(await cli(["call", PLUGIN, "ping"]), {
    code: 0,
    stdout: '"pong"\n',
    stderr: "",
  });
  const sieve = await cli(["call", PLUGIN, "prime_sieve", "[1000]"]);
  assert.equal(sieve.stdout, '{"count":168,"limit":1000}\n');
});

Deno.test("cli call passes plugin logs to stderr with the plugin's name", async () => {
  const result = await cli(["call", PLUGIN, "log", '["hello"]']);
  assert.equal(result.stdout, "null\n");
  assert.equal(result.stderr, "[test_plugin] INFO hello\n");
});

Deno.test("cli call reports an error answer with exit code 1", async () => {
  const result = await cli(["call", PLUGIN, "divide_by_zero_please"]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^error: test_plugin has no method 'divide_by_zero_please'; /);
});

const NO_HOST_METHOD = (method: string) =>
  `error: The plugin called host method '${method}', which this host does not provide; ` +
  "give it with --host FILE, a module whose default export is a Router or an object of " +
  "functions (see examples/hosts/echo.ts)\n";

// A binary built by deno compile imports only the modules compiled into it:
// --host is a feature of `deno run cli.ts` (not checked against the binary).
const hostModules = { ignore: cliMode.binary !== undefined };

Deno.test(
  "cli call provides the host methods of --host FILE, and none without it",
  hostModules,
  async () => {
    const withHost = await cli([
      "call",
      PLUGIN,
      "many_echo",
      "[3]",
      "--host",
      "examples/hosts/echo.ts",
    ]);
    assert.deepEqual(withHost, { code: 0, stdout: "3\n", stderr: "" });
    // Without it the message names the host method the plugin called, not
    // the plugin's method (which exists).
    const without = await cli(["call", PLUGIN, "many_echo", "[3]"]);
    assert.deepEqual(without, { code: 1, stdout: "", stderr: NO_HOST_METHOD("echo") });
    const unknown = await cli([
      "call",
      "--host",
      "examples/hosts/echo.ts",
      PLUGIN,
      "call_unknown_host_method",
    ]);
    assert.deepEqual(unknown, { code: 1, stdout: "", stderr: NO_HOST_METHOD("no_such_method") });
    // Said the same way whatever the plugin's kit answers (the C kit words it its own way).
    const c = await cli(["call", "examples/c/plugin.wasm", "greet", '["Ada"]']);
    assert.deepEqual(c, { code: 1, stdout: "", stderr: NO_HOST_METHOD("greeting") });
    const greeted = await cli([
      "call",
      "--host",
      "examples/hosts/echo.ts",
      "examples/c/plugin.wasm",
      "greet",
      '["Ada"]',
    ]);
    assert.deepEqual(greeted, { code: 0, stdout: '"Hello, Ada!"\n', stderr: "" });
  },
);

Deno.test(
  "cli call --host takes an object of functions, and says what is wrong with a bad module",
  hostModules,
  async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/host.js`, "export default { echo: ([x]) => x * 2 };\n");
      await Deno.writeTextFile(`${dir}/none.js`, "export const echo = 1;\n");
      await Deno.writeTextFile(`${dir}/bad.js`, "export default { echo: 1 };\n");
      // The plugin passes the host's answer on.
      const doubled = await cli([
        "call",
        "--host",
        `${dir}/host.js`,
        PLUGIN,
        "call_host",
        '["echo", [21]]',
      ]);
      assert.deepEqual(doubled, { code: 0, stdout: "42\n", stderr: "" });
      const none = await cli(["call", "--host", `${dir}/none.js`, PLUGIN, "ping"]);
      assert.equal(none.code, 2);
      assert.match(
        none.stderr,
        /^error: --host .*none\.js has no usable default export: export default a Router or an object of functions/,
      );
      const bad = await cli(["call", "--host", `${dir}/bad.js`, PLUGIN, "ping"]);
      assert.equal(bad.code, 2);
      assert.match(
        bad.stderr,
        /^error: --host .*bad\.js: the default export's 'echo' is not a function/,
      );
      const missing = await cli(["call", "--host", `${dir}/nope.ts`, PLUGIN, "ping"]);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /^error: --host .*nope\.ts cannot be imported: /);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "cli call imports --host FILE by its name, a % in it included",
  hostModules,
  async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/h%41.ts`, 'export default { shout: () => "h%41" };\n');
      await Deno.writeTextFile(`${dir}/hA.ts`, 'export default { shout: () => "hA" };\n');
      const called = await cli([
        "call",
        PLUGIN,
        "call_host",
        '["shout",[]]',
        "--host",
        `${dir}/h%41.ts`,
      ]);
      assert.deepEqual(called, { code: 0, stdout: '"h%41"\n', stderr: "" });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test("cli call reports plugin failures with distinct exit codes", async () => {
  const panic = await cli(["call", PLUGIN, "panic"]);
  assert.equal(panic.code, 134);
  assert.match(panic.stderr, /\[test_plugin\] .*test plugin panicked/);
  // The blank line a Rust panic's message starts with is left out.
  assert.match(panic.stderr, /^\[test_plugin\] thread 'main'/);
  assert.match(panic.stderr, /error: Plugin test_plugin failed: Guest trapped: wasm `unreachable`/);
  assert.equal((await cli(["call", PLUGIN, "exit_without_answer"])).code, 69);
  const loop = await cli(["call", "--timeout", "200", PLUGIN, "infinite_loop"]);
  assert.equal(loop.code, 124);
  assert.equal(loop.stderr, "error: Plugin test_plugin failed: Guest timed out after 200 ms\n");
  assert.equal((await cli(["call", "--fuel", "1000000", PLUGIN, "infinite_loop"])).code, 125);
  assert.equal((await cli(["call", "--max-memory", "8388608", PLUGIN, "memory_hog"])).code, 137);
});

Deno.test("cli call rejects bad params and a missing method", async () => {
  const notJson = await cli(["call", PLUGIN, "echo", "{oops"]);
  assert.equal(notJson.code, 2);
  assert.match(notJson.stderr, /^error: params '\{oops' are not valid JSON: /);
  const bareWord = await cli(["call", PLUGIN, "echo", "hello"]);
  assert.equal(bareWord.code, 2);
  assert.match(bareWord.stderr, /^error: params 'hello' are not valid JSON; .*'"hello"'/);
  assert.equal((await cli(["call", PLUGIN, "echo", "5", "6"])).code, 2);
  assert.equal((await cli(["call", "--missing-params", "none", PLUGIN, "ping"])).code, 2);
  assert.equal((await cli(["call", PLUGIN])).code, 2);
  assert.equal((await cli(["call", "testdata/wat/env_import.wasm", "x"])).code, 65);
  assert.equal((await cli(["call", "no/such.wasm", "x"])).code, 66);
  assert.equal((await cli(["call", "--help"])).code, 0);
});

Deno.test("cli call sends any JSON value as params and keeps every digit", async () => {
  for (const params of ["5", '"text"', "true", "null", "[1,2]", '{"a":1}']) {
    assert.equal((await cli(["call", PLUGIN, "echo", params])).stdout, `${params}\n`);
  }
  const u64 = "18446744073709551615";
  assert.equal((await cli(["call", PLUGIN, "echo", u64])).stdout, `${u64}\n`);
  assert.equal((await cli(["call", PLUGIN, "echo", `[${u64}]`])).stdout, `[${u64}]\n`);
  assert.equal((await cli(["call", "--missing-params", "null", PLUGIN, "echo"])).stdout, "null\n");
});
