/**
 * TypeScript plugins against the Rust test plugin, side by side in one run,
 * on both engines: stateless and session `ping` (pre-initialised, and
 * without pre-initialisation), a prime sieve, and the build time of
 * examples/ts/hello.ts.
 *
 *   deno run -A bench/ts_guest.ts
 *
 * Prints a Markdown table (medians over alternating rounds, in milliseconds),
 * and the Wasmi fuel of a ping: deterministic, where the times are not.
 *
 * @module
 */

import { Plugin } from "../mod.ts";
import { buildPlugin, buildScript } from "../src/build/mod.ts";
import { GuestModule } from "../src/executor/mod.ts";

const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// The Rust test plugin's prime_sieve (testdata/test_plugin), in JavaScript.
const SCRIPT = `
plugin
  .method("ping", () => "pong")
  .method("prime_sieve", (params) => {
    const limit = Array.isArray(params) ? params[0] : params;
    if (limit < 2) return { count: 0, limit };
    const composite = new Uint8Array(limit + 1);
    let count = 0;
    for (let n = 2; n <= limit; n++) {
      if (composite[n]) continue;
      count++;
      for (let m = n * n; m <= limit; m += n) composite[m] = 1;
    }
    return { count, limit };
  });
`;

const buildTimes: number[] = [];
for (let i = 0; i < 5; i++) {
  const started = performance.now();
  await buildPlugin(new URL("../examples/ts/hello.ts", import.meta.url));
  buildTimes.push(performance.now() - started);
}
const guests = {
  "Rust test plugin": await Deno.readFile(new URL("../testdata/test_plugin.wasm", import.meta.url)),
  "TypeScript, pre-initialised": await buildScript(SCRIPT),
  "TypeScript, not pre-initialised": await buildScript(SCRIPT, { preinitialize: false }),
};
const WARM = Number(Deno.env.get("WARM") ?? 300);
const ROUNDS = 15;
const SIEVE = 100_000;
const rows: string[] = [];
for (const engine of ["wasmi", "v8"] as const) {
  // All guests loaded and warmed together, then measured in alternating
  // rounds, so that a loaded machine slows them alike.
  const loaded = await Promise.all(
    Object.entries(guests).map(async ([name, wasm]) => {
      const plugin = await Plugin.load(wasm, { engine, logger: () => {} });
      return { name, plugin, session: plugin.session({ timeout: 0 }) };
    }),
  );
  for (let i = 0; i < WARM; i++) {
    for (const { plugin, session } of loaded) {
      await Promise.all([plugin.call("ping"), session.call("ping")]);
    }
  }
  const times = loaded.map(() => ({
    stateless: [] as number[],
    session: [] as number[],
    sieve: [] as number[],
  }));
  const timed = async (count: number, op: () => Promise<unknown>) => {
    const started = performance.now();
    for (let i = 0; i < count; i++) await op();
    return (performance.now() - started) / count;
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, { plugin, session }] of loaded.entries()) {
      times[i]!.stateless.push(await timed(20, () => plugin.call("ping")));
      times[i]!.session.push(await timed(100, () => session.call("ping")));
      if (round < 3) {
        times[i]!.sieve.push(await timed(1, () => session.call("prime_sieve", [SIEVE])));
      }
    }
  }
  for (const [i, { name, plugin, session }] of loaded.entries()) {
    await session.close();
    plugin[Symbol.dispose]();
    const t = times[i]!;
    rows.push(
      `| ${engine} | ${name} | ${median(t.stateless).toFixed(3)} | ${
        median(t.session).toFixed(3)
      } | ${median(t.sieve).toFixed(2)} |`,
    );
  }
}
// Wasmi fuel: a whole instance answering one ping, and each further ping of
// an instance answering 101 (its stdin given at once).
const fuel: string[] = [];
for (const name of ["Rust test plugin", "TypeScript, pre-initialised"] as const) {
  using module = await GuestModule.compile(guests[name], { engine: "wasmi" });
  const run = async (pings: number) => {
    const stdin = Array.from(
      { length: pings },
      (_, i) => `{"jsonrpc":"2.0","id":${i},"method":"ping"}\n`,
    ).join("");
    return (await module.output({ stdin })).status.fuelConsumed;
  };
  const one = await run(1);
  const more = await run(101);
  fuel.push(
    `${name} ${one.toLocaleString("en")} stateless, ${
      Math.round((more - one) / 100).toLocaleString("en")
    } per session ping`,
  );
}
const runtimeBytes =
  (await Deno.stat(new URL("../src/build/js_runtime.wasm", import.meta.url))).size;
console.log(
  `JavaScript runtime (src/build/js_runtime.wasm): ${
    runtimeBytes.toLocaleString("en")
  } bytes raw; ` +
    `build of examples/ts/hello.ts: ${median(buildTimes).toFixed(0)} ms (median of 5)\n`,
);
console.log(`| engine | guest | stateless ping | session ping | prime_sieve(${SIEVE}) (session) |`);
console.log("| --- | --- | ---: | ---: | ---: |");
for (const row of rows) console.log(row);
console.log(`\nWasmi fuel of a ping: ${fuel.join("; ")}.`);
