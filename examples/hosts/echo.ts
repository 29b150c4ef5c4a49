/**
 * Host methods for the bundled plugins, for the CLI's `--host` (and as a
 * start for your own):
 *
 * ```sh
 * deno run -R cli.ts call testdata/test_plugin.wasm many_echo '[3]' --host examples/hosts/echo.ts
 * ```
 *
 * The default export is a `Router` (an object of functions works too:
 * `export default { echo: ([value]) => value }`). The module is imported with
 * the permissions the CLI runs with.
 *
 * @module
 */

import { type HostContext, Router } from "@wasmi-plugins/host";

export default new Router<HostContext>()
  // test_plugin's many_echo and async_sleep: echo [x] answers x.
  .method("echo", (params) => Array.isArray(params) && params.length === 1 ? params[0] : params)
  .method("ping", () => "pong")
  // The examples in examples/ (Rust, C, Go, AssemblyScript): greeting [name]
  // (they append the "!").
  .method("greeting", (params) => `Hello, ${Array.isArray(params) ? params[0] : params}`)
  // testdata/hello_plugin.wasm's greet: the host's hour of the day.
  .method("hour", () => new Date().getHours());
