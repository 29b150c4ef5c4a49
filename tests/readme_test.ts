import assert from "node:assert/strict";

const root = new URL("..", import.meta.url);
const read = (path: string) => Deno.readTextFile(new URL(path, root));

/** The code block of `language` that follows `heading` in README.md. */
async function readmeBlock(heading: string, language: string): Promise<string> {
  const readme = await read("README.md");
  const section = readme.slice(readme.indexOf(heading));
  const start = section.indexOf("```" + language + "\n") + language.length + 4;
  return section.slice(start, section.indexOf("```", start));
}

Deno.test("README's host example is examples/host.ts, and it runs", async () => {
  assert.equal(await readmeBlock("## Host example", "ts"), await read("examples/host.ts"));
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-R", "examples/host.ts"],
    cwd: root.pathname,
  }).output();
  const decoder = new TextDecoder();
  assert.equal(code, 0, decoder.decode(stderr));
  const lines = decoder.decode(stdout).trimEnd().split("\n");
  assert.equal(lines.length, 3);
  assert.equal(lines[0], "5");
  assert.match(lines[1]!, /^(Good morning|Hello), Ada!$/);
  assert.equal(lines[2], "1 division by zero");
  assert.match(
    decoder.decode(stderr),
    /hello_plugin asks for the hour\n\[hello_plugin\] INFO greeting Ada at \d+h\n/,
  );
});

Deno.test("README's plugin example is the source of testdata/hello_plugin.wasm", async () => {
  assert.equal(
    await readmeBlock("## Plugin example", "rust"),
    await read("testdata/hello_plugin/src/main.rs"),
  );
});

Deno.test("README's first command fetches only the packages the CLI imports", async () => {
  const quickStart = await readmeBlock("# wasmi-plugins", "sh");
  const first = quickStart.split("\n").find((line) => line.startsWith("deno "));
  assert.ok(first, "README's quick start has a deno command");
  const [, ...args] = first.split(" ").map((arg) => arg.replace(/^'(.*)'$/, "$1"));
  const denoDir = await Deno.makeTempDir();
  try {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args,
      cwd: root.pathname,
      env: { DENO_DIR: denoDir, NO_COLOR: "1" },
    }).output();
    const decoder = new TextDecoder();
    assert.equal(code, 0, decoder.decode(stderr));
    assert.ok(decoder.decode(stdout).length > 0);
    const fetched = [...Deno.readDirSync(`${denoDir}/npm/registry.npmjs.org`)].map((e) => e.name);
    // The import map holds the runtime dependencies only (test-only packages
    // are in tests/deno.lock, imported by the tests that use them).
    const config = JSON.parse(await read("deno.json"));
    const runtime = Object.values(config.imports as Record<string, string>)
      .filter((specifier) => specifier.startsWith("npm:"))
      .map((specifier) => specifier.slice(4, specifier.lastIndexOf("@")));
    assert.deepEqual(fetched.sort(), runtime.sort());
  } finally {
    await Deno.remove(denoDir, { recursive: true });
  }
});

Deno.test("README's --host example answers as shown, and says what is missing without --host", async () => {
  const block = await readmeBlock("Plugins that call host methods", "sh");
  const lines = block.trimEnd().split("\n");
  for (let i = 0; i < lines.length; i += 2) {
    const command = lines[i]!.replace(/^\$ /, "").split(" ").map((a) =>
      a.replace(/^'(.*)'$/, "$1")
    );
    const [, ...args] = command;
    const { stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args,
      cwd: root.pathname,
      env: { NO_COLOR: "1" },
    }).output();
    const decoder = new TextDecoder();
    assert.equal(`${decoder.decode(stdout)}${decoder.decode(stderr)}`, `${lines[i + 1]}\n`);
  }
});

Deno.test("README's session example is examples/session.ts, and it runs", async () => {
  assert.equal(
    await readmeBlock("A session keeps one instance", "ts"),
    await read("examples/session.ts"),
  );
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-R", "examples/session.ts"],
    cwd: root.pathname,
  }).output();
  const decoder = new TextDecoder();
  assert.equal(code, 0, decoder.decode(stderr));
  assert.equal(decoder.decode(stdout), "1 2\n3\n1\n");
});
