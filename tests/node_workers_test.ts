import assert from "node:assert/strict";
import { bundle } from "./_bundle.ts";
import { runNode } from "./_node.ts";

Deno.test("under Node, workers fails at load with a clear error; nothing else changes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/mod.mjs`, await bundle());
    const wasm = new URL("../testdata/test_plugin.wasm", import.meta.url).pathname;
    await Deno.writeTextFile(
      `${dir}/main.mjs`,
      `import { readFile } from "node:fs/promises";
       import { Plugin } from "./mod.mjs";
       const bytes = new Uint8Array(await readFile(${JSON.stringify(wasm)}));
       const refused = await Plugin.load(bytes, { workers: 2 })
         .then(() => "loaded", (error) => \`\${error.name}: \${error.message}\`);
       const plugin = await Plugin.load(bytes, { logger: () => {} });
       console.log(JSON.stringify([refused, await plugin.call("ping"), process.versions.node]));`,
    );
    const { code, stdout, stderr } = await runNode(`${dir}/main.mjs`);
    assert.equal(code, 0, stderr);
    const [refused, ping, version] = JSON.parse(stdout);
    assert.equal(
      refused,
      `TypeError: Option workers needs Web Workers, which Node.js ${version} does not provide ` +
        "(no global Worker); leave it unset to run the plugin on this thread",
    );
    assert.equal(ping, "pong");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
