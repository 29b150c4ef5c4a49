import assert from "node:assert/strict";
import { bundle } from "./_bundle.ts";
import { runNode } from "./_node.ts";

Deno.test("the bundled package runs a plugin under Node", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/mod.mjs`, await bundle());
    await Deno.writeTextFile(
      `${dir}/main.mjs`,
      `import { readFile } from "node:fs/promises";
       import { Plugin, Router } from "./mod.mjs";
       const host = new Router().method("echo", ([value]) => value);
       const bytes = new Uint8Array(await readFile(${
        JSON.stringify(
          new URL("../testdata/test_plugin.wasm", import.meta.url).pathname,
        )
      }));
       const plugin = await Plugin.load(bytes, { host, logger: () => {} });
       const bigint = await Plugin.load(bytes, { largeIntegers: "bigint" })
         .then(() => "loaded", (error) => \`\${error.name}: \${error.message}\`);
       const path = await Plugin.load("plugin.wasm")
         .then(() => "loaded", (error) => \`\${error.name}: \${error.message}\`);
       console.log(JSON.stringify([await plugin.call("ping"), await plugin.call("many_echo", [5]), process.version, bigint, path]));`,
    );
    const { code, stdout, stderr } = await runNode(`${dir}/main.mjs`);
    assert.equal(code, 0, stderr);
    const [ping, echoes, version, bigint, path] = JSON.parse(stdout);
    // A path: an error that names the fix, not "Deno is not defined".
    assert.match(
      path,
      /^TypeError: Plugin\.load was given the path "plugin\.wasm", but this runtime is not Deno .*: pass the module's bytes .* or a URL that fetch can get/,
    );
    assert.deepEqual([ping, echoes], ["pong", 5]);
    assert.match(version, /^v\d+\./);
    // Node 20 lacks JSON.rawJSON: largeIntegers "bigint" fails at load, never rounds silently.
    if (Number(version.slice(1).split(".")[0]) < 22) {
      assert.match(bigint, /^TypeError: largeIntegers: "bigint" needs JSON\.rawJSON/);
    } else {
      assert.equal(bigint, "loaded");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
