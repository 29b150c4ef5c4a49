import assert from "node:assert/strict";
import { cli } from "./_cli.ts";

const verdicts: [string, string, number][] = [
  ["testdata/test_plugin.wasm", "runs", 0],
  ["testdata/rust_stdio.wasm", "runs", 0],
  ["testdata/c_stdio.wasm", "runs", 0],
  ["testdata/wat/hello.wasm", "runs", 0],
  ["testdata/wat/needs_fs.wasm", "limited", 0],
  ["testdata/wat/env_import.wasm", "will-not-run", 1],
  ["testdata/wat/no_start.wasm", "will-not-run", 1],
  ["testdata/wat/exception_escape.wasm", "will-not-run", 1],
  ["testdata/wat/atomics_wait.wasm", "will-not-run", 1],
  ["LICENSE", "will-not-run", 1],
];

for (const [path, verdict, code] of verdicts) {
  Deno.test(`cli inspect --json gives ${path} the verdict ${verdict}`, async () => {
    const result = await cli(["inspect", "--json", path]);
    assert.equal(result.code, code, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.verdict, verdict);
    assert.equal(report.module, path);
    const bytes = await Deno.readFile(new URL(`../${path}`, import.meta.url));
    assert.equal(report.size, bytes.length);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    assert.equal(
      report.sha256,
      Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""),
    );
  });
}

