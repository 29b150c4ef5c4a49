import assert from "node:assert/strict";
import type { CreateGuest, EngineSpeed } from "./_guest_engine.ts";
import { GuestProcess } from "./guest_process.ts";
import type { ModuleImport } from "./module_description.ts";
import { V8Module } from "./v8/v8_module.ts";
import { scanModule } from "./v8/_instrumenter.ts";
import { speedOf as v8SpeedOf } from "./v8/v8_guest.ts";
import { createEngine } from "./wasmi/_engine.ts";
import { speedOf as wasmiSpeedOf, WasmiGuest } from "./wasmi/wasmi_guest.ts";

const MAX_MEMORY = 1 << 20;
const read = (name: string) =>
  Deno.readFile(new URL(`../../testdata/wat/${name}.wasm`, import.meta.url));

/** A module on one engine: how to start its guests, and the speed they learn. */
interface Compiled {
  imports: readonly ModuleImport[];
  create: CreateGuest;
  speed: EngineSpeed;
}

const engines: Record<string, (bytes: Uint8Array) => Promise<Compiled>> = {
  async v8(bytes) {
    const module = new V8Module(bytes, await scanModule(bytes));
    return {
      imports: module.imports as readonly ModuleImport[],
      create: (host) => module.instantiate(MAX_MEMORY, host),
      speed: v8SpeedOf(module),
    };
  },
  async wasmi(bytes) {
    const engine = await createEngine();
    const handle = engine.compile(bytes);
    const { imports } = engine.describe(handle) as { imports: ModuleImport[] };
    return {
      imports,
      create: (host) => WasmiGuest.create(engine, handle, imports, MAX_MEMORY, host),
      speed: wasmiSpeedOf(engine),
    };
  },
};

for (const [name, compile] of Object.entries(engines)) {
  Deno.test(`${name}: each module learns its own speed, under the engine's ceiling`, async () => {
    const a = await compile(await read("dead_arm"));
    const b = await compile(await read("loop"));
    const before = { ...b.speed };
    for (let run = 0; run < 4; run++) {
      const process = new GuestProcess(a.create, a.imports, { fuel: 10_000_000 });
      await assert.rejects(process.status, { name: "FuelExhaustedError" });
    }
    assert.notEqual(a.speed.fuelPerMs, before.fuelPerMs, "module A learned nothing");
    assert.ok(a.speed.fuelPerMs <= a.speed.maxFuelPerMs, `A learned ${a.speed.fuelPerMs}`);
    assert.deepEqual(b.speed, before);
  });
}
