// deno bench -R bench/plugin_bench.ts
import { type HostContext, Plugin, Router } from "../mod.ts";

const host = new Router<HostContext>().method("echo", (params) => (params as unknown[])[0]);
const plugin = await Plugin.load("testdata/test_plugin.wasm", { host, logger: () => {} });
const session = plugin.session();

Deno.bench('stateless call("ping") (fresh instance per call)', { group: "ping" }, async () => {
  await plugin.call("ping");
});

Deno.bench('session call("ping") (one instance)', { group: "ping" }, async () => {
  await session.call("ping");
});

Deno.bench("100 concurrent stateless pings", { group: "concurrency", n: 50 }, async () => {
  await Promise.all(Array.from({ length: 100 }, () => plugin.call("ping")));
});

Deno.bench("session many_echo(1000): 1,000 host round trips", { n: 20 }, async () => {
  await session.call("many_echo", [1000]);
});

Deno.bench("stateless prime_sieve(100000)", { group: "compute", n: 20 }, async () => {
  await plugin.call("prime_sieve", [100_000]);
});

Deno.bench("stateless prime_sieve(1000000)", { group: "compute", n: 5 }, async () => {
  await plugin.call("prime_sieve", [1_000_000]);
});
