/**
 * `deno task compile`: builds the CLI as the standalone binary
 * dist/wasmi-plugins with `deno compile`, and when that fails for want of
 * Deno's runtime (denort, downloaded from dl.deno.land the first time) says
 * how to give it one offline: DENORT_BIN.
 *
 * @module
 */

const args = [
  "compile",
  "--allow-read",
  "--allow-net",
  "--output",
  "dist/wasmi-plugins",
  "cli.ts",
];
const root = new URL("..", import.meta.url);
const { code, stderr } = await new Deno.Command(Deno.execPath(), {
  args,
  cwd: root,
  stdout: "inherit",
  stderr: "piped",
}).output();
const text = new TextDecoder().decode(stderr);
await Deno.stderr.write(stderr);
if (code !== 0 && /denort|dl\.deno\.land/i.test(text)) {
  console.error(
    `\ncompile: deno compile could not get Deno's runtime (denort) for Deno ${Deno.version.deno}: ` +
      "it downloads it from dl.deno.land the first time. Offline, set DENORT_BIN to the path " +
      `of a denort binary of Deno ${Deno.version.deno} for this platform (from ` +
      `https://dl.deno.land/release/v${Deno.version.deno}/denort-<target>.zip, fetched elsewhere) ` +
      "and run 'deno task compile' again.",
  );
}
Deno.exit(code);
