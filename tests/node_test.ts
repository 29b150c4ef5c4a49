import assert from "node:assert/strict";
import { bundle } from "./_bundle.ts";

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
       console.log(JSON.stringify([await plugin.call("ping"), await plugin.call("many_echo", [5]), process.version]));`,
    );
    const { code, stdout, stderr } = await new Deno.Command("node", { args: [`${dir}/main.mjs`] })
      .output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    const [ping, echoes, version] = JSON.parse(new TextDecoder().decode(stdout));
    assert.deepEqual([ping, echoes], ["pong", 5]);
    assert.match(version, /^v\d+\./);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
