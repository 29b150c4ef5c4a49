import assert from "node:assert/strict";
import { cli } from "./_cli.ts";

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
  // A -32601 from elsewhere (a host method the plugin called) is shown as it is.
  const passedOn = await cli(["call", PLUGIN, "call_unknown_host_method"]);
  assert.equal(passedOn.code, 1);
  assert.equal(
    passedOn.stderr,
    "error: the plugin answered with error -32601: Method not found\n",
  );
});

Deno.test("cli call reports plugin failures with distinct exit codes", async () => {
  const panic = await cli(["call", PLUGIN, "panic"]);
  assert.equal(panic.code, 134);
  assert.match(panic.stderr, /\[test_plugin\] .*test plugin panicked/);
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
