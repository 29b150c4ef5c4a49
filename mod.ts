/**
 * Run wasm32-wasip1 plugins on the Wasmi interpreter, compiled to
 * WebAssembly and bundled with this package: in Deno, in edge functions
 * without permissions, and in browsers. Guests run in fuel slices that
 * yield to the event loop, suspend while they wait for input or sleep, and
 * are bounded by fuel, time, an `AbortSignal` and a memory cap.
 *
 * @example Run a guest and collect its output
 * ```ts ignore
 * import { GuestModule } from "@wasmi-plugins/host";
 * using module = await GuestModule.compile(await Deno.readFile("guest.wasm"));
 * const { status, stdout } = await module.output({ args: ["echo"], stdin: "hi", timeout: 1000 });
 * console.log(status.code, new TextDecoder().decode(stdout));
 * ```
 *
 * @module
 */

export * from "./src/executor/mod.ts";
export * from "./src/wasi/mod.ts";
export * from "./src/plugin/mod.ts";
export * from "./src/rpc/mod.ts";
export {
  type FeatureReport,
  type ImportSupport,
  type InspectedImport,
  inspectModule,
  type InspectOptions,
  type ModuleReport,
  type Verdict,
} from "./src/inspect/inspect_module.ts";
export {
  type ContentDescriptor,
  type DescribedMethod,
  discoverMethods,
  type ParamStructure,
  type PluginDescription,
} from "./src/inspect/discover_methods.ts";
