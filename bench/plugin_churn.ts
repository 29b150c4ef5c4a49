/**
 * Memory figures of plugin churn: resident memory and the JavaScript heap
 * before and after N distinct plugins are loaded, called and disposed of,
 * after a warm-up round of as many (tests/fixtures/plugin_churn.ts; the
 * test in tests/isolation_test.ts checks the counts, which do not move
 * with the machine's load).
 *
 *   deno run -R --allow-run bench/plugin_churn.ts [N]
 *
 * @module
 */

const count = Deno.args[0] ?? "1000";
const { stdout, success } = await new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "--allow-read",
    "--v8-flags=--expose-gc",
    new URL("../tests/fixtures/plugin_churn.ts", import.meta.url).pathname,
    count,
    count,
  ],
  stderr: "inherit",
}).output();
if (!success) Deno.exit(1);
const { before, after } = JSON.parse(new TextDecoder().decode(stdout));
const outside = (m: Deno.MemoryUsage) => m.rss - m.heapTotal;
const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
const percent = (a: number, b: number) => `${((b / a - 1) * 100).toFixed(1)}%`;
console.log(`plugin churn, ${count} plugins after ${count} to warm up:`);
console.log(`  RSS ${mib(before.rss)} → ${mib(after.rss)} (${percent(before.rss, after.rss)})`);
console.log(
  `  outside the JS heap ${mib(outside(before))} → ${mib(outside(after))} ` +
    `(${percent(outside(before), outside(after))})`,
);
console.log(`  JS heap used ${mib(before.heapUsed)} → ${mib(after.heapUsed)}`);
