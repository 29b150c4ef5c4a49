/**
 * Output throughput (issue 26): a C program printing one line per `write()`
 * (`testdata/c_stdio.wasm write_lines N`), on both engines, against
 * wasmtime (the PyPI package) running the same program in the same run.
 * Prints a Markdown section (bench/report.ts includes it in BENCHMARKS.md):
 *
 *   deno run -R -W --allow-run bench/output_throughput.ts [--quick]
 *
 * Per-write cost is (time of N lines - time of 0 lines) / N, so that
 * start-up is left out: the same for every runner. Both wall-clock and CPU
 * time (user + system, of the process that runs the guest) are reported:
 * CPU time holds on a loaded machine, where wall-clock time measures the
 * other load. The wasmtime row is skipped, with the reason, when python3
 * has no wasmtime package.
 *
 * @module
 */

import process from "node:process";
import { GuestModule } from "../mod.ts";

const quick = Deno.args.includes("--quick");
const RUNS = quick ? 1 : 3;
const LINES = Number(Deno.args.find((a) => a.startsWith("--lines="))?.slice(8) ?? 1_000_000);
const root = new URL("..", import.meta.url);
const guest = new URL("testdata/c_stdio.wasm", root).pathname;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const decoder = new TextDecoder();

/** Milliseconds a run took, wall-clock and CPU. */
interface Times {
  wall: number;
  cpu: number;
}

/** A runner: how long `write_lines n` took, its stdout checked. */
type Runner = (n: number) => Promise<Times>;

/** The bytes `write_lines n` prints: `line 0\n` … `line n-1\n`. */
function expectedBytes(n: number): number {
  let bytes = 0;
  for (let digits = 1, from = 0; from < n; digits++, from = 10 ** (digits - 1)) {
    bytes += (Math.min(n, 10 ** digits) - from) * (6 + digits);
  }
  return bytes;
}

async function checkFile(path: string, n: number): Promise<void> {
  const size = (await Deno.stat(path)).size;
  if (size !== expectedBytes(n)) throw new Error(`${path}: ${size} bytes, not ${expectedBytes(n)}`);
}

/** wasmtime through bench/_wasmtime_run.py; a string says why it cannot run. */
async function wasmtime(out: string): Promise<{ run: Runner; version: string } | string> {
  let version = "";
  const run: Runner = async (n) => {
    const { code, stdout, stderr } = await new Deno.Command("python3", {
      args: [new URL("bench/_wasmtime_run.py", root).pathname, guest, out, "write_lines", `${n}`],
    }).output();
    if (code !== 0) throw new Error(decoder.decode(stderr).trim() || `python3 exited ${code}`);
    const result = JSON.parse(decoder.decode(stdout));
    version = result.version;
    await checkFile(out, n);
    return { wall: result.wall, cpu: result.cpu };
  };
  try {
    await run(0);
  } catch (error) {
    return `skipped: ${(error as Error).message}`;
  }
  return { run, version };
}

/** `cli.ts run` with stdout to a file, timed by bash (start-up cancels out). */
function cli(engine: string, out: string): Runner {
  return async (n) => {
    // bash redirects stdout to the file, as a shell user would, and times
    // the command (real, user, system seconds) into $TIMES.
    const times = `${out}.times`;
    const { code, stderr } = await new Deno.Command("bash", {
      args: [
        "-c",
        'TIMEFORMAT="%R %U %S"; { time "$0" "$@" > "$OUT"; } 2> "$TIMES"',
        Deno.execPath(),
        "run",
        "-R",
        new URL("cli.ts", root).pathname,
        "run",
        "--engine",
        engine,
        guest,
        "write_lines",
        `${n}`,
      ],
      env: { OUT: out, TIMES: times },
    }).output();
    const [real, user, system] = (await Deno.readTextFile(times)).trim().split(/\s+/).map(Number);
    if (code !== 0 || real === undefined) {
      throw new Error(`cli.ts run exited ${code}: ${decoder.decode(stderr)}`);
    }
    await checkFile(out, n);
    return { wall: real * 1000, cpu: (user! + system!) * 1000 };
  };
}

