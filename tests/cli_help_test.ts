import assert from "node:assert/strict";
import { cli } from "./_cli.ts";

for (const command of ["call", "run", "inspect", "serve"]) {
  Deno.test(`cli ${command} --help shows usage and an example; unknown flags are rejected`, async () => {
    const help = await cli([command, "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, new RegExp(`^Usage: cli\\.ts ${command} `));
    assert.match(help.stdout, /\nExample:\n {2}deno run -R cli\.ts /);
    const unknown = await cli([command, "--frobnicate", "x.wasm"]);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr.split("\n").length, 3); // two lines and the final newline
    assert.match(unknown.stderr, new RegExp(`\nRun 'cli\\.ts ${command} --help' for usage\\.\n$`));
  });
}

Deno.test("cli without a command or with an unknown one prints usage and exits 2", async () => {
  const none = await cli([]);
  assert.equal(none.code, 2);
  assert.match(none.stdout, /^Usage: cli\.ts COMMAND/);
  const unknown = await cli(["frob"]);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr, "error: unknown command 'frob'\nRun 'cli.ts --help' for usage.\n");
});

Deno.test("cli errors are one line; --verbose adds details", async () => {
  const plain = await cli(["run", "testdata/wat/trap.wasm"]);
  assert.equal(plain.stderr, "error: Guest trapped: wasm `unreachable` instruction executed\n");
  const verbose = await cli(["run", "--verbose", "testdata/wat/trap.wasm"]);
  assert.equal(verbose.code, 134);
  assert.match(
    verbose.stderr,
    /^error: Guest trapped[^\n]*\nTrapError: Guest trapped[\s\S]*\n {4}at /,
  );
});
