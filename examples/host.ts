import { type HostContext, JsonRpcError, Plugin, Router } from "@wasmi-plugins/host";

// Methods the plugin may call; each handler learns which plugin calls it.
const host = new Router<HostContext>().method("hour", (_params, { plugin }) => {
  console.error(`${plugin.name} asks for the hour`);
  return new Date().getHours();
});

using plugin = await Plugin.load("testdata/hello_plugin.wasm", {
  host,
  timeout: 5_000, // per call, in milliseconds
  maxMemory: 32 << 20, // bytes per instance
  engine: "auto", // V8's own WebAssembly where JSPI exists, else the bundled Wasmi
});

console.log(await plugin.call("add", [2, 3])); // 5, from a fresh instance
console.log(await plugin.call("greet", ["Ada"])); // "Good morning, Ada!" or "Hello, Ada!"
try {
  await plugin.call("divide", [1, 0]);
} catch (error) {
  if (error instanceof JsonRpcError) console.log(error.code, error.message); // 1 "division by zero"
}
