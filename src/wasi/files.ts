/**
 * The opt-in directory a guest may be given: files held in memory, mounted
 * as a preopened directory.
 *
 * @module
 */

/**
 * Files given to a guest as one preopened directory (fd 3), held in memory:
 * the guest cannot reach anything outside it, and nothing it writes leaves
 * it. Read-only unless `writable`; the bytes held (initial and written)
 * count toward the guest's `maxMemory`.
 *
 * @example Give a guest one file to read
 * ```ts
 * import type { Files } from "@wasmi-plugins/host/wasi";
 * const files: Files = { guestPath: "/data", entries: { "in.txt": "hello\n", "out/": "" } };
 * ```
 */
export interface Files {
  /** Where the guest sees the directory (default `"/"`). */
  guestPath?: string;
  /**
   * The files, by path relative to the directory (`"a/b.txt"`), as bytes or
   * as text (UTF-8). A path ending in `/` is an empty directory (its value
   * is ignored). Parent directories are created as needed.
   */
  entries: Readonly<Record<string, Uint8Array | string>>;
  /** The guest may create, write, rename and remove (in memory; default false). */
  writable?: boolean;
}
