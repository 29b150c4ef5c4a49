/**
 * The preview1 functions on a guest's opt-in directory: fd 3 is the
 * preopened directory, later fds the files and directories opened in it.
 * fds 0–2 never come here (see `WasiPreview1`).
 *
 * A read-only directory answers `EPERM` to anything that would change it,
 * as wasmtime does for a preopen without write permission.
 *
 * @module
 */

import { Errno } from "./errno.ts";
import { IOV_MAX } from "./_limits.ts";
import { checkedEnd, type GuestMemory } from "./guest_memory.ts";
import {
  type MemoryDirectory,
  type MemoryFileSystem,
  type MemoryNode,
  nowNs,
  type Resolved,
} from "./_memory_fs.ts";
import type { WasiFunction } from "./preview1.ts";

const FILETYPE_DIRECTORY = 3;
const FILETYPE_REGULAR_FILE = 4;
const OFLAGS_CREAT = 1;
const OFLAGS_DIRECTORY = 2;
const OFLAGS_EXCL = 4;
const OFLAGS_TRUNC = 8;
const FDFLAGS_APPEND = 1;
const RIGHTS_FD_READ = 1n << 1n;
const RIGHTS_FD_WRITE = 1n << 6n;
/** Every preview1 right (bits 0–29). */
const RIGHTS_ALL = (1n << 30n) - 1n;
/** The rights that only make sense on a file opened for writing. */
const RIGHTS_WRITING = RIGHTS_FD_WRITE | (1n << 0n) | (1n << 8n) | (1n << 22n); // + datasync, allocate, set_size
const DIRENT_SIZE = 24;
/** Most descriptors open at once (as a common `ulimit -n`); more answer `EMFILE`. */
const MAX_FDS = 1024;
const ERRNO_MFILE = 33;
/** The largest file offset (a JavaScript number stays exact below it). */
const MAX_OFFSET = BigInt(Number.MAX_SAFE_INTEGER);

interface Descriptor {
  node: MemoryNode;
  /** The preopen's guest path (fd 3 only). */
  preopen?: Uint8Array;
  read: boolean;
  write: boolean;
  append: boolean;
  position: number;
  /** A directory's entries as the last `fd_readdir` listed them, and the version they are of. */
  listing?: { version: number; entries: [string, MemoryNode][] };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** The file descriptors of one guest's directory and the functions on them. */
export class FileDescriptors {
  readonly #fs: MemoryFileSystem;
  readonly #memory: GuestMemory;
  readonly #fds = new Map<number, Descriptor>();

