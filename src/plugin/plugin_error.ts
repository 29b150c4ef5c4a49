/**
 * The error a plugin call fails with when the plugin itself failed.
 *
 * @module
 */

import type { GuestErrorKind } from "../executor/errors.ts";

/** Who a plugin is: its name and a unique id. */
export interface PluginInfo {
  /** The name given when loading (default: from the file name). */
  readonly name: string;
  /** Unique per loaded plugin. */
  readonly id: string;
}

/**
 * Why a plugin call failed when no JSON-RPC answer came: the guest run
 * failed (`trap`, `fuel`, `timeout`, `aborted`, `memory`, `engine`), it
 * exited without answering (`exit`), it broke the protocol (`protocol`), or
 * the plugin was disposed of before the call could run (`disposed`).
 */
export type PluginErrorKind = GuestErrorKind | "exit" | "protocol" | "disposed";

/**
 * A plugin call or session failed because of the plugin, not because the
 * plugin answered with an error (that rejects with a `JsonRpcError`).
 *
 * @example
 * ```ts
 * import { PluginError } from "@wasmi-plugins/host";
 * const error = new PluginError("exit", "Plugin exited with code 3 without answering", {
 *   plugin: { name: "demo", id: "1" }, stderr: "", exitCode: 3,
 * });
 * if (error.kind !== "exit") throw new Error("unexpected");
 * ```
 */
export class PluginError extends Error {
  /** Why the call failed. */
  readonly kind: PluginErrorKind;
  /** The plugin that failed. */
  readonly plugin: PluginInfo;
  /** The last lines the plugin wrote to stderr (at most 4 KiB). */
  readonly stderr: string;
  /** The exit code, when the plugin exited. */
  readonly exitCode: number | undefined;

  /**
   * Creates the error.
   *
   * @param kind Why the call failed.
   * @param message What happened.
   * @param details The plugin, its stderr tail, its exit code and the cause.
   */
  constructor(
    kind: PluginErrorKind,
    message: string,
    details: { plugin: PluginInfo; stderr: string; exitCode?: number; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? {} : { cause: details.cause });
    this.name = "PluginError";
    this.kind = kind;
    this.plugin = details.plugin;
    this.stderr = details.stderr;
    this.exitCode = details.exitCode;
  }
}
