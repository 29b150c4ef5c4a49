// deno bench -R bench/executor_bench.ts
import { GuestModule } from "../mod.ts";
import { yieldToEventLoop } from "../src/executor/_yield.ts";

const read = (path: string) => Deno.readFile(new URL(`../testdata/${path}`, import.meta.url));
const hello = await GuestModule.compile(await read("wat/hello.wasm"));
const loop = await GuestModule.compile(await read("wat/loop.wasm"));
const rust = await GuestModule.compile(await read("rust_stdio.wasm"));
const helloBytes = await read("wat/hello.wasm");

Deno.bench("run a trivial guest (WAT hello, fresh instance)", { group: "run" }, async () => {
  await hello.output();
});

Deno.bench("run a Rust std guest (args, fresh instance)", { group: "run" }, async () => {
  await rust.output({ args: ["args"] });
});

Deno.bench("compile a small module", async () => {
  (await GuestModule.compile(helloBytes))[Symbol.dispose]();
});

for (
  const [name, yieldOnce] of [
    ["yieldToEventLoop (the executor's yield)", yieldToEventLoop],
    ["setTimeout(0) yield, for comparison", () => new Promise<void>((r) => setTimeout(r, 0))],
  ] as const
) {
  Deno.bench(name, { group: "yield", n: 200 }, async () => {
    await yieldOnce();
  });
}

for (const fuelSlice of [10_000, 100_000, 1_000_000, undefined]) {
  Deno.bench(
    `100M fuel of a loop, slice ${fuelSlice ?? "adaptive (~2 ms)"}`,
    { group: "slices", n: 5, warmup: 1 },
    async () => {
      await loop.output({ fuel: 100_000_000, ...(fuelSlice ? { fuelSlice } : {}) }).catch(() => {});
    },
  );
}
