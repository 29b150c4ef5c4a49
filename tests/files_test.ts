// The opt-in directory (issue 26): a C and a Rust guest read, write and list
// files held in memory; hostile paths get the errno wasmtime 51 gives; the
// bytes count toward maxMemory. Runs on the default engine; files_v8_test.ts
// runs it on "v8".
import assert from "node:assert/strict";
import {
  Errno,
  filesFromDirectory,
  GuestModule,
  InputPipe,
  OutputPipe,
  WasiPreview1,
  WebAssemblyMemory,
} from "../mod.ts";
import type { Files } from "../mod.ts";
import { engineMode } from "./_engine_mode.ts";
import { cliCommand } from "./_cli.ts";

const compile = async (guest: string) =>
  await GuestModule.compile(await Deno.readFile(`testdata/${guest}.wasm`), engineMode);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

const FILES: Files = { entries: { "a.txt": "hello", "sub/b.txt": "bee", "empty/": "" } };

async function run(guest: string, args: string[], files?: Files, maxMemory?: number) {
  using module = await compile(guest);
  const { status, stdout } = await module.output({
    args,
    ...(files === undefined ? {} : { files }),
    ...(maxMemory === undefined ? {} : { maxMemory }),
  });
  return { code: status.code, out: text(stdout) };
}

Deno.test("a C guest reads and lists a read-only directory, and its writes are refused", async () => {
  const { code, out } = await run(
    "c_files",
    ["cat", "a.txt", "cat", "/sub/b.txt", "ls", ".", "ls", "/empty", "stat", "sub", "stat", "a.txt"]
      .concat(["write", "c.txt", "new", "write", "a.txt", "x", "mkdir", "d", "rm", "a.txt"])
      .concat(["mv", "a.txt", "z.txt", "rmdir", "empty", "cat", "a.txt"]),
    FILES,
  );
  assert.equal(
    out,
    "cat a.txt: hello\ncat /sub/b.txt: bee\nls .: a.txt empty/ sub/\nls /empty:\n" +
      "stat sub: dir 0 bytes\nstat a.txt: file 5 bytes\n" +
      `write c.txt: errno ${Errno.PERM}\nwrite a.txt: errno ${Errno.PERM}\n` +
      `mkdir d: errno ${Errno.PERM}\nrm a.txt: errno ${Errno.PERM}\n` +
      `mv a.txt: errno ${Errno.PERM}\nrmdir empty: errno ${Errno.PERM}\ncat a.txt: hello\n`,
  );
  assert.equal(code, 1);
});

Deno.test("a C guest writes, appends, renames and removes in a writable directory", async () => {
  const { code, out } = await run("c_files", [
    ...["ls", "/data", "write", "/data/c.txt", "new", "append", "/data/c.txt", "+more"],
    ...["cat", "/data/c.txt", "mkdir", "/data/d", "mv", "/data/c.txt", "/data/d/e.txt"],
    ...[
      "ls",
      "/data/d",
      "stat",
      "/data/d/e.txt",
      "write",
      "/data/a.txt",
      "over",
      "cat",
      "/data/a.txt",
    ],
    ...["rmdir", "/data/d", "rm", "/data/d/e.txt", "rmdir", "/data/d", "rm", "/data/sub"],
    ...["ls", "/data"],
  ], { ...FILES, guestPath: "/data", writable: true });
  assert.equal(
    out,
    "ls /data: a.txt empty/ sub/\nwrite /data/c.txt: 3 bytes\nappend /data/c.txt: 5 bytes\n" +
      "cat /data/c.txt: new+more\nmkdir /data/d: ok\nmv /data/c.txt /data/d/e.txt: ok\n" +
      "ls /data/d: e.txt\nstat /data/d/e.txt: file 8 bytes\nwrite /data/a.txt: 4 bytes\n" +
      `cat /data/a.txt: over\nrmdir /data/d: errno ${Errno.NOTEMPTY}\nrm /data/d/e.txt: ok\n` +
      `rmdir /data/d: ok\nrm /data/sub: errno ${Errno.ISDIR}\nls /data: a.txt empty/ sub/\n`,
  );
  assert.equal(code, 1);
});

Deno.test("the caller's entries are copied: a guest's writes never change them", async () => {
  const bytes = new TextEncoder().encode("hello");
  await run("c_files", ["write", "a.txt", "HELLO"], {
    entries: { "a.txt": bytes },
    writable: true,
  });
  assert.equal(text(bytes), "hello");
});

