/**
 * Reading a manifest's wasm without leaving the manifest's directory.
 *
 * @module
 */

import { isAbsolute, relative, sep } from "node:path";
import { ManifestError } from "./plugin_manifest.ts";

/**
 * Reads the file at `path` if the file opened is inside `directory`: opened
 * once, then its real path resolved again and checked, and the file there
 * compared (device and inode) with the one opened, before and after; the
 * bytes come from the handle opened. A symbolic link swapped in at any point
 * (the path checked, then opened) makes the read fail, never read a file
 * outside. `between(step)` runs between the steps (tests swap links there);
 * a swap there and back within one step (between two system calls) is
 * what path-based file APIs cannot exclude (docs/SECURITY.md).
 */
export async function readConfined(
  path: string,
  directory: string,
  wasm: string,
  between: (step: number) => Promise<void> | void = () => {},
): Promise<Uint8Array> {
  await between(0);
  const file = await Deno.open(path, { read: true });
  try {
    await between(1);
    const opened = await file.stat();
    const changed = () =>
      new ManifestError(
        `"wasm" (${JSON.stringify(wasm)}) changed while it was opened (a symbolic link ` +
          "swapped in?); the file opened is not the one inside the manifest's directory",
      );
    await between(2);
    const real = await Deno.realPath(path);
    if (!isInside(directory, real)) throw changed();
    await between(3);
    const there = await Deno.stat(real);
    await between(4);
    if (!sameFile(opened, there) || await Deno.realPath(path) !== real) throw changed();
    await between(5);
    return new Uint8Array(await new Response(file.readable).arrayBuffer());
  } finally {
    try {
      file.close();
    } catch {
      // Reading to the end closed it.
    }
  }
}

/** Whether two stats are of the same file (device and inode; on Windows, always true when unknown). */
function sameFile(a: Deno.FileInfo, b: Deno.FileInfo): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.isFile && b.isFile;
}

/** Whether `path` is strictly inside `directory`. */
export function isInside(directory: string, path: string): boolean {
  const rest = relative(directory, path);
  return rest !== "" && rest !== ".." && !rest.startsWith(`..${sep}`) && !isAbsolute(rest);
}
