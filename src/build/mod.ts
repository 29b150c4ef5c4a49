/**
 * Plugins written in TypeScript: {@linkcode buildPlugin} turns an entry
 * module into a pre-initialised wasm32-wasip1 plugin on the JavaScript
 * plugin runtime (QuickJS). The plugin's own API is `./guest`.
 *
 * @module
 */

export {
  BuildError,
  type BuildOptions,
  buildPlugin,
  buildScript,
  bundle,
  jsRuntime,
} from "./build.ts";
