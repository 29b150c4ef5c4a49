/** Helpers for tests in headless Chromium: the bundle, a static server, a browser. */

import { type Browser, chromium } from "npm:playwright-core@1.65.1";
import { findChromium } from "../../scripts/chromium.ts";

export { bundle } from "../_bundle.ts";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
  ".css": "text/css",
};

/** Serves `files` (path → bytes or a file URL) on 127.0.0.1; returns the base URL. */
export function serveFiles(
  files: Record<string, Uint8Array | URL>,
): Deno.HttpServer & { url: string } {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      let path = new URL(request.url).pathname;
      if (path.endsWith("/")) path += "index.html";
      const file = files[path];
      if (file === undefined) return new Response("not found", { status: 404 });
      const body = file instanceof URL ? await Deno.readFile(file) : file;
      const type = TYPES[path.slice(path.lastIndexOf("."))] ?? "application/octet-stream";
      return new Response(body as Uint8Array<ArrayBuffer>, { headers: { "content-type": type } });
    },
  );
  return Object.assign(server, { url: `http://127.0.0.1:${server.addr.port}` });
}

/**
 * Starts Chromium headless (`$CHROMIUM`, else the one on `PATH`; `deno task
 * test` installs Debian's when there is none); Playwright gives it a fresh
 * profile directory.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (executablePath === undefined) {
    throw new Error("no Chromium found: run 'deno run -A scripts/chromium.ts' to install one");
  }
  return await chromium.launch({
    executablePath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
