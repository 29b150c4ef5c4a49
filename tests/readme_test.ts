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