Deno.test("hostile paths get the errno wasmtime gives, and reach nothing outside", async () => {
  const long = "x/".repeat(2100) + "x";
  const { out } = await run("c_files", [
    ...["raw", "../x", "raw", "/etc/passwd", "raw", "sub/../../x", "raw", "sub/../a.txt"],
    ...["raw", "./sub/./b.txt", "raw", "a.txt/", "raw", "a.txt/x", "raw", "missing/x"],
    ...["raw", "y".repeat(256), "raw", long, "raw", ""],
    ...["cat", "../a.txt", "cat", "/../../a.txt", "ls", "sub/../.."],
  ], FILES);
  assert.equal(
    out,
    `raw ../x: errno ${Errno.PERM}\nraw /etc/passwd: errno ${Errno.PERM}\n` +
      `raw sub/../../x: errno ${Errno.PERM}\nraw sub/../a.txt: errno 0\n` +
      `raw ./sub/./b.txt: errno 0\nraw a.txt/: errno ${Errno.NOTDIR}\n` +
      `raw a.txt/x: errno ${Errno.NOTDIR}\nraw missing/x: errno ${Errno.NOENT}\n` +
      `raw ${
        "y".repeat(256)
      }: errno ${Errno.NAMETOOLONG}\nraw ${long}: errno ${Errno.NAMETOOLONG}\n` +
      `raw : errno ${Errno.NOENT}\n` +
      // wasi-libc resolves an absolute path against the preopen "/" itself.
      `cat ../a.txt: errno ${Errno.PERM}\ncat /../../a.txt: errno ${Errno.PERM}\n` +
      `ls sub/../..: errno ${Errno.PERM}\n`,
  );
});

Deno.test("without files a C guest finds no directory, as under wasmtime without --dir", async () => {
  const { code, out } = await run("c_files", ["cat", "a.txt", "raw", "a.txt"]);
  assert.equal(out, `cat a.txt: errno ${Errno.NOTCAPABLE}\nraw a.txt: errno ${Errno.BADF}\n`);
  assert.equal(code, 1);
});

Deno.test("a Rust guest reads, writes and lists with std::fs", async () => {
  const args = [
    ...["ls", "/data", "cat", "/data/a.txt", "write", "/data/c.txt", "new", "cat", "/data/c.txt"],
    ...[
      "mkdir",
      "/data/d",
      "ls",
      "/data",
      "rm",
      "/data/a.txt",
      "cat",
      "/data/../x",
      "cat",
      "/etc/x",
    ],
  ];
  const files = { ...FILES, guestPath: "/data" };
  const rw = await run("rust_files", args, { ...files, writable: true });
  assert.equal(
    rw.out,
    "ls /data: a.txt empty/ sub/\ncat /data/a.txt: hello\nwrite /data/c.txt: 3 bytes\n" +
      "cat /data/c.txt: new\nmkdir /data/d: ok\nls /data: a.txt c.txt d/ empty/ sub/\n" +
      `rm /data/a.txt: ok\ncat /data/../x: errno ${Errno.PERM}\n` +
      `cat /etc/x: errno ${Errno.NOTCAPABLE}\n`,
  );
  const ro = await run("rust_files", args, files);
  assert.equal(
    ro.out,
    "ls /data: a.txt empty/ sub/\ncat /data/a.txt: hello\n" +
      `write /data/c.txt: errno ${Errno.PERM}\ncat /data/c.txt: errno ${Errno.NOENT}\n` +
      `mkdir /data/d: errno ${Errno.PERM}\nls /data: a.txt empty/ sub/\n` +
      `rm /data/a.txt: errno ${Errno.PERM}\ncat /data/../x: errno ${Errno.PERM}\n` +
      `cat /etc/x: errno ${Errno.NOTCAPABLE}\n`,
  );
});

Deno.test("files count toward maxMemory: a write past it fails with ENOSPC", async () => {
  const { code, out } = await run(
    "c_files",
    ["fill", "big", String(2 << 20), "rm", "big", "fill", "small", "1000", "stat", "small"],
    { entries: {}, writable: true },
    1 << 20,
  );
  assert.equal(
    out,
    `fill big: errno ${Errno.NOSPC}\nrm big: ok\nfill small: 1000 bytes\nstat small: file 1000 bytes\n`,
  );
  assert.equal(code, 1);
});

