import { type HostContext, Plugin, Router } from "@wasmi-plugins/host";

const host = new Router<HostContext>().method("echo", ([value]: unknown[]) => value);
using plugin = await Plugin.load("testdata/test_plugin.wasm", { host, timeout: 5_000 });
{
  // One instance for many calls; `using` ends it at the block's end (at once),
  // `await session.close()` lets it finish.
  using session = plugin.session({ timeout: 10_000 });
  console.log(await session.call("counter"), await session.call("counter")); // 1 2: it keeps state
  console.log(await session.call("many_echo", [3])); // 3, after three host calls
}
console.log(await plugin.call("counter")); // 1: a fresh instance
