// Real programs' view of their stdio (issue 26): stream kinds as isatty()
// sees them, and broken pipes as errors the program handles, in the
// library and in `cli.ts run`. Runs on the default engine; stdio_v8_test.ts
// runs it on "v8".
import assert from "node:assert/strict";
import { GuestModule } from "../mod.ts";
import { engineMode } from "./_engine_mode.ts";
import { cliCommand } from "./_cli.ts";

const compile = async (guest: string) =>
  await GuestModule.compile(await Deno.readFile(`testdata/${guest}.wasm`), engineMode);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("a C guest's isatty() is false on pipes and true where the host says terminal", async () => {
  using module = await compile("c_stdio");
  const isatty = async (terminal?: { stdin?: boolean; stdout?: boolean; stderr?: boolean }) => {
    const { stdout, status } = await module.output({
      args: ["stdio_kinds"],
      ...(terminal === undefined ? {} : { terminal }),
    });
    assert.equal(status.code, 0);
    return [...text(stdout).matchAll(/isatty (\d)/g)].map((m) => Number(m[1]));
  };
  assert.deepEqual(await isatty(), [0, 0, 0]);
  assert.deepEqual(await isatty({ stdout: true }), [0, 1, 0]);
  assert.deepEqual(await isatty({ stdin: true, stdout: true, stderr: true }), [1, 1, 1]);
});

Deno.test("a Go guest sees pipes, or character devices where the host says terminal", async () => {
  using module = await compile("go_stdio");
  const kinds = async (terminal?: { stdin?: boolean; stdout?: boolean; stderr?: boolean }) =>
    text(
      (await module.output({
        args: ["stdio_kinds"],
        ...(terminal === undefined ? {} : { terminal }),
      })).stdout,
    );
  assert.equal(
    await kinds(),
    "/dev/stdin terminal false\n/dev/stdout terminal false\n/dev/stderr terminal false\n",
  );
  assert.equal(
    await kinds({ stdin: true, stderr: true }),
    "/dev/stdin terminal true\n/dev/stdout terminal false\n/dev/stderr terminal true\n",
  );
});

/** Reads `count` bytes of `stream`, then cancels it; returns the bytes read. */
async function readThenCancel(stream: ReadableStream<Uint8Array>, count: number): Promise<string> {
  const reader = stream.getReader();
  let got = "";
  while (got.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    got += text(value);
  }
  await reader.cancel();
  return got;
}

for (
  const [guest, code, message] of [
    ["c_stdio", 32, "write: Broken pipe\n"],
    ["go_stdio", 3, "write: write /dev/stdout: Broken pipe\n"],
  ] as const
) {
  Deno.test(`a ${guest} guest whose stdout reader cancels gets EPIPE and ends with its own status`, async () => {
    using module = await compile(guest);
    const process = module.spawn({ args: ["write_forever"] });
    await process.stdin.close();
    const stderr = new Response(process.stderr).text();
    const got = await readThenCancel(process.stdout, 100_000);
    assert.match(got, /^line 0\nline 1\nline 2\n/);
    const status = await process.status;
    assert.equal(status.code, code);
    assert.equal(await stderr, message);
  });
}

Deno.test("cli run: a program writing into a closed pipe exits with its own code, no stack trace", async () => {
  const child = cliCommand(["run", "testdata/c_stdio.wasm", "write_forever"], {
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const got = await readThenCancel(child.stdout, 10_000);
  assert.match(got, /^line 0\nline 1\n/);
  const { code } = await child.status;
  assert.equal(await stderr, "write: Broken pipe\n");
  assert.equal(code, 32);
});

Deno.test("cli run tells the program that piped stdio are not terminals", async () => {
  const child = cliCommand(["run", "testdata/c_stdio.wasm", "stdio_kinds"], {
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  await child.stdin.close();
  const { code, stdout } = await child.output();
  assert.equal(code, 0);
  assert.deepEqual([...text(stdout).matchAll(/isatty (\d)/g)].map((m) => m[1]), ["0", "0", "0"]);
});
