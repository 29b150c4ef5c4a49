/**
 * Plugins: wasm32-wasip1 modules called over newline-delimited JSON-RPC 2.0
 * on their stdio, with host methods they can call back.
 *
 * @module
 */

export {
  Plugin,
  type PluginCallOptions,
  type PluginOptions,
  type PluginSessionOptions,
} from "./plugin.ts";
export { PluginError, type PluginErrorKind, type PluginInfo } from "./plugin_error.ts";
export { type HostContext, type PluginLogger, PluginSession } from "./plugin_session.ts";