Deno.test("files past maxMemory are refused: alone at spawn, with the memory as the run's failure", async () => {
  using module = await compile("c_files");
  assert.throws(
    () =>
      module.spawn({ maxMemory: 1 << 20, files: { entries: { big: new Uint8Array(2 << 20) } } }),
    (error: Error) =>
      error instanceof RangeError && /files: the entries need more bytes/.test(error.message),
  );
  await assert.rejects(
    module.output({ maxMemory: 1 << 20, files: { entries: { big: new Uint8Array(1000 << 10) } } }),
    (error: Error) => (error as { kind?: string }).kind === "memory",
  );
});

Deno.test("bad entries and guest paths are refused with a sentence naming them", async () => {
  using module = await compile("c_files");
  for (const path of ["../x", "/abs", "a//b", "a/./b", "a\0b", ""]) {
    assert.throws(
      () => module.spawn({ files: { entries: { [path]: "x" } } }),
      (error: Error) => error instanceof TypeError && error.message.includes(JSON.stringify(path)),
    );
  }
  assert.throws(
    () => module.spawn({ files: { entries: { "a": "x", "a/b": "y" } } }),
    /"a\/b" collides with another entry/,
  );
  assert.throws(() => module.spawn({ files: { guestPath: "", entries: {} } }), /files.guestPath/);
});

Deno.test("WasiPreview1: a write the reservation refuses answers ENOSPC and changes nothing", () => {
  const memory = new WebAssemblyMemory(new WebAssembly.Memory({ initial: 1 }));
  let allowed = 200;
  const wasi = new WasiPreview1({
    memory,
    stdin: new InputPipe(),
    stdout: new OutputPipe(),
    stderr: new OutputPipe(),
    files: { entries: { "f": "" }, writable: true },
    reserveFileBytes: (bytes) => {
      if (bytes > allowed) return false;
      allowed -= bytes;
      return true;
    },
  });
  const f = wasi.imports as Record<string, (...args: (number | bigint)[]) => number>;
  const bytes = memory.bytes();
  const view = memory.view();
  bytes.set(new TextEncoder().encode("f"), 100);
  assert.equal(f.path_open!(3, 0, 100, 1, 0, (1n << 1n) | (1n << 6n), 0n, 0, 200), Errno.SUCCESS);
  const fd = view.getUint32(200, true);
  assert.equal(fd, 4);
  view.setUint32(300, 1000, true); // iovec: 500 bytes at 1000
  view.setUint32(304, 500, true);
  assert.equal(f.fd_write!(fd, 300, 1, 400), Errno.NOSPC);
  view.setUint32(304, 50, true);
  assert.equal(f.fd_write!(fd, 300, 1, 400), Errno.SUCCESS);
  assert.equal(view.getUint32(400, true), 50);
  assert.equal(f.fd_filestat_get!(fd, 500), Errno.SUCCESS);
  assert.equal(view.getBigUint64(532, true), 50n);
  assert.equal(f.fd_close!(fd), Errno.SUCCESS);
  assert.equal(f.fd_close!(fd), Errno.BADF);
  // The preopen: fd 3, a directory named "/"; fd 4 is closed again.
  assert.equal(f.fd_prestat_get!(3, 600), Errno.SUCCESS);
  assert.equal(view.getUint32(604, true), 1);
  assert.equal(f.fd_prestat_get!(4, 600), Errno.BADF);
});