Deno.test("cli inspect explains why a module is limited or will not run", async () => {
  const fs = JSON.parse((await cli(["inspect", "--json", "testdata/wat/needs_fs.wasm"])).stdout);
  assert.deepEqual(fs.reasons, [
    "runs, but path_open answers an errno here (no filesystem without files or run --dir)",
  ]);
  assert.deepEqual(fs.imports.find((i: { name: string }) => i.name === "path_open"), {
    module: "wasi_snapshot_preview1",
    name: "path_open",
    kind: "func",
    support: "errno",
    note: "no filesystem without files or run --dir: answers an errno",
  });
  const env = JSON.parse((await cli(["inspect", "--json", "testdata/wat/env_import.wasm"])).stdout);
  assert.deepEqual(env.reasons, [
    "the module imports `env::foo`, which this host does not provide (it provides " +
    "wasi_snapshot_preview1 functions only); build it for wasm32-wasip1 with no other imports",
  ]);
  const noStart = JSON.parse(
    (await cli(["inspect", "--json", "testdata/wat/no_start.wasm"])).stdout,
  );
  assert.deepEqual(noStart.reasons, [
    "the module is not a wasip1 command (it exports no `_start` function); " +
    "build it as a program with a `main` function, not as a library",
  ]);
  const invalid = JSON.parse((await cli(["inspect", "--json", "LICENSE"])).stdout);
  assert.match(
    invalid.reasons[0],
    /^the file is not a WebAssembly module \(it does not start with /,
  );
});

Deno.test("cli inspect prints a readable report with memory limits", async () => {
  const { stdout, code } = await cli(["inspect", "testdata/test_plugin.wasm"]);
  assert.equal(code, 0);
  assert.match(stdout, /^module: {2}testdata\/test_plugin\.wasm\n/);
  assert.match(stdout, /\nmemory: {2}17 pages \(1\.1 MiB\) initial, no maximum\n/);
  assert.match(stdout, /\n {2}wasi_snapshot_preview1::fd_read +partial +stdin only\n/);
  assert.match(stdout, /\nverdict: runs here\nmethods:\n/);
});

/** The method names of inspect's `methods:` section, or undefined without one. */
function listedMethods(stdout: string): string[] | undefined {
  const at = stdout.indexOf("\nmethods:\n");
  if (at < 0) return undefined;
  return stdout.slice(at + "\nmethods:\n".length).trimEnd().split("\n")
    .map((line) => line.match(/^ {2}([^(]+)\(/)?.[1] ?? `unexpected line: ${line}`);
}

const EXAMPLE_METHODS = ["ping", "add", "greet", "log", "fail", "exit"];

const described: [string, string, string[]][] = [
  ["testdata/test_plugin.wasm", "test_plugin, version 0.1.0", [
    "ping",
    "get_random_number",
    "get_time",
    "sleep",
    "many_echo",
    "prime_sieve",
    "counter",
    "echo",
    "async_sleep",
    "panic",
    "infinite_loop",
    "memory_hog",
    "invalid_output",
    "exit_without_answer",
    "call_unknown_host_method",
    "call_failing_host_method",
    "call_host",
    "log",
    "stderr_flood",
  ]],
  ["examples/rust/plugin.wasm", "rust-example, version 0.1.0", EXAMPLE_METHODS],
  ["examples/c/plugin.wasm", "c-example, version 0.1.0", EXAMPLE_METHODS],
  ["examples/go/plugin.wasm", "go-example, version 0.1.0", EXAMPLE_METHODS],
  ["examples/assemblyscript/plugin.wasm", "assemblyscript-example, version 0.1.0", EXAMPLE_METHODS],
];

for (const [path, plugin, methods] of described) {
  Deno.test(`cli inspect lists the methods ${path} describes through rpc.discover`, async () => {
    const text = await cli(["inspect", path]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      new RegExp(`^module: {2}${path.replaceAll(".", "\\.")}\nplugin: {2}`),
    );
    assert.equal(text.stdout.split("\n")[1], `plugin:  ${plugin}`);
    assert.deepEqual(listedMethods(text.stdout), methods);
    const json = JSON.parse((await cli(["inspect", "--json", path])).stdout);
    assert.equal(json.openrpc.openrpc, "1.3.2");
    assert.deepEqual(json.openrpc.methods.map((m: { name: string }) => m.name), methods);
  });
}

Deno.test("cli inspect shows each method's params, result and summary", async () => {
  const { stdout } = await cli(["inspect", "examples/c/plugin.wasm"]);
  assert.ok(
    stdout.endsWith([
      "verdict: runs here",
      "methods:",
      '  ping() -> "pong"                        Answers pong',
      "  add(a: integer, b: integer) -> integer  Adds two integers",
      "  greet(name: string) -> string           Answers the result of the host method greeting with ! appended",
      "  log(message: string) -> null            Writes INFO and the message as one line to stderr",
      "  fail() -> never                         Answers the error -32000 every time",
      "  exit(code: integer)                     Exits with the given code at once",
      "",
    ].join("\n")),
    stdout,
  );
});

Deno.test("cli inspect keeps its report as it was for modules that do not describe themselves", async () => {
  for (
    const path of [
      "testdata/compat_plugin.wasm", // answers -32601 (or exits: no params member)
      "testdata/rust_stdio.wasm", // a program that is not a plugin
      "testdata/wat/hello.wasm", // writes a line that is not JSON
      "testdata/wat/trap.wasm",
      "testdata/wat/exit33.wasm",
    ]
  ) {
    const text = await cli(["inspect", path]);
    assert.equal(text.code, 0, path);
    assert.equal(listedMethods(text.stdout), undefined, path);
    assert.doesNotMatch(text.stdout, /\nplugin: /, path);
    assert.match(text.stdout, /\nverdict: runs here\n$/, path);
    const json = JSON.parse((await cli(["inspect", "--json", path])).stdout);
    assert.equal("openrpc" in json, false, path);
  }
  const hello = await cli(["inspect", "testdata/wat/hello.wasm"]);
  assert.equal(
    hello.stdout.replace(/\nsha256: {2}[0-9a-f]{64}\n/, "\nsha256:  …\n"),
    [
      "module:  testdata/wat/hello.wasm",
      `size:    ${(await Deno.stat("testdata/wat/hello.wasm")).size} bytes`,
      "sha256:  …",
      "memory:  1 pages (0.1 MiB) initial, no maximum",
      "exports: _start (func), memory (memory)",
      "imports:",
      "  wasi_snapshot_preview1::fd_write  partial      stdout and stderr only",
      "engines: wasmi and v8 (its WebAssembly features; this verdict: wasmi)",
      "verdict: runs here",
      "",
    ].join("\n"),
  );
});

Deno.test("cli inspect checks the module a manifest names", async () => {
  const result = await cli([
    "inspect",
    "--json",
    "--manifest",
    "testdata/test_plugin.plugin.jsonc",
  ]);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  assert.equal(report.verdict, "runs");
  assert.equal(report.openrpc.info.title, "test_plugin");
});

Deno.test("cli inspect says a file is not wasm instead of listing no exports, and lists an import once", async () => {
  const text = await cli(["inspect", "LICENSE"]);
  assert.equal(text.code, 1);
  const lines = text.stdout.split("\n");
  assert.ok(lines.includes("format:  not a WebAssembly module"), text.stdout);
  assert.ok(!lines.some((line) => /^(exports|imports):/.test(line)), text.stdout);
  // The Go example imports fd_write twice.
  const go = await cli(["inspect", "examples/go/plugin.wasm"]);
  assert.equal(go.stdout.split("\n").filter((line) => line.includes("::fd_write ")).length, 1);
  assert.equal(
    JSON.parse((await cli(["inspect", "--json", "examples/go/plugin.wasm"])).stdout).imports
      .filter((i: { name: string }) => i.name === "fd_write").length,
    2,
    "--json keeps the module's imports as they are",
  );
});

Deno.test("cli inspect gives the verdict per engine and names the engine that runs a module", async () => {
  const wasmi = JSON.parse((await cli(["inspect", "--json", "testdata/wat/simd.wasm"])).stdout);
  assert.equal(wasmi.engineName, "wasmi");
  assert.deepEqual(wasmi.features, { proposals: ["simd"], names: ["SIMD"], runsOn: ["v8"] });
  assert.deepEqual(wasmi.reasons, [
    "the module uses SIMD, which the wasmi engine does not support; the v8 engine runs it",
  ]);
  const text = await cli(["inspect", "testdata/wat/exception_escape.wasm"]);
  assert.equal(text.code, 1);
  assert.match(
    text.stdout,
    /\nfeatures: WebAssembly exceptions\nengines: v8 only \(its WebAssembly features; this verdict: wasmi\)\nverdict: will not run here\n {2}- the module uses WebAssembly exceptions, which the wasmi engine does not support; the v8 engine runs it \(--engine v8\)\n$/,
  );
  const v8 = await cli(["inspect", "--json", "--engine", "v8", "testdata/wat/simd.wasm"]);
  assert.equal(v8.code, 0, v8.stderr);
  assert.equal(JSON.parse(v8.stdout).verdict, "runs");
  assert.equal(JSON.parse(v8.stdout).engineName, "v8");
  const neither = await cli(["inspect", "--engine", "v8", "testdata/wat/atomics_wait.wasm"]);
  assert.equal(neither.code, 1);
  assert.match(
    neither.stdout,
    /\nengines: neither .*\nverdict: will not run here\n {2}- the module uses threads \(shared memory and atomics\), which the v8 engine does not support\n$/,
  );
});

Deno.test("cli run names the engine that runs a module its engine does not", async () => {
  const run = await cli(["run", "testdata/wat/exception_escape.wasm"]);
  assert.equal(run.code, 65, run.stderr);
  assert.match(
    run.stderr,
    /'testdata\/wat\/exception_escape\.wasm' uses WebAssembly exceptions, which the wasmi engine does not support; the v8 engine runs it: run it with --engine v8/,
  );
});
