/**
 * A snapshot of a host directory as a guest's {@linkcode Files} (Deno only).
 *
 * @module
 */

import type { Files } from "./files.ts";

/** Options for {@linkcode filesFromDirectory}. */
export interface FilesFromDirectoryOptions {
  /** Where the guest sees the directory (default `"/"`). */
  guestPath?: string;
  /** The guest may change its copy (in memory; the host directory never changes). */
  writable?: boolean;
  /** Most bytes of file data to read (default 256 MiB); a larger directory is refused. */
  maxBytes?: number;
}

/**
 * Reads the directory `dir` and everything below it into memory, for a
 * guest's `files`. It is read once, now, with Deno's file APIs (it needs
 * `--allow-read` for `dir`); nothing the guest does reaches the host.
 * Symlinks, devices and other special files are refused, so nothing
 * outside `dir` is ever read.
 *
 * @example Give a guest a copy of a directory
 * ```ts ignore
 * import { filesFromDirectory, GuestModule } from "@wasmi-plugins/host";
 * using module = await GuestModule.compile(await Deno.readFile("guest.wasm"));
 * const files = await filesFromDirectory("./data", { guestPath: "/data" });
 * await module.output({ args: ["/data/in.txt"], files });
 * ```
 *
 * @param dir The host directory.
 * @param options Where the guest sees it, whether it may write, and a size cap.
 * @returns the files, to pass as `files`
 * @throws {TypeError} naming a symlink or special file, or if the files exceed `maxBytes`.
 */
export async function filesFromDirectory(
  dir: string,
  options: FilesFromDirectoryOptions = {},
): Promise<Files> {
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  const entries: Record<string, Uint8Array> = {};
  let total = 0;
  const walk = async (host: string, guest: string): Promise<void> => {
    const names: string[] = [];
    for await (const entry of Deno.readDir(host)) names.push(entry.name);
    names.sort();
    if (names.length === 0 && guest !== "") entries[guest] = new Uint8Array(0);
    for (const name of names) {
      const path = `${host}/${name}`;
      // lstat: a symlink is seen as one, never followed.
      const info = await Deno.lstat(path);
      if (info.isDirectory) {
        await walk(path, `${guest}${name}/`);
      } else if (info.isFile) {
        total += info.size;
        if (total > maxBytes) {
          throw new TypeError(`${dir} holds more than ${maxBytes} bytes of files`);
        }
        entries[`${guest}${name}`] = await Deno.readFile(path);
      } else {
        throw new TypeError(
          `${path} is ${info.isSymlink ? "a symlink" : "not a regular file or directory"}; ` +
            "a guest's directory holds only files and directories",
        );
      }
    }
  };
  await walk(dir.replace(/\/+$/, "") || "/", "");
  return {
    entries,
    ...(options.guestPath === undefined ? {} : { guestPath: options.guestPath }),
    ...(options.writable === undefined ? {} : { writable: options.writable }),
  };
}