Deno.test("filesFromDirectory snapshots a host directory, refuses symlinks, and writes stay in memory", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.txt`, "hello");
    await Deno.mkdir(`${dir}/sub/deeper`, { recursive: true });
    await Deno.writeTextFile(`${dir}/sub/b.txt`, "bee");
    const files = await filesFromDirectory(dir, { guestPath: "/data", writable: true });
    assert.deepEqual(Object.keys(files.entries), ["a.txt", "sub/b.txt", "sub/deeper/"]);
    const { out } = await run("c_files", ["ls", "/data/sub", "write", "/data/a.txt", "x"], files);
    assert.equal(out, "ls /data/sub: b.txt deeper/\nwrite /data/a.txt: 1 bytes\n");
    assert.equal(await Deno.readTextFile(`${dir}/a.txt`), "hello");
    await Deno.symlink("/etc", `${dir}/sub/link`);
    await assert.rejects(filesFromDirectory(dir), /sub\/link is a symlink/);
    await assert.rejects(filesFromDirectory(dir, { maxBytes: 4 }), /holds more than 4 bytes/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli run --dir mounts a snapshot, read-only unless :rw, and never writes the host", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.txt`, "hello");
    const cli = (args: string[]) => cliCommand(["run", ...args]).output();
    const ro = await cli([
      "--dir",
      dir,
      "testdata/c_files.wasm",
      "--",
      "cat",
      "a.txt",
      "write",
      "a.txt",
      "x",
    ]);
    assert.equal(text(ro.stdout), `cat a.txt: hello\nwrite a.txt: errno ${Errno.PERM}\n`);
    assert.equal(ro.code, 1);
    const rw = await cli([
      ...["--dir", `${dir}:/data:rw`, "testdata/c_files.wasm", "--"],
      ...["write", "/data/a.txt", "x", "cat", "/data/a.txt"],
    ]);
    assert.equal(text(rw.stdout), "write /data/a.txt: 1 bytes\ncat /data/a.txt: x\n");
    assert.equal(rw.code, 0);
    assert.equal(await Deno.readTextFile(`${dir}/a.txt`), "hello");
    const bad = await cli(["--dir", `${dir}/missing`, "testdata/c_files.wasm"]);
    assert.equal(bad.code, 66);
    assert.match(text(bad.stderr), /missing/);
    const usage = await cli(["--dir", `${dir}:/data:rx`, "testdata/c_files.wasm"]);
    assert.equal(usage.code, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("WasiPreview1: hostile arguments on a directory's fds answer an errno or EFAULT", () => {
  const memory = new WebAssemblyMemory(new WebAssembly.Memory({ initial: 1 }));
  const wasi = new WasiPreview1({
    memory,
    stdin: new InputPipe(),
    stdout: new OutputPipe(),
    stderr: new OutputPipe(),
    files: { entries: { "f": "data", "d/": "" }, writable: true },
  });
  const f = wasi.imports as Record<string, (...args: (number | bigint)[]) => number>;
  const bytes = memory.bytes();
  const view = memory.view();
  const path = (at: number, p: string | number[]) => {
    const encoded = typeof p === "string" ? new TextEncoder().encode(p) : new Uint8Array(p);
    bytes.set(encoded, at);
    return encoded.length;
  };
  const RW = (1n << 1n) | (1n << 6n);
  assert.equal(f.path_open!(3, 0, 100, path(100, [0x66, 0xff]), 0, RW, 0n, 0, 200), Errno.ILSEQ);
  assert.equal(f.path_open!(3, 0, 100, path(100, [0x66, 0, 0x66]), 0, RW, 0n, 0, 200), Errno.INVAL);
  assert.throws(() => f.path_open!(3, 0, 0xffff_fff0, 32, 0, RW, 0n, 0, 200), RangeError);
  assert.equal(f.path_open!(3, 0, 100, path(100, "f"), 0, RW, 0n, 0, 200), Errno.SUCCESS);
  const fd = view.getUint32(200, true);
  view.setUint32(300, 1000, true);
  view.setUint32(304, 4, true);
  assert.equal(f.fd_pwrite!(fd, 300, 1, 1n << 63n, 400), Errno.INVAL);
  assert.equal(f.fd_pwrite!(fd, 300, 1, -1n, 400), Errno.INVAL);
  assert.equal(f.fd_pread!(fd, 300, 1, 1000n, 400), Errno.SUCCESS);
  assert.equal(view.getUint32(400, true), 0);
  assert.equal(f.fd_seek!(fd, -1n, 0, 400), Errno.INVAL);
  assert.equal(f.fd_seek!(fd, 0n, 7, 400), Errno.INVAL);
  assert.equal(f.fd_readdir!(fd, 500, 100, 0n, 400), Errno.NOTDIR);
  assert.equal(f.fd_readdir!(3, 500, 100, -1n, 400), Errno.SUCCESS);
  assert.equal(view.getUint32(400, true), 0);
  // A full buffer: the last entry is cut short, and the guest reads on from its cookie.
  assert.equal(f.fd_readdir!(3, 500, 30, 0n, 400), Errno.SUCCESS);
  assert.equal(view.getUint32(400, true), 30);
  // A directory cannot move below itself; stdio fds are not directories.
  assert.equal(f.path_rename!(3, 100, path(100, "d"), 3, 120, path(120, "d/e")), Errno.INVAL);
  assert.equal(f.path_create_directory!(1, 100, path(100, "x")), Errno.NOTDIR);
  assert.equal(f.path_symlink!(100, 1, 3, 120, 1), Errno.NOTSUP);
  // At most 1024 descriptors are open at once.
  let opened = 0;
  while (f.path_open!(3, 0, 100, path(100, "f"), 0, RW, 0n, 0, 200) === Errno.SUCCESS) opened++;
  assert.equal(opened, 1024 - 2);
});
