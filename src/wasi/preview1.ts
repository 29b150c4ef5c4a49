/**
 * The WASI preview1 subset this package gives guests.
 *
 * Fully supported: `args_*`, `environ_*`, `random_get`, `sched_yield`,
 * `proc_exit`, `proc_raise`. Partially: `fd_read` (stdin), `fd_write`
 * (stdout, stderr), `clock_time_get`/`clock_res_get` (REALTIME, MONOTONIC),
 * `poll_oneoff` (clock subscriptions). Every other preview1 function answers
 * an errno: `EBADF` for a descriptor that is not open, otherwise the errno a
 * POSIX system gives for that operation on a pipe (`ESPIPE`, `ENOTDIR`,
 * `ENOTSOCK`) or `ENOSYS`.
 *
 * @module
 */

import { Errno } from "./errno.ts";
import { yieldToEventLoop } from "../executor/_yield.ts";
import { IOV_MAX, RANDOM_STEP } from "./_limits.ts";
import { FileDescriptors } from "./_file_descriptors.ts";
import type { Files } from "./files.ts";
import { MemoryFileSystem } from "./_memory_fs.ts";
import { checkedEnd, type GuestMemory } from "./guest_memory.ts";
import type { InputPipe } from "./input_pipe.ts";
import type { OutputPipe } from "./output_pipe.ts";
import { ProcessExit } from "./process_exit.ts";

/**
 * A WASI function: `i32` parameters arrive as unsigned numbers, `i64` ones
 * as bigints. It returns an errno, or a promise of one when the guest must
 * wait (the executor suspends the guest meanwhile); it throws
 * {@linkcode ProcessExit} to end the guest.
 */
export type WasiFunction = (...args: never[]) => number | Promise<number> | undefined;

/** Options for {@linkcode WasiPreview1}. */
export interface WasiPreview1Options {
  /** The guest's memory. */
  memory: GuestMemory;
  /** argv[0] (default `"guest"`). */
  programName?: string;
  /** Arguments after argv[0]. */
  args?: readonly string[];
  /** The environment: exactly these variables (default none). */
  env?: Readonly<Record<string, string>>;
  /** fd 0. */
  stdin: InputPipe;
  /** fd 1. */
  stdout: OutputPipe;
  /** fd 2. */
  stderr: OutputPipe;
  /**
   * Which of fds 0–2 are terminals (default none: pipes). A terminal is a
   * character device to `fd_fdstat_get` and `fd_filestat_get`, so that
   * `isatty()` is true; a pipe is of unknown type, as wasmtime reports
   * both.
   */
  terminal?: TerminalStreams;
  /**
   * A directory for the guest, preopened as fd 3 (default none: every
   * `path_*` function answers `ENOTDIR` and `fd_prestat_get` `EBADF`).
   */
  files?: Files;
  /**
   * Asked before the directory holds `bytes` more (a negative count gives
   * bytes back); a refusal fails the write with `ENOSPC`, or the
   * constructor with a `RangeError` for the initial files. Default: always
   * granted.
   */
  reserveFileBytes?: (bytes: number) => boolean;
}

/** Which of a guest's stdin, stdout and stderr are terminals (absent: a pipe). */
export interface TerminalStreams {
  /** fd 0 is a terminal. */
  stdin?: boolean;
  /** fd 1 is a terminal. */
  stdout?: boolean;
  /** fd 2 is a terminal. */
  stderr?: boolean;
}

/**
 * Parameter and result types of every preview1 function (`i` i32, `I` i64),
 * as `params:results`. Used to check a guest's imports before it runs.
 */
