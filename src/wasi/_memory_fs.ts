/**
 * The in-memory tree behind a guest's opt-in directory: directories and
 * files, path resolution one component at a time that never leaves the
 * directory it starts from, and the count of bytes held.
 *
 * There are no symlinks and no absolute paths: a path is relative to a
 * directory of the tree, and `..` may not climb above that directory.
 *
 * @module
 */

import { Errno } from "./errno.ts";
import type { Files } from "./files.ts";

/** A regular file: `data` holds its bytes in `data[0..size)`. */
export interface MemoryFile {
  readonly kind: "file";
  readonly ino: bigint;
  data: Uint8Array;
  size: number;
  mtime: bigint;
}

/** A directory: its entries by name, and the directory it is in (none for the root or once removed). */
export interface MemoryDirectory {
  readonly kind: "dir";
  readonly ino: bigint;
  readonly entries: Map<string, MemoryNode>;
  parent: MemoryDirectory | undefined;
  mtime: bigint;
  /** Counts changes of `entries` (a listing in progress knows when to list again). */
  version: number;
}

/** A node of the tree. */
export type MemoryNode = MemoryFile | MemoryDirectory;

/** Where a path leads: the directory holding its last component, that name, and the node if it exists. */
export interface Resolved {
  /** The directory the last component is in; `name` is empty when the path names the start directory or one above it. */
  parent: MemoryDirectory;
  name: string;
  node: MemoryNode | undefined;
  /** The path ended in `/`: it must name a directory. */
  mustBeDirectory: boolean;
}

/** Longest path the guest may pass, in bytes (as Linux's PATH_MAX). */
export const MAX_PATH = 4096;
/** Longest path component, in bytes (as Linux's NAME_MAX). */
export const MAX_NAME = 255;
/** Bytes a node costs besides its name and data (counted toward the cap, so that empty files are not free). */
const NODE_COST = 64;

const encoder = new TextEncoder();

/** Nanoseconds since the epoch, for timestamps. */
export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/**
 * The tree of one guest's directory. Every byte it holds is reserved first
 * through `reserve` (a negative count gives bytes back); a refusal leaves
 * the tree as it was.
 */
export class MemoryFileSystem {
  /** The mounted directory. */
  readonly root: MemoryDirectory;
  /** The guest may change the tree. */
  readonly writable: boolean;
  readonly #reserve: (bytes: number) => boolean;
  #held = 0;
  #nextIno = 1n;

  /**
   * Builds the tree from `files`.
   *
   * @throws {TypeError} if an entry's path is not a plain relative path, or two entries collide.
   * @throws {RangeError} if `reserve` refuses the bytes of the entries.
   */
  constructor(files: Files, reserve: (bytes: number) => boolean) {
    this.#reserve = reserve;
    this.writable = files.writable === true;
    this.root = this.#directory(undefined);
    for (const [path, value] of Object.entries(files.entries)) {
      const directory = path.endsWith("/");
      const parts = (directory ? path.slice(0, -1) : path).split("/");
      if (
        path === "/" || parts.some((p) => p === "" || p === "." || p === ".." || p.includes("\0"))
      ) {
        throw new TypeError(
          `files: ${
            JSON.stringify(path)
          } is not a relative path of plain names (no "", ".", ".." or leading "/")`,
        );
      }
      let dir = this.root;
      for (const [i, name] of parts.entries()) {
        const last = i === parts.length - 1;
        let node = dir.entries.get(name);
        if (node === undefined) {
          node = last && !directory
            ? this.#file(typeof value === "string" ? encoder.encode(value) : value.slice())
            : this.#directory(dir);
          if (!this.#add(dir, name, node)) {
            throw new RangeError(
              `files: the entries need more bytes than the guest may hold (maxMemory, or the memory budget), ${this.#held} bytes in`,
            );
          }
        } else if (node.kind === "file" || (last && !directory)) {
          throw new TypeError(`files: ${JSON.stringify(path)} collides with another entry`);
        }
        if (node.kind === "dir") dir = node;
      }
    }
  }

  /** Bytes the tree holds (file data, names and a fixed cost per node). */
  get held(): number {
    return this.#held;
  }

  /**
   * Resolves `path` from `start`, one component at a time.
   *
   * @returns where it leads, or `PERM` (as wasmtime 51) for an absolute path or one
   * that climbs above `start`, `NOENT`/`NOTDIR` for a missing or non-directory
   * component, `NAMETOOLONG` past {@linkcode MAX_PATH} or {@linkcode MAX_NAME}
   */
  resolve(start: MemoryDirectory, path: string): Resolved | number {
    if (path === "") return Errno.NOENT;
    if (encoder.encode(path).length > MAX_PATH) return Errno.NAMETOOLONG;
    if (path.startsWith("/")) return Errno.PERM;
    const trimmed = path.replace(/\/+$/, "");
    const mustBeDirectory = trimmed !== path;
    const parts = trimmed.split("/");
    // The directories walked from `start`: `..` pops one, never `start`.
    const stack = [start];
    let last = "";
    for (const [i, part] of parts.entries()) {
      if (encoder.encode(part).length > MAX_NAME) return Errno.NAMETOOLONG;
      if (last !== "") {
        const node = stack.at(-1)!.entries.get(last);
        if (node === undefined) return Errno.NOENT;
        if (node.kind !== "dir") return Errno.NOTDIR;
        stack.push(node);
        last = "";
      }
      if (part === "" || part === ".") continue;
      if (part === "..") {
        if (stack.length === 1) return Errno.PERM;
        stack.pop();
        continue;
      }
      last = part;
      if (i === parts.length - 1) break;
    }
    const parent = stack.at(-1)!;
    if (last === "") {
      return { parent, name: "", node: parent, mustBeDirectory: true };
    }
    return { parent, name: last, node: parent.entries.get(last), mustBeDirectory };
  }

