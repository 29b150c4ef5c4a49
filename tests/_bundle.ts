/** The package bundled for browsers (and Node) with `deno bundle`. */

const root = new URL("..", import.meta.url);

/** Bundles mod.ts for browsers and returns the JavaScript. */
export async function bundle(entry = "mod.ts"): Promise<Uint8Array<ArrayBuffer>> {
  const dir = await Deno.makeTempDir();
  try {
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--platform",
        "browser",
        "--format",
        "esm",
        "-o",
        `${dir}/out.js`,
        entry,
      ],
      cwd: root.pathname,
    }).output();
    if (code !== 0) throw new Error(new TextDecoder().decode(stderr));
    return await Deno.readFile(`${dir}/out.js`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
