import assert from "node:assert/strict";

Deno.test("a script importing mod.ts over HTTP loads the engine and calls a plugin", async () => {
  const root = new URL("..", import.meta.url);
  // A static file server for the package directory, as JSR or a CDN would be.
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      const path = new URL(request.url).pathname;
      try {
        const body = await Deno.readFile(new URL(`.${path}`, root));
        const type = path.endsWith(".ts") ? "application/typescript" : "application/wasm";
        return new Response(body, { headers: { "content-type": type } });
      } catch {
        return new Response("not found", { status: 404 });
      }
    },
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  const script = `
    import { Plugin } from "${base}/mod.ts";
    const plugin = await Plugin.load(new URL("${base}/testdata/test_plugin.wasm"), { logger: () => {} });
    console.log(JSON.stringify([await plugin.call("ping"), await plugin.call("prime_sieve", [1000])]));
  `;
  const deno = Deno.makeTempDirSync();
  try {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        "--no-config",
        `--allow-import=127.0.0.1:${server.addr.port}`,
        `--allow-net=127.0.0.1:${server.addr.port}`,
        script,
      ],
      env: { DENO_DIR: deno },
      cwd: deno,
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    assert.deepEqual(JSON.parse(new TextDecoder().decode(stdout)), ["pong", {
      count: 168,
      limit: 1000,
    }]);
  } finally {
    await server.shutdown();
    Deno.removeSync(deno, { recursive: true });
  }
});