  /**
   * Opens `fs.root` as fd 3, seen by the guest at `guestPath`.
   *
   * @param fs The directory's tree.
   * @param guestPath The preopen's name.
   * @param memory The guest's memory.
   */
  constructor(fs: MemoryFileSystem, guestPath: string, memory: GuestMemory) {
    this.#fs = fs;
    this.#memory = memory;
    this.#fds.set(3, {
      node: fs.root,
      preopen: encoder.encode(guestPath),
      read: true,
      write: false,
      append: false,
      position: 0,
    });
  }

  /** Whether `fd` is open here. */
  has(fd: number): boolean {
    return this.#fds.has(fd);
  }

  /**
   * The functions, by preview1 name, for fds of the directory (the one
   * that routes to them checks the fd is not 0–2). Unlisted fd_ and path_
   * functions answer `EBADF` for a closed fd and `ENOTSUP` otherwise.
   */
  functions(): Record<string, WasiFunction> {
    return {
      fd_prestat_get: (fd: number, out: number) => {
        const d = this.#fds.get(fd);
        if (d?.preopen === undefined) return Errno.BADF;
        const view = this.#view(out, 8);
        view.setUint32(out, 0, true);
        view.setUint32(out + 4, d.preopen.length, true);
        return Errno.SUCCESS;
      },
      fd_prestat_dir_name: (fd: number, path: number, len: number) => {
        const d = this.#fds.get(fd);
        if (d?.preopen === undefined) return Errno.BADF;
        if (len < d.preopen.length) return Errno.NAMETOOLONG;
        checkedEnd(path, d.preopen.length, this.#memory);
        this.#memory.bytes().set(d.preopen, path);
        return Errno.SUCCESS;
      },
      path_open: (
        fd: number,
        _dirflags: number,
        path: number,
        len: number,
        oflags: number,
        rights: bigint,
        _inheriting: bigint,
        fdflags: number,
        out: number,
      ) => this.#open(fd, path, len, oflags, BigInt(rights), fdflags, out),
      fd_close: (fd: number) => this.#fds.delete(fd) ? Errno.SUCCESS : Errno.BADF,
      fd_read: (fd: number, iovs: number, count: number, out: number) =>
        this.#read(fd, iovs, count, undefined, out),
      fd_pread: (fd: number, iovs: number, count: number, offset: bigint, out: number) =>
        this.#read(fd, iovs, count, offset, out),
      fd_write: (fd: number, iovs: number, count: number, out: number) =>
        this.#write(fd, iovs, count, undefined, out),
      fd_pwrite: (fd: number, iovs: number, count: number, offset: bigint, out: number) =>
        this.#write(fd, iovs, count, offset, out),
      fd_seek: (fd: number, offset: bigint, whence: number, out: number) => {
        const d = this.#fds.get(fd);
        if (d === undefined) return Errno.BADF;
        if (d.node.kind !== "file") return Errno.ISDIR;
        const base = whence === 0 ? 0 : whence === 1 ? d.position : whence === 2 ? d.node.size : -1;
        if (base < 0) return Errno.INVAL;
        const position = BigInt(base) + BigInt.asIntN(64, BigInt(offset));
        if (position < 0n || position > MAX_OFFSET) return Errno.INVAL;
        this.#view(out, 8).setBigUint64(out, position, true);
        d.position = Number(position);
        return Errno.SUCCESS;
      },
      fd_tell: (fd: number, out: number) => {
        const d = this.#fds.get(fd);
        if (d === undefined) return Errno.BADF;
        if (d.node.kind !== "file") return Errno.ISDIR;
        this.#view(out, 8).setBigUint64(out, BigInt(d.position), true);
        return Errno.SUCCESS;
      },
      fd_sync: (fd: number) => this.#fds.has(fd) ? Errno.SUCCESS : Errno.BADF,
      fd_datasync: (fd: number) => this.#fds.has(fd) ? Errno.SUCCESS : Errno.BADF,
      fd_advise: (fd: number) => this.#fds.has(fd) ? Errno.SUCCESS : Errno.BADF,
      fd_fdstat_get: (fd: number, out: number) => {
        const d = this.#fds.get(fd);
        if (d === undefined) return Errno.BADF;
        const view = this.#view(out, 24);
        let rights = RIGHTS_ALL;
        if (d.node.kind === "file") {
          if (!d.read) rights &= ~RIGHTS_FD_READ;
          if (!d.write) rights &= ~RIGHTS_WRITING;
        }
        view.setUint8(out, filetype(d.node));
        view.setUint8(out + 1, 0);
        view.setUint16(out + 2, d.append ? FDFLAGS_APPEND : 0, true);
        view.setUint32(out + 4, 0, true);
        view.setBigUint64(out + 8, rights, true);
        view.setBigUint64(out + 16, d.node.kind === "dir" ? RIGHTS_ALL : 0n, true);
        return Errno.SUCCESS;
      },
      fd_filestat_get: (fd: number, out: number) => {
        const d = this.#fds.get(fd);
        if (d === undefined) return Errno.BADF;
        this.#filestat(d.node, out);
        return Errno.SUCCESS;
      },
      fd_filestat_set_size: (fd: number, size: bigint) => {
        const d = this.#fds.get(fd);
        if (d === undefined) return Errno.BADF;
        if (d.node.kind !== "file" || !d.write) return Errno.BADF;
        const bytes = BigInt.asUintN(64, BigInt(size));
        if (bytes > MAX_OFFSET) return Errno.INVAL;
        return this.#fs.resize(d.node, Number(bytes));
      },
      fd_readdir: (fd: number, buf: number, len: number, cookie: bigint, out: number) =>
        this.#readdir(fd, buf, len, BigInt.asUintN(64, BigInt(cookie)), out),
      path_filestat_get: (fd: number, _flags: number, path: number, len: number, out: number) => {
        const r = this.#resolve(fd, path, len);
        if (typeof r === "number") return r;
        if (r.node === undefined) return Errno.NOENT;
        if (r.mustBeDirectory && r.node.kind !== "dir") return Errno.NOTDIR;
        this.#filestat(r.node, out);
        return Errno.SUCCESS;
      },
      path_create_directory: (fd: number, path: number, len: number) => {
        const r = this.#resolve(fd, path, len);
        if (typeof r === "number") return r;
        if (r.node !== undefined) return Errno.EXIST;
        if (!this.#fs.writable) return Errno.PERM;
        return this.#fs.createDirectory(r.parent, r.name) === undefined
          ? Errno.NOSPC
          : Errno.SUCCESS;
      },
      path_unlink_file: (fd: number, path: number, len: number) => {
        const r = this.#resolve(fd, path, len);
        if (typeof r === "number") return r;
        if (r.node === undefined) return Errno.NOENT;
        if (r.node.kind === "dir") return Errno.ISDIR;
        if (r.mustBeDirectory) return Errno.NOTDIR;
        if (!this.#fs.writable) return Errno.PERM;
        this.#fs.remove(r.parent, r.name);
        return Errno.SUCCESS;
      },
      path_remove_directory: (fd: number, path: number, len: number) => {
        const r = this.#resolve(fd, path, len);
        if (typeof r === "number") return r;
        if (r.node === undefined) return Errno.NOENT;
        if (r.node.kind !== "dir") return Errno.NOTDIR;
        if (r.name === "") return Errno.BUSY;
        if (r.node.entries.size > 0) return Errno.NOTEMPTY;
        if (!this.#fs.writable) return Errno.PERM;
        this.#fs.remove(r.parent, r.name);
        return Errno.SUCCESS;
      },
      path_rename: (
        fd: number,
        old: number,
        oldLen: number,
        newFd: number,
        path: number,
        len: number,
      ) => this.#rename(fd, old, oldLen, newFd, path, len),
      path_readlink: (fd: number, path: number, len: number) => {
        // No symlinks: an existing path is not one.
        const r = this.#resolve(fd, path, len);
        if (typeof r === "number") return r;
        return r.node === undefined ? Errno.NOENT : Errno.INVAL;
      },
    };
  }

  #view(ptr: number, len: number): DataView {
    checkedEnd(ptr, len, this.#memory);
    return this.#memory.view();
  }

  /** The directory of `fd` and `path` from guest memory, resolved. */
  #resolve(fd: number, path: number, len: number): Resolved | number {
    const d = this.#fds.get(fd);
    if (d === undefined) return Errno.BADF;
    if (d.node.kind !== "dir") return Errno.NOTDIR;
    const bytes = this.#memory.bytes().subarray(path, checkedEnd(path, len, this.#memory));
    if (bytes.includes(0)) return Errno.INVAL;
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      return Errno.ILSEQ;
    }
    return this.#fs.resolve(d.node, text);
  }

  #open(
    fd: number,
    path: number,
    len: number,
    oflags: number,
    rights: bigint,
    fdflags: number,
    out: number,
  ): number {
    checkedEnd(out, 4, this.#memory);
    const r = this.#resolve(fd, path, len);
    if (typeof r === "number") return r;
    const truncate = (oflags & OFLAGS_TRUNC) !== 0;
    const write = (rights & RIGHTS_FD_WRITE) !== 0n;
    let node = r.node;
    if (node === undefined) {
      if ((oflags & OFLAGS_CREAT) === 0) return Errno.NOENT;
      if (r.mustBeDirectory || (oflags & OFLAGS_DIRECTORY) !== 0) return Errno.ISDIR;
      if (!this.#fs.writable) return Errno.PERM;
      node = this.#fs.createFile(r.parent, r.name);
      if (node === undefined) return Errno.NOSPC;
    } else {
      if ((oflags & OFLAGS_CREAT) !== 0 && (oflags & OFLAGS_EXCL) !== 0) return Errno.EXIST;
      if (node.kind === "dir") {
        if (write || truncate) return Errno.ISDIR;
      } else {
        if ((oflags & OFLAGS_DIRECTORY) !== 0 || r.mustBeDirectory) return Errno.NOTDIR;
        if ((write || truncate) && !this.#fs.writable) return Errno.PERM;
        if (truncate) this.#fs.resize(node, 0);
      }
    }
    if (this.#fds.size >= MAX_FDS) return ERRNO_MFILE;
    let next = 3;
    while (this.#fds.has(next)) next++;
    this.#fds.set(next, {
      node,
      read: (rights & RIGHTS_FD_READ) !== 0n,
      write: write && node.kind === "file",
      append: (fdflags & FDFLAGS_APPEND) !== 0,
      position: 0,
    });
    this.#memory.view().setUint32(out, next, true);
    return Errno.SUCCESS;
  }

  #iovecs(iovs: number, count: number): Uint8Array[] {
    const view = this.#view(iovs, count * 8);
    const bytes = this.#memory.bytes();
    const buffers: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const ptr = view.getUint32(iovs + i * 8, true);
      const len = view.getUint32(iovs + i * 8 + 4, true);
      buffers.push(bytes.subarray(ptr, checkedEnd(ptr, len, this.#memory)));
    }
    return buffers;
  }

  #read(fd: number, iovs: number, count: number, offset: bigint | undefined, out: number): number {
    const d = this.#fds.get(fd);
    if (d === undefined) return Errno.BADF;
    checkedEnd(iovs, count * 8, this.#memory);
    if (count > IOV_MAX) return Errno.INVAL;
    if (d.node.kind !== "file") return Errno.ISDIR;
    if (!d.read) return Errno.BADF;
    checkedEnd(out, 4, this.#memory);
    const buffers = this.#iovecs(iovs, count);
    const file = d.node;
    if (offset !== undefined && BigInt.asUintN(64, BigInt(offset)) > MAX_OFFSET) return Errno.INVAL;
    const start = offset === undefined ? d.position : Number(BigInt.asUintN(64, BigInt(offset)));
    let at = start;
    for (const buffer of buffers) {
      const n = Math.max(0, Math.min(buffer.length, file.size - at));
      buffer.set(file.data.subarray(at, at + n));
      at += n;
      if (n < buffer.length) break;
    }
    if (offset === undefined) d.position = at;
    this.#memory.view().setUint32(out, at - start, true);
    return Errno.SUCCESS;
  }

  #write(fd: number, iovs: number, count: number, offset: bigint | undefined, out: number): number {
    const d = this.#fds.get(fd);
    if (d === undefined) return Errno.BADF;
    checkedEnd(iovs, count * 8, this.#memory);
    if (count > IOV_MAX) return Errno.INVAL;
    if (d.node.kind !== "file" || !d.write) return Errno.BADF;
    checkedEnd(out, 4, this.#memory);
    const buffers = this.#iovecs(iovs, count);
    if (offset !== undefined && BigInt.asUintN(64, BigInt(offset)) > MAX_OFFSET) return Errno.INVAL;
    const at = offset !== undefined
      ? Number(BigInt.asUintN(64, BigInt(offset)))
      : d.append
      ? d.node.size
      : d.position;
    const written = this.#fs.write(d.node, at, buffers);
    if (written === undefined) return Errno.NOSPC;
    if (offset === undefined) d.position = at + written;
    this.#memory.view().setUint32(out, written, true);
    return Errno.SUCCESS;
  }

  #filestat(node: MemoryNode, out: number): void {
    const view = this.#view(out, 64);
    view.setBigUint64(out, 1n, true);
    view.setBigUint64(out + 8, node.ino, true);
    view.setUint8(out + 16, filetype(node));
    this.#memory.bytes().fill(0, out + 17, out + 24);
    view.setBigUint64(out + 24, 1n, true);
    view.setBigUint64(out + 32, BigInt(node.kind === "file" ? node.size : 0), true);
    view.setBigUint64(out + 40, node.mtime, true);
    view.setBigUint64(out + 48, node.mtime, true);
    view.setBigUint64(out + 56, node.mtime, true);
  }

  #readdir(fd: number, buf: number, len: number, cookie: bigint, out: number): number {
    const d = this.#fds.get(fd);
    if (d === undefined) return Errno.BADF;
    if (d.node.kind !== "dir") return Errno.NOTDIR;
    const dir: MemoryDirectory = d.node;
    checkedEnd(buf, len, this.#memory);
    checkedEnd(out, 4, this.#memory);
    // "." and "..", then the entries by name; the cookie is the next entry's
    // index. The sorted list is kept while the directory does not change,
    // so that reading a large one in small pieces stays linear.
    if (d.listing?.version !== dir.version) {
      const names = [...dir.entries.keys()].sort();
      d.listing = {
        version: dir.version,
        entries: [
          [".", dir],
          ["..", dir.parent ?? dir],
          ...names.map((name): [string, MemoryNode] => [name, dir.entries.get(name)!]),
        ],
      };
    }
    const list = d.listing.entries;
    const bytes = this.#memory.bytes();
    let used = 0;
    const first = cookie > BigInt(list.length) ? list.length : Number(cookie);
    for (let i = first; i < list.length && used < len; i++) {
      const [name, node] = list[i]!;
      const encoded = encoder.encode(name);
      const entry = new Uint8Array(DIRENT_SIZE + encoded.length);
      const view = new DataView(entry.buffer);
      view.setBigUint64(0, BigInt(i + 1), true);
      view.setBigUint64(8, node.ino, true);
      view.setUint32(16, encoded.length, true);
      view.setUint8(20, filetype(node));
      entry.set(encoded, DIRENT_SIZE);
      // The last entry may be cut short: a full buffer tells the guest to read on.
      const n = Math.min(entry.length, len - used);
      bytes.set(entry.subarray(0, n), buf + used);
      used += n;
    }
    this.#memory.view().setUint32(out, used, true);
    return Errno.SUCCESS;
  }

  #rename(
    fd: number,
    old: number,
    oldLen: number,
    newFd: number,
    path: number,
    len: number,
  ): number {
    const from = this.#resolve(fd, old, oldLen);
    if (typeof from === "number") return from;
    const to = this.#resolve(newFd, path, len);
    if (typeof to === "number") return to;
    const node = from.node;
    if (node === undefined) return Errno.NOENT;
    if (from.name === "" || to.name === "") return Errno.BUSY;
    if ((from.mustBeDirectory || to.mustBeDirectory) && node.kind !== "dir") return Errno.NOTDIR;
    if (to.node !== undefined && to.node !== node) {
      if (node.kind === "dir" && to.node.kind !== "dir") return Errno.NOTDIR;
      if (node.kind !== "dir" && to.node.kind === "dir") return Errno.ISDIR;
      if (to.node.kind === "dir" && to.node.entries.size > 0) return Errno.NOTEMPTY;
    }
    // A directory cannot move into itself or below itself.
    for (let dir: MemoryDirectory | undefined = to.parent; dir !== undefined; dir = dir.parent) {
      if (dir === node) return Errno.INVAL;
    }
    if (!this.#fs.writable) return Errno.PERM;
    if (to.node === node) return Errno.SUCCESS;
    if (!this.#fs.move(from.parent, from.name, to.parent, to.name)) return Errno.NOSPC;
    from.parent.mtime = nowNs();
    return Errno.SUCCESS;
  }
}

function filetype(node: MemoryNode): number {
  return node.kind === "dir" ? FILETYPE_DIRECTORY : FILETYPE_REGULAR_FILE;
}
