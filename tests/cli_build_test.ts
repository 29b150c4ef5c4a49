// `cli.ts build`: from a TypeScript file to a plugin every command loads.

import assert from "node:assert/strict";

const root = new URL("..", import.meta.url).pathname;

async function cli(args: string[], permissions = ["-A"]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...permissions, "cli.ts", ...args],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test("cli build: the example builds, then call and inspect load it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const wasm = `${dir}/hello.wasm`;
    const built = await cli(["build", "examples/ts/hello.ts", "-o", wasm]);
    assert.equal(built.code, 0, built.stderr);
    assert.match(built.stderr, /hello\.wasm: \d+ bytes\n$/);
    const called = await cli(["call", wasm, "add", "[2,3]"], ["-R"]);
    assert.deepEqual([called.code, called.stdout], [0, "5\n"]);
    const inspected = await cli(["inspect", wasm], ["-R"]);
    assert.equal(inspected.code, 0, inspected.stderr);
    assert.match(inspected.stdout, /plugin: {2}ts-example, version 0\.1\.0/);
    assert.match(inspected.stdout, /add\(a: integer, b: integer\) -> integer {2}Adds two integers/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli build: bad input is refused with its cause", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    await t.step("no -o", async () => {
      const result = await cli(["build", "examples/ts/hello.ts"]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /^error: missing -o PLUGIN\.wasm\n/);
    });
    await t.step("a script whose top level calls the host", async () => {
      const entry = `${dir}/bad.ts`;
      await Deno.writeTextFile(entry, `(globalThis as any).host.call("x");\n`);
      const result = await cli(["build", entry, "-o", `${dir}/bad.wasm`]);
      assert.equal(result.code, 65);
      assert.match(
        result.stderr,
        /^error: the script failed while it was built: Error: host\.call\("x"\) at the top level/m,
      );
      await assert.rejects(Deno.stat(`${dir}/bad.wasm`), Deno.errors.NotFound);
    });
    await t.step("a missing entry", async () => {
      const result = await cli(["build", `${dir}/none.ts`, "-o", `${dir}/none.wasm`]);
      assert.equal(result.code, 66);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