export const PREVIEW1_SIGNATURES: Readonly<Record<string, string>> = {
  args_get: "ii:i",
  args_sizes_get: "ii:i",
  environ_get: "ii:i",
  environ_sizes_get: "ii:i",
  clock_res_get: "ii:i",
  clock_time_get: "iIi:i",
  fd_advise: "iIIi:i",
  fd_allocate: "iII:i",
  fd_close: "i:i",
  fd_datasync: "i:i",
  fd_fdstat_get: "ii:i",
  fd_fdstat_set_flags: "ii:i",
  fd_fdstat_set_rights: "iII:i",
  fd_filestat_get: "ii:i",
  fd_filestat_set_size: "iI:i",
  fd_filestat_set_times: "iIIi:i",
  fd_pread: "iiiIi:i",
  fd_prestat_get: "ii:i",
  fd_prestat_dir_name: "iii:i",
  fd_pwrite: "iiiIi:i",
  fd_read: "iiii:i",
  fd_readdir: "iiiIi:i",
  fd_renumber: "ii:i",
  fd_seek: "iIii:i",
  fd_sync: "i:i",
  fd_tell: "ii:i",
  fd_write: "iiii:i",
  path_create_directory: "iii:i",
  path_filestat_get: "iiiii:i",
  path_filestat_set_times: "iiiiIIi:i",
  path_link: "iiiiiii:i",
  path_open: "iiiiiIIii:i",
  path_readlink: "iiiiii:i",
  path_remove_directory: "iii:i",
  path_rename: "iiiiii:i",
  path_symlink: "iiiii:i",
  path_unlink_file: "iii:i",
  poll_oneoff: "iiii:i",
  proc_exit: "i:",
  proc_raise: "i:i",
  sched_yield: ":i",
  random_get: "ii:i",
  sock_accept: "iii:i",
  sock_recv: "iiiiii:i",
  sock_send: "iiiii:i",
  sock_shutdown: "ii:i",
};

/** How well this package supports a preview1 function. */
export type Preview1Support = "full" | "partial" | "errno";

const FULL: ReadonlySet<string> = new Set([
  "args_get",
  "args_sizes_get",
  "environ_get",
  "environ_sizes_get",
  "random_get",
  "sched_yield",
  "proc_exit",
  "proc_raise",
]);
const PARTIAL: ReadonlySet<string> = new Set([
  "fd_read",
  "fd_write",
  "fd_close",
  "fd_fdstat_get",
  "fd_filestat_get",
  "clock_time_get",
  "clock_res_get",
  "poll_oneoff",
]);

/** Support level of every preview1 function. */
export const PREVIEW1_SUPPORT: Readonly<Record<string, Preview1Support>> = Object.fromEntries(
  Object.keys(PREVIEW1_SIGNATURES).map((name) => [
    name,
    FULL.has(name) ? "full" : PARTIAL.has(name) ? "partial" : "errno",
  ]),
);

const CLOCK_REALTIME = 0;
const CLOCK_MONOTONIC = 1;
const FILETYPE_UNKNOWN = 0;
const FILETYPE_CHARACTER_DEVICE = 2;
const RIGHTS_FD_READ = 1n << 1n;
const RIGHTS_FD_WRITE = 1n << 6n;
const EVENTTYPE_CLOCK = 0;
const SUBCLOCKFLAG_ABSTIME = 1;
/** The longest delay `setTimeout` honours (2^31 - 1 ms); longer ones fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const encoder = new TextEncoder();

/**
 * The WASI preview1 implementation for one guest. Its
 * {@linkcode WasiPreview1.imports} go to the guest's `wasi_snapshot_preview1`
 * imports, whatever executes the guest.
 *
 * @example Answer args_sizes_get for a guest
 * ```ts
 * import { InputPipe, OutputPipe, WasiPreview1, WebAssemblyMemory } from "@wasmi-plugins/host/wasi";
 * const memory = new WebAssemblyMemory(new WebAssembly.Memory({ initial: 1 }));
 * const wasi = new WasiPreview1({
 *   memory, args: ["a"], stdin: new InputPipe(), stdout: new OutputPipe(), stderr: new OutputPipe(),
 * });
 * const argsSizesGet = wasi.imports.args_sizes_get as (count: number, size: number) => number;
 * if (argsSizesGet(0, 4) !== 0 || memory.view().getUint32(0, true) !== 2) throw new Error("unexpected");
 * ```
 */
