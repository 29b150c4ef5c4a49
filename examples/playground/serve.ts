/**
 * Serves the playground on http://127.0.0.1:8000 (or `--port N`): the page,
 * its bundled script (built by `deno task playground` into dist/) and the
 * example plugin.
 *
 * @module
 */

import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: { port: { type: "string", default: "8000" } },
});
const here = new URL(".", import.meta.url);
const FILES: Record<string, [URL, string]> = {
  "/": [new URL("index.html", here), "text/html; charset=utf-8"],
  "/playground.css": [new URL("playground.css", here), "text/css"],
  "/playground.js": [new URL("dist/playground.js", here), "text/javascript"],
  "/test_plugin.wasm": [new URL("../../testdata/test_plugin.wasm", here), "application/wasm"],
};

Deno.serve({ hostname: "127.0.0.1", port: Number(values.port) }, async (request) => {
  const file = FILES[new URL(request.url).pathname];
  if (file === undefined) return new Response("not found", { status: 404 });
  return new Response(await Deno.readFile(file[0]), { headers: { "content-type": file[1] } });
});