  /** Creates an empty file `name` in `parent`, or undefined if the bytes are refused. */
  createFile(parent: MemoryDirectory, name: string): MemoryFile | undefined {
    const file = this.#file(new Uint8Array(0));
    return this.#add(parent, name, file) ? file : undefined;
  }

  /** Creates a directory `name` in `parent`, or undefined if the bytes are refused. */
  createDirectory(parent: MemoryDirectory, name: string): MemoryDirectory | undefined {
    const dir = this.#directory(parent);
    return this.#add(parent, name, dir) ? dir : undefined;
  }

  /** Removes `name` from `parent`, giving its bytes back. */
  remove(parent: MemoryDirectory, name: string): void {
    const node = parent.entries.get(name);
    if (node === undefined) return;
    parent.entries.delete(name);
    parent.mtime = nowNs();
    parent.version++;
    if (node.kind === "dir") node.parent = undefined;
    this.#give(
      NODE_COST + encoder.encode(name).length + (node.kind === "file" ? node.data.length : 0),
    );
  }

  /**
   * Moves `node` from `from`/`fromName` to `to`/`toName`, replacing what is there.
   *
   * @returns whether the bytes of the new name were granted (else nothing changed)
   */
  move(from: MemoryDirectory, fromName: string, to: MemoryDirectory, toName: string): boolean {
    const node = from.entries.get(fromName)!;
    const grow = encoder.encode(toName).length - encoder.encode(fromName).length;
    if (grow > 0 && !this.#take(grow)) return false;
    if (grow < 0) this.#give(-grow);
    this.remove(to, toName);
    from.entries.delete(fromName);
    to.entries.set(toName, node);
    from.version++;
    to.version++;
    if (node.kind === "dir") node.parent = to;
    from.mtime = to.mtime = nowNs();
    return true;
  }

  /**
   * Writes `chunks` into `file` at `offset`, growing it as needed.
   *
   * @returns the bytes written, or undefined if the growth is refused (nothing written)
   */
  write(file: MemoryFile, offset: number, chunks: readonly Uint8Array[]): number | undefined {
    const total = chunks.reduce((sum, c) => sum + c.length, 0);
    const end = offset + total;
    if (end > file.size && this.resize(file, end) !== Errno.SUCCESS) return undefined;
    for (const chunk of chunks) {
      file.data.set(chunk, offset);
      offset += chunk.length;
    }
    file.mtime = nowNs();
    return total;
  }

  /** Sets the size of `file` (new bytes are zero); `NOSPC` if the bytes are refused. */
  resize(file: MemoryFile, size: number): number {
    if (size > file.data.length) {
      // Room to grow by doubling, or exactly what is asked if that is refused.
      const roomy = Math.max(size, Math.min(file.data.length * 2, size + (1 << 20)));
      const capacity = this.#take(roomy - file.data.length)
        ? roomy
        : this.#take(size - file.data.length)
        ? size
        : -1;
      if (capacity < 0) return Errno.NOSPC;
      const data = new Uint8Array(capacity);
      data.set(file.data.subarray(0, file.size));
      file.data = data;
    } else if (size < file.size) {
      file.data.fill(0, size, file.size);
    }
    file.size = size;
    file.mtime = nowNs();
    return Errno.SUCCESS;
  }

  #file(data: Uint8Array): MemoryFile {
    return { kind: "file", ino: this.#nextIno++, data, size: data.length, mtime: nowNs() };
  }

  #directory(parent: MemoryDirectory | undefined): MemoryDirectory {
    return {
      kind: "dir",
      ino: this.#nextIno++,
      entries: new Map(),
      parent,
      mtime: nowNs(),
      version: 0,
    };
  }

  #add(parent: MemoryDirectory, name: string, node: MemoryNode): boolean {
    if (
      !this.#take(
        NODE_COST + encoder.encode(name).length + (node.kind === "file" ? node.data.length : 0),
      )
    ) {
      return false;
    }
    parent.entries.set(name, node);
    parent.mtime = nowNs();
    parent.version++;
    return true;
  }

  #take(bytes: number): boolean {
    if (!this.#reserve(bytes)) return false;
    this.#held += bytes;
    return true;
  }

  #give(bytes: number): void {
    this.#reserve(-bytes);
    this.#held -= bytes;
  }
}
