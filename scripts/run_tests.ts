/**
 * The README's test command (`deno task test`; not named test.ts, which
 * `deno test` would pick up as a test module): runs every part of the
 * suite, even after one fails, so that one failure never hides another:
 *
 *   1. `scripts/chromium.ts`: makes sure there is a Chromium (installs one if it may),
 *   2. `deno task test:core`: everything but the browser tests,
 *   3. `deno task test:browser`: the tests in headless Chromium.
 *
 * Each part's output goes through as it comes; then one line per part with
 * its summary, and a last line `N passed, N failed` (tests, over all parts;
 * a part that fails without a test summary counts as one failure). The exit
 * code is 0 only if every part passed.
 *
 *   deno run --allow-env --allow-read --allow-run --allow-sys=uid scripts/run_tests.ts
 *
 * @module
 */

interface Part {
  name: string;
  args: string[];
}

const PARTS: Part[] = [
  {
    name: "chromium",
    args: [
      "run",
      "--allow-env",
      "--allow-read",
      "--allow-run",
      "--allow-sys=uid",
      "scripts/chromium.ts",
    ],
  },
  { name: "core", args: ["task", "test:core"] },
  { name: "browser", args: ["task", "test:browser"] },
];

interface Outcome {
  name: string;
  code: number;
  /** Deno's summary line (`ok | 10 passed | 0 failed (2s)`), if the part ran tests. */
  summary?: string;
  passed: number;
  failed: number;
  seconds: number;
}

// deno-lint-ignore no-control-regex -- stripping terminal colours is the point
const ANSI = /\x1b\[[0-9;]*m/g;
const SUMMARY = /^(ok|FAILED) \| (\d+) passed.*?\| (\d+) failed/;

/** Copies `stream` to `sink` as it comes, and returns the text it carried. */
async function relay(stream: ReadableStream<Uint8Array>, sink: WritableStream<Uint8Array>) {
  const writer = sink.getWriter();
  const decoder = new TextDecoder();
  let text = "";
  try {
    for await (const chunk of stream) {
      await writer.write(chunk);
      text += decoder.decode(chunk, { stream: true });
    }
  } finally {
    writer.releaseLock();
  }
  return text + decoder.decode();
}

async function runPart(part: Part): Promise<Outcome> {
  console.log(`\n=== test: ${part.name} (deno ${part.args.join(" ")})`);
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: part.args,
    cwd: new URL("..", import.meta.url).pathname,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const [stdout] = await Promise.all([
    relay(child.stdout, Deno.stdout.writable),
    relay(child.stderr, Deno.stderr.writable),
  ]);
  const { code } = await child.status;
  const seconds = (performance.now() - started) / 1000;
  const lines = stdout.replace(ANSI, "").split("\n").map((line) => line.trim());
  const summary = lines.findLast((line) => SUMMARY.test(line));
  const [, , passed = "0", failed = "0"] = summary?.match(SUMMARY) ?? [];
  return {
    name: part.name,
    code,
    ...(summary === undefined ? {} : { summary }),
    passed: Number(passed),
    // A part that failed without saying how many tests failed counts as one failure.
    failed: Number(failed) || (code === 0 ? 0 : 1),
    seconds,
  };
}

const outcomes: Outcome[] = [];
for (const part of PARTS) outcomes.push(await runPart(part));

console.log("\n=== test: summary");
for (const o of outcomes) {
  const status = o.code === 0 ? "ok" : `failed (exit code ${o.code})`;
  const detail = o.summary ?? (o.code === 0 ? "done" : "no test summary");
  console.log(`test: ${o.name}: ${status}: ${detail} [${o.seconds.toFixed(1)} s]`);
}
const passed = outcomes.reduce((n, o) => n + o.passed, 0);
const failed = outcomes.reduce((n, o) => n + o.failed, 0);
const seconds = outcomes.reduce((n, o) => n + o.seconds, 0);
const failedParts = outcomes.filter((o) => o.code !== 0).map((o) => o.name);
console.log(
  `${passed} passed, ${failed} failed` +
    (failedParts.length > 0 ? ` (failed parts: ${failedParts.join(", ")})` : "") +
    ` in ${seconds.toFixed(1)} s`,
);
Deno.exit(failedParts.length > 0 ? 1 : 0);
