import assert from "node:assert/strict";
import { cli } from "./_cli.ts";

for (const guest of ["rust_stdio", "c_stdio"]) {
  const wasm = `testdata/${guest}.wasm`;

  Deno.test(`cli run (${guest}) echoes stdin to stdout`, async () => {
    const input = "line one\nline two\n" + "x".repeat(100_000);
    const result = await cli(["run", wasm, "--", "echo"], { stdin: input });
    assert.equal(result.stdout, input);
    assert.equal(result.code, 0);
  });

  Deno.test(`cli run (${guest}) passes argv[0], --arg and trailing args`, async () => {
    const result = await cli(["run", "--arg", "args", wasm, "--", "a b", "--c"]);
    assert.equal(result.stdout, `${guest}.wasm\nargs\na b\n--c\n`);
    assert.equal(result.code, 0);
  });

  Deno.test(`cli run (${guest}) passes exactly the given environment`, async () => {
    const result = await cli(["run", "--env", "A=1=2", "--env", "EMPTY=", wasm, "env"]);
    assert.deepEqual(result.stdout.split("\n").filter(Boolean).sort(), ["A=1=2", "EMPTY="]);
  });

  Deno.test(`cli run (${guest}) sleeps, reads clocks and random bytes`, async () => {
    assert.equal((await cli(["run", wasm, "sleep", "30"])).stdout, "slept 30\n");
    const before = Date.now();
    const clocks = (await cli(["run", wasm, "clocks"])).stdout.split("\n");
    const after = Date.now();
    const realtimeMs = Number(BigInt(clocks[0]!.split(" ")[1]!) / 1_000_000n);
    // Between our clock before and after the run, however long it took (give
    // or take a second: another process's clock may be a little off ours).
    assert.ok(realtimeMs >= before - 1000 && realtimeMs <= after + 1000, `${realtimeMs}`);
    assert.equal(clocks[1], "monotonic_ok true");
    const random = (await cli(["run", wasm, "random", "16"])).stdout.trim();
    assert.match(random, /^[0-9a-f]{32}$/);
  });

  Deno.test(`cli run (${guest}) exits with the guest's code and keeps stderr`, async () => {
    const exit = await cli(["run", wasm, "exit", "33"]);
    assert.equal(exit.code, 33);
    const stderr = await cli(["run", wasm, "stderr", "to stderr"]);
    assert.equal(stderr.stderr, "to stderr\n");
    assert.equal(stderr.stdout, "");
  });
}

Deno.test("cli run reports a Rust panic as a trap with exit code 134", async () => {
  const result = await cli(["run", "testdata/rust_stdio.wasm", "panic"]);
  assert.equal(result.code, 134);
  assert.match(result.stderr, /boom from guest/);
  assert.match(result.stderr, /error: Guest trapped: wasm `unreachable` instruction executed\n$/);
});

Deno.test("cli run reports C abort() as a trap with exit code 134", async () => {
  const result = await cli(["run", "testdata/c_stdio.wasm", "abort"]);
  assert.equal(result.code, 134);
});

Deno.test("cli run stops a looping guest with --timeout (exit 124)", async () => {
  const result = await cli(["run", "--timeout", "200", "testdata/wat/loop.wasm"]);
  assert.equal(result.code, 124);
  assert.equal(result.stderr, "error: Guest timed out after 200 ms\n");
});

Deno.test("cli run stops a looping guest with --fuel (exit 125)", async () => {
  const result = await cli(["run", "--fuel", "1000000", "testdata/wat/loop.wasm"]);
  assert.equal(result.code, 125);
  assert.equal(result.stderr, "error: Guest ran out of fuel (budget 1000000)\n");
});

Deno.test("cli run stops a guest at --max-memory (exit 137)", async () => {
  const result = await cli(["run", "--max-memory", "1048576", "testdata/wat/grow.wasm"]);
  assert.equal(result.code, 137);
  assert.match(result.stderr, /^error: Guest exceeded its memory limit of 1048576 bytes/);
});

Deno.test("cli run rejects invalid modules, missing files and bad flags", async () => {
  const invalid = await cli(["run", "LICENSE"]);
  assert.equal(invalid.code, 65);
  assert.match(invalid.stderr, /^error: 'LICENSE' is not a WebAssembly module /);
  const link = await cli(["run", "testdata/wat/env_import.wasm"]);
  assert.equal(link.code, 65);
  assert.match(link.stderr, /imports `env::foo`, which this host does not provide/);
  assert.equal((await cli(["run", "no/such.wasm"])).code, 66);
  const flag = await cli(["run", "--bogus", "testdata/wat/hello.wasm"]);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /unknown option '--bogus'/);
  assert.equal((await cli(["run", "--fuel", "-1", "testdata/wat/hello.wasm"])).code, 2);
  assert.equal((await cli(["run", "--env", "NOEQUALS", "testdata/wat/hello.wasm"])).code, 2);
  assert.equal((await cli(["run", "--help"])).code, 0);
});