export class WasiPreview1 {
  /** The functions, by preview1 name. */
  readonly imports: Readonly<Record<string, WasiFunction>>;
  readonly #memory: GuestMemory;
  readonly #args: Uint8Array[];
  readonly #env: Uint8Array[];
  readonly #stdin: InputPipe;
  readonly #outputs: [OutputPipe, OutputPipe];
  readonly #open = [true, true, true];
  /** The WASI file type of fds 0–2. */
  readonly #filetypes: readonly number[];
  /** The output written to last (its gathered bytes go first when the other is written). */
  #lastOutput: OutputPipe | undefined;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  /** The opt-in directory's descriptors (fd 3 on), if the guest has one. */
  readonly #files: FileDescriptors | undefined;

  /**
   * Creates the functions for one guest.
   *
   * @param options Memory, arguments, environment and stdio of the guest.
   */
  constructor(options: WasiPreview1Options) {
    this.#memory = options.memory;
    this.#stdin = options.stdin;
    this.#outputs = [options.stdout, options.stderr];
    const terminal = options.terminal ?? {};
    this.#filetypes = [terminal.stdin, terminal.stdout, terminal.stderr].map((tty) =>
      tty === true ? FILETYPE_CHARACTER_DEVICE : FILETYPE_UNKNOWN
    );
    this.#args = [options.programName ?? "guest", ...(options.args ?? [])].map(cString);
    this.#env = Object.entries(options.env ?? {}).map(([key, value]) => {
      if (key === "" || key.includes("=") || key.includes("\0") || value.includes("\0")) {
        throw new TypeError(`Invalid environment variable name or value: ${JSON.stringify(key)}`);
      }
      return cString(`${key}=${value}`);
    });
    if (options.files !== undefined) {
      const guestPath = options.files.guestPath ?? "/";
      if (typeof guestPath !== "string" || guestPath === "" || guestPath.includes("\0")) {
        throw new TypeError(
          `files.guestPath must be a non-empty path, not ${JSON.stringify(guestPath)}`,
        );
      }
      const fs = new MemoryFileSystem(options.files, options.reserveFileBytes ?? (() => true));
      this.#files = new FileDescriptors(fs, guestPath, this.#memory);
    }
    this.imports = this.#withFiles(this.#functions());
  }

  /** `functions` with fds from 3 on routed to the directory, if there is one. */
  #withFiles(functions: Record<string, WasiFunction>): Record<string, WasiFunction> {
    const files = this.#files;
    if (files === undefined) return functions;
    const own = files.functions();
    const routed: Record<string, WasiFunction> = { ...functions };
    for (const name of Object.keys(PREVIEW1_SIGNATURES)) {
      if (!name.startsWith("fd_") && !name.startsWith("path_")) continue;
      const fdArg = name === "path_symlink" ? 2 : 0;
      const stdio = functions[name] as (...args: unknown[]) => number;
      const file = (own[name] ?? ((...args: number[]) =>
        files.has(args[fdArg]!) ? Errno.NOTSUP : Errno.BADF)) as (...args: unknown[]) => number;
      routed[name] = ((...args: number[]) =>
        args[fdArg]! < 3 ? stdio(...args) : file(...args)) as WasiFunction;
    }
    return routed;
  }

  /**
   * Sends what the guest wrote to stdout and stderr on to their readers
   * (see {@linkcode OutputPipe.flush}); the executor calls it before the
   * guest yields to the event loop, and the guest's waits call it.
   */
  flush(): void {
    this.#outputs[0].flush();
    this.#outputs[1].flush();
  }

  /** Cancels pending sleeps (the guest will not be resumed). */
  dispose(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #functions(): Record<string, WasiFunction> {
    const errno = (fdArg: number, whenOpen: number) => (...args: number[]) =>
      this.#isOpen(args[fdArg]!) ? whenOpen : Errno.BADF;
    const stubs: Record<string, WasiFunction> = {};
    for (const name of Object.keys(PREVIEW1_SIGNATURES)) {
      if (name.startsWith("path_")) {
        // No preopened directories: stdio descriptors are not directories.
        stubs[name] = errno(name === "path_symlink" ? 2 : 0, Errno.NOTDIR);
      } else if (name.startsWith("sock_")) {
        stubs[name] = errno(0, Errno.NOTSOCK);
      } else if (name.startsWith("fd_")) {
        const seeking = ["fd_seek", "fd_tell", "fd_pread", "fd_pwrite"].includes(name);
        stubs[name] = errno(0, seeking ? Errno.SPIPE : Errno.NOSYS);
      }
    }
    return {
      ...stubs,
      fd_prestat_get: () => Errno.BADF,
      fd_prestat_dir_name: () => Errno.BADF,
      args_sizes_get: (count: number, size: number) => this.#sizes(this.#args, count, size),
      args_get: (argv: number, buf: number) => this.#strings(this.#args, argv, buf),
      environ_sizes_get: (count: number, size: number) => this.#sizes(this.#env, count, size),
      environ_get: (environ: number, buf: number) => this.#strings(this.#env, environ, buf),
      random_get: (buf: number, len: number) => {
        checkedEnd(buf, len, this.#memory);
        return this.#randomGet(buf, len);
      },
      sched_yield: () => Errno.SUCCESS,
      proc_exit: (code: number) => {
        throw new ProcessExit(code);
      },
      proc_raise: (signal: number) => {
        throw new ProcessExit(128 + signal, signal);
      },
      clock_res_get: (id: number, out: number) => {
        if (id !== CLOCK_REALTIME && id !== CLOCK_MONOTONIC) return Errno.INVAL;
        this.#memory.view().setBigUint64(out, 1000n, true);
        return Errno.SUCCESS;
      },
      clock_time_get: (id: number, _precision: bigint, out: number) => {
        const now = clockNow(id);
        if (now === undefined) return Errno.INVAL;
        this.#memory.view().setBigUint64(out, now, true);
        return Errno.SUCCESS;
      },
      poll_oneoff: (subs: number, events: number, count: number, nevents: number) =>
        this.#pollOneoff(subs, events, count, nevents),
      fd_read: (fd: number, iovs: number, iovsLen: number, nread: number) =>
        this.#fdRead(fd, iovs, iovsLen, nread),
      fd_write: (fd: number, iovs: number, iovsLen: number, nwritten: number) =>
        this.#fdWrite(fd, iovs, iovsLen, nwritten),
      fd_close: (fd: number) => {
        if (!this.#isOpen(fd)) return Errno.BADF;
        this.#open[fd] = false;
        if (fd === 0) this.#stdin.close();
        else this.#outputs[fd - 1]!.close();
        return Errno.SUCCESS;
      },
      fd_fdstat_get: (fd: number, out: number) => {
        if (!this.#isOpen(fd)) return Errno.BADF;
        const view = this.#memory.view();
        checkedEnd(out, 24, this.#memory);
        // As wasmtime: the file type, never non-blocking, and the one right
        // of the stream, base and inheriting (no seek or tell: not a file).
        const rights = fd === 0 ? RIGHTS_FD_READ : RIGHTS_FD_WRITE;
        view.setUint8(out, this.#filetypes[fd]!);
        view.setUint8(out + 1, 0);
        view.setUint16(out + 2, 0, true);
        view.setUint32(out + 4, 0, true);
        view.setBigUint64(out + 8, rights, true);
        view.setBigUint64(out + 16, rights, true);
        return Errno.SUCCESS;
      },
      fd_filestat_get: (fd: number, out: number) => {
        if (!this.#isOpen(fd)) return Errno.BADF;
        this.#memory.bytes().fill(0, out, checkedEnd(out, 64, this.#memory));
        this.#memory.view().setUint8(out + 16, this.#filetypes[fd]!);
        return Errno.SUCCESS;
      },
    };
  }

  #isOpen(fd: number): boolean {
    return fd < 3 && this.#open[fd] === true;
  }

  #sizes(strings: Uint8Array[], countPtr: number, sizePtr: number): number {
    const view = this.#memory.view();
    view.setUint32(countPtr, strings.length, true);
    view.setUint32(sizePtr, strings.reduce((sum, s) => sum + s.length, 0), true);
    return Errno.SUCCESS;
  }

  #strings(strings: Uint8Array[], pointers: number, buffer: number): number {
    const view = this.#memory.view();
    const bytes = this.#memory.bytes();
    checkedEnd(pointers, strings.length * 4, this.#memory);
    checkedEnd(buffer, strings.reduce((sum, s) => sum + s.length, 0), this.#memory);
    for (const [i, string] of strings.entries()) {
      view.setUint32(pointers + i * 4, buffer, true);
      bytes.set(string, buffer);
      buffer += string.length;
    }
    return Errno.SUCCESS;
  }

  #iovecs(iovs: number, count: number): Uint8Array[] {
    const view = this.#memory.view();
    const bytes = this.#memory.bytes();
    checkedEnd(iovs, count * 8, this.#memory);
    const buffers: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const ptr = view.getUint32(iovs + i * 8, true);
      const len = view.getUint32(iovs + i * 8 + 4, true);
      buffers.push(bytes.subarray(ptr, checkedEnd(ptr, len, this.#memory)));
    }
    return buffers;
  }

  #fdRead(fd: number, iovs: number, iovsLen: number, nread: number): number | Promise<number> {
    if (fd !== 0 || !this.#isOpen(fd)) return Errno.BADF;
    checkedEnd(iovs, iovsLen * 8, this.#memory);
    if (iovsLen > IOV_MAX) return Errno.INVAL;
    const count = this.#stdin.read(this.#iovecs(iovs, iovsLen));
    if (count === null) {
      // What the guest wrote goes out first (a reply the host awaits).
      this.flush();
      // Nothing to read yet: the guest waits; read again once bytes arrive.
      return this.#stdin.wait().then(() => this.#fdRead(fd, iovs, iovsLen, nread));
    }
    this.#memory.view().setUint32(nread, count, true);
    return Errno.SUCCESS;
  }

  /** Fills `len` bytes at `buf` (checked), RANDOM_STEP bytes per turn of the event loop. */
  #randomGet(buf: number, len: number): number | Promise<number> {
    const step = Math.min(len, RANDOM_STEP);
    const bytes = this.#memory.bytes().subarray(buf, buf + step);
    for (let i = 0; i < bytes.length; i += 65536) {
      crypto.getRandomValues(bytes.subarray(i, i + 65536));
    }
    if (step === len) return Errno.SUCCESS;
    return yieldToEventLoop().then(() => this.#randomGet(buf + step, len - step));
  }

  #fdWrite(fd: number, iovs: number, iovsLen: number, nwritten: number): number | Promise<number> {
    if (fd === 0 || !this.#isOpen(fd)) return Errno.BADF;
    const view = this.#memory.view();
    const memory = this.#memory.bytes();
    // Every buffer is checked before any is written.
    checkedEnd(iovs, iovsLen * 8, this.#memory);
    if (iovsLen > IOV_MAX) return Errno.INVAL;
    checkedEnd(nwritten, 4, this.#memory);
    let total = 0;
    for (let i = 0; i < iovsLen; i++) {
      const ptr = view.getUint32(iovs + i * 8, true);
      const len = view.getUint32(iovs + i * 8 + 4, true);
      checkedEnd(ptr, len, this.#memory);
      total += len;
    }
    const output = this.#outputs[fd - 1]!;
    if (!output.open) return Errno.PIPE;
    // Lines of stdout and stderr reach their readers in the order written.
    if (this.#lastOutput !== output) {
      this.#lastOutput?.flush();
      this.#lastOutput = output;
    }
    // Once the reader is behind, the write ends there (a short write, as a
    // pipe's): the guest writes the rest after the wait, so one call never
    // queues more than the window and one iovec, however many iovecs name
    // the same bytes.
    let done = 0;
    for (let i = 0; i < iovsLen; i++) {
      const ptr = view.getUint32(iovs + i * 8, true);
      const len = view.getUint32(iovs + i * 8 + 4, true);
      const written = output.write(memory, ptr, ptr + len);
      if (written === false) return done > 0 ? this.#wrote(nwritten, done) : Errno.PIPE;
      done += len;
      if (written !== true) return written.then(() => this.#wrote(nwritten, done));
    }
    return this.#wrote(nwritten, total);
  }

  /** Stores a write's count (in memory that may have grown meanwhile). */
  #wrote(nwritten: number, count: number): number {
    this.#memory.view().setUint32(nwritten, count, true);
    return Errno.SUCCESS;
  }

  #pollOneoff(
    subs: number,
    events: number,
    count: number,
    nevents: number,
  ): number | Promise<number> {
    if (count === 0) return Errno.INVAL;
    const view = this.#memory.view();
    checkedEnd(subs, count * 48, this.#memory);
    checkedEnd(events, count * 32, this.#memory);
    checkedEnd(nevents, 4, this.#memory);
    const clocks: { userdata: bigint; deadline: number }[] = [];
    const immediate: { userdata: bigint; type: number; error: number }[] = [];
    const now = performance.now();
    for (let i = 0; i < count; i++) {
      const sub = subs + i * 48;
      const userdata = view.getBigUint64(sub, true);
      const type = view.getUint8(sub + 8);
      if (type !== EVENTTYPE_CLOCK) {
        // fd_read/fd_write subscriptions are not supported.
        immediate.push({ userdata, type, error: type <= 2 ? Errno.NOSYS : Errno.INVAL });
        continue;
      }
      const id = view.getUint32(sub + 16, true);
      const timeout = view.getBigUint64(sub + 24, true);
      const flags = view.getUint16(sub + 40, true);
      const clock = clockNow(id);
      if (clock === undefined) {
        immediate.push({ userdata, type, error: Errno.INVAL });
        continue;
      }
      const relative = (flags & SUBCLOCKFLAG_ABSTIME) !== 0 ? timeout - clock : timeout;
      clocks.push({ userdata, deadline: now + Math.max(0, Number(relative) / 1e6) });
    }
    const finish = (): number => {
      const view = this.#memory.view();
      const at = performance.now();
      const fired = [
        ...immediate,
        ...clocks.filter((c) => c.deadline <= at).map((c) => ({
          userdata: c.userdata,
          type: EVENTTYPE_CLOCK,
          error: Errno.SUCCESS,
        })),
      ];
      for (const [i, event] of fired.entries()) {
        const out = events + i * 32;
        view.setBigUint64(out, event.userdata, true);
        view.setUint16(out + 8, event.error, true);
        view.setUint8(out + 10, event.type);
        view.setBigUint64(out + 16, 0n, true);
        view.setUint16(out + 24, 0, true);
      }
      view.setUint32(nevents, fired.length, true);
      return Errno.SUCCESS;
    };
    const earliest = Math.min(...clocks.map((c) => c.deadline));
    if (immediate.length > 0 || earliest <= now) return finish();
    this.flush();
    return new Promise((resolve) => {
      // Timers take at most MAX_TIMER_MS (longer delays fire at once), and
      // may fire a little early: wait again until the deadline has passed.
      const arm = () => {
        const delay = Math.min(MAX_TIMER_MS, Math.ceil(earliest - performance.now()));
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          if (performance.now() < earliest) arm();
          else resolve(finish());
        }, Math.max(0, delay));
        this.#timers.add(timer);
      };
      arm();
    });
  }
}

function cString(text: string): Uint8Array {
  const bytes = encoder.encode(`${text}\0`);
  if (bytes.indexOf(0) !== bytes.length - 1) {
    throw new TypeError(`Argument contains a NUL byte: ${JSON.stringify(text)}`);
  }
  return bytes;
}

/** Nanoseconds on a supported clock, or undefined for other clock ids. */
function clockNow(id: number): bigint | undefined {
  if (id === CLOCK_REALTIME) {
    return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
  }
  if (id === CLOCK_MONOTONIC) return BigInt(Math.round(performance.now() * 1e6));
  return undefined;
}
