import assert from "node:assert/strict";
import { cli, program } from "./_cli.ts";

/** `text` as a pattern that matches it literally. */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** How help examples start the CLI: `deno run -R cli.ts`, or the binary. */
const starter = () => program() === "cli.ts" ? "deno run -R cli.ts" : program();

for (const command of ["call", "run", "inspect", "serve"]) {
  Deno.test(`cli ${command} --help shows usage and an example; unknown flags are rejected`, async () => {
    const help = await cli([command, "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, new RegExp(`^Usage: ${literal(program())} ${command} `));
    assert.match(help.stdout, new RegExp(`\nExample:\n {2}${literal(starter())} ${command} `));
    const unknown = await cli([command, "--frobnicate", "x.wasm"]);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr.split("\n").length, 3); // two lines and the final newline
    assert.match(
      unknown.stderr,
      new RegExp(`\nRun '${literal(program())} ${command} --help' for usage\\.\n$`),
    );
  });
}

Deno.test("cli without a command or with an unknown one prints usage and exits 2", async () => {
  const none = await cli([]);
  assert.equal(none.code, 2);
  assert.match(none.stdout, new RegExp(`^Usage: ${literal(program())} COMMAND`));
  assert.match(none.stdout, new RegExp(`\nExample:\n {2}${literal(starter())} call `));
  const unknown = await cli(["frob"]);
  assert.equal(unknown.code, 2);
  assert.equal(
    unknown.stderr,
    `error: unknown command 'frob'\nRun '${program()} --help' for usage.\n`,
  );
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

Deno.test("cli run --help's example shows what --env does", async () => {
  const help = (await cli(["run", "--help"])).stdout;
  const example = help.slice(help.indexOf("Example:\n") + "Example:\n".length).split("\n")[0]!;
  const [command, comment] = example.trim().split("   # ");
  assert.equal(comment, "prints NAME=world");
  const args = command!.slice(starter().length).trim().split(" ");
  const result = await cli(args);
  assert.deepEqual(result, { code: 0, stdout: "NAME=world\n", stderr: "" });
});

Deno.test("cli call --help says how long a call may take without --timeout", async () => {
  const help = (await cli(["call", "--help"])).stdout;
  assert.match(
    help,
    /Without\n--timeout \(or a manifest's limits\.timeout\) the call stops after 30 s/,
  );
});