/** The library: `GuestModule.spawn`, stdout read and dropped. */
async function library(engine: "v8" | "wasmi"): Promise<Runner> {
  const module = await GuestModule.compile(await Deno.readFile(guest), { engine });
  return async (n) => {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const guest = module.spawn({ args: ["write_lines", `${n}`] });
    await guest.stdin.close();
    let bytes = 0;
    const drained = (async () => {
      for await (const chunk of guest.stdout) bytes += chunk.length;
    })();
    const [status] = await Promise.all([guest.status, drained, guest.stderr.cancel()]);
    const wall = performance.now() - started;
    const { user, system } = process.cpuUsage(cpu);
    if (status.code !== 0 || bytes !== expectedBytes(n)) {
      throw new Error(`write_lines ${n}: exit ${status.code}, ${bytes} bytes`);
    }
    return { wall, cpu: (user + system) / 1000 };
  };
}

/** Per-write cost and the time of `LINES` lines: medians, runs of none and of `LINES` interleaved. */
async function measure(run: Runner): Promise<{ lines: Times; perWrite: Times }> {
  await run(1000); // warm-up (a library runner's JIT; the disk cache)
  const none: Times[] = [];
  const lines: Times[] = [];
  for (let i = 0; i < RUNS; i++) {
    none.push(await run(0));
    lines.push(await run(LINES));
  }
  const of = (runs: Times[]) => ({
    wall: median(runs.map((t) => t.wall)),
    cpu: median(runs.map((t) => t.cpu)),
  });
  const [a, b] = [of(none), of(lines)];
  return { lines: b, perWrite: { wall: (b.wall - a.wall) / LINES, cpu: (b.cpu - a.cpu) / LINES } };
}

const dir = await Deno.makeTempDir();
const out = `${dir}/stdout`;
try {
  const reference = await wasmtime(out);
  const rows: [string, Runner][] = [
    ["`cli.ts run --engine v8`, stdout to a file", cli("v8", out)],
    ["`cli.ts run --engine wasmi`, stdout to a file", cli("wasmi", out)],
    ["library, v8 (`GuestModule.spawn`, stdout read and dropped)", await library("v8")],
    ["library, wasmi (likewise)", await library("wasmi")],
  ];
  const base = typeof reference === "string" ? undefined : await measure(reference.run);
  const µs = (ms: number) => `${(ms * 1000).toFixed(2)} µs`;
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log("## Output: one write per line");
  console.log();
  console.log(
    `Guest: \`testdata/c_stdio.wasm write_lines N\` (C, one \`write()\`, so one \`fd_write\`, per line: \`line 0\` … \`line ${
      (LINES - 1).toLocaleString("en")
    }\`). Per write: (time of ${LINES.toLocaleString("en")} lines − time of none) / ${
      LINES.toLocaleString("en")
    }, medians of ${RUNS} runs each, all measured in this run. CPU: user + system time of the process running the guest (holds on a loaded machine, where wall-clock time also measures the other load).`,
  );
  console.log(
    "The reference is wasmtime from PyPI (its Python API, `WasiConfig.stdout_file`): every `fd_write` a `write(2)` to the file.",
  );
  console.log();
  console.log(
    `| runner | ${
      LINES.toLocaleString("en")
    } lines, wall | per write, wall | per write, CPU | CPU per write / wasmtime's |`,
  );
  console.log("|---|---|---|---|---|");
  const row = (name: string, m: { lines: Times; perWrite: Times }) => {
    const ratio = base === undefined ? "–" : `${(m.perWrite.cpu / base.perWrite.cpu).toFixed(1)}×`;
    console.log(
      `| ${name} | ${s(m.lines.wall)} | ${µs(m.perWrite.wall)} | ${
        µs(m.perWrite.cpu)
      } | ${ratio} |`,
    );
  };
  if (typeof reference === "string") console.log(`| wasmtime | ${reference} | – | – | – |`);
  else row(`wasmtime ${reference.version} (PyPI), stdout to a file`, base!);
  for (const [name, run] of rows) row(name, await measure(run));
} finally {
  await Deno.remove(dir, { recursive: true });
}
