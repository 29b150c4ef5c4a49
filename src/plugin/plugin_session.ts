/**
 * One plugin instance speaking JSON-RPC over its stdio: the engine of both
 * stateless calls and long-lived sessions.
 *
 * @module
 */

import { GuestError } from "../executor/errors.ts";
import type { ExitStatus } from "../executor/exit_status.ts";
import type { GuestModule } from "../executor/guest_module.ts";
import type { GuestProcess, SpawnOptions } from "../executor/guest_process.ts";
import type { Router } from "../rpc/router.ts";
import {
  type CallOptions,
  type LargeIntegers,
  type MissingParams,
  RpcPeer,
} from "../rpc/rpc_peer.ts";
import { RpcClosedError } from "../rpc/rpc_closed_error.ts";
import { PluginError, type PluginInfo } from "./plugin_error.ts";
import { StderrLines } from "./_stderr_lines.ts";

/** The reason of every ended instance's `HostContext.signal` (one error, made once). */
const INSTANCE_ENDED = new RpcClosedError("The plugin instance ended");

/** What a host method learns about the call it serves. */
export interface HostContext {
  /** The plugin calling. */
  plugin: PluginInfo;
  /** The host's call the plugin instance serves (stateless calls only). */
  call?: { id: number; method: string };
  /** The session the plugin instance belongs to (sessions only). */
  session?: { id: number };
  /** Aborted when the plugin instance ends. */
  signal: AbortSignal;
}

/**
 * Receives each line a plugin writes to stderr; what it returns is ignored,
 * except a promise: that holds the plugin's stderr until it settles, so a
 * plugin that logs faster than such a logger takes its lines waits, as a
 * writer on a full pipe does.
 */
export type PluginLogger = (line: string, plugin: PluginInfo) => unknown;

/** @internal What a session needs from its plugin. */
export interface SessionSetup {
  module: Pick<GuestModule, "spawn">;
  info: PluginInfo;
  spawn: SpawnOptions;
  host: Router<HostContext>;
  logger: PluginLogger;
  maxLineLength: number;
  missingParams: MissingParams;
  largeIntegers: LargeIntegers;
  context: Omit<HostContext, "signal" | "plugin">;
}

/**
 * A long-lived plugin instance: many calls to one instance that keeps its
 * state between them. Create one with `Plugin.session()`; close it with
 * {@linkcode PluginSession.close} (which lets it finish), or end it at once
 * with `await using` or `using`.
 */
export class PluginSession implements AsyncDisposable, Disposable {
  /** The plugin this session runs. */
  readonly plugin: PluginInfo;
  /** Settles when the instance ends: with its exit status, or a {@linkcode PluginError}. */
  readonly ended: Promise<ExitStatus>;
  readonly #process: GuestProcess;
  readonly #peer: RpcPeer<HostContext>;
  readonly #stderr: StderrLines;
  readonly #ending = new AbortController();
  #protocolError: Error | undefined;

  /** @internal Use `Plugin.session()`. */
  constructor(setup: SessionSetup) {
    this.plugin = setup.info;
    this.#process = setup.module.spawn(setup.spawn);
    const log = (line: string) => setup.logger(line, setup.info);
    this.#stderr = new StderrLines(this.#process.stderr, log);
    this.#peer = new RpcPeer(this.#process.stdout, this.#process.stdin, {
      router: setup.host,
      context: { ...setup.context, plugin: setup.info, signal: this.#ending.signal },
      maxLineLength: setup.maxLineLength,
      missingParams: setup.missingParams,
      largeIntegers: setup.largeIntegers,
      onProtocolError: (error) => log(`protocol error: ${error.message}`),
    });
    this.#peer.done.then(
      // The plugin closed its stdout: no answer can come any more. Close its
      // stdin too, so that it exits (or is stopped after the grace period)
      // instead of running until its timeout.
      () => this.close().catch(() => {}),
      (error: RpcClosedError) => {
        // The plugin broke the framing (e.g. an endless line): stop it.
        this.#protocolError = error;
        this.#process.kill(error);
      },
    );
    // Once the instance has ended, its last stderr lines no longer wait for
    // an async logger.
    this.#process.status.finally(() => this.#stderr.ended()).catch(() => {});
    this.ended = this.#process.status.then(
      async (status) => {
        await this.#stderr.done;
        return status;
      },
      async (error) => {
        await this.#stderr.done;
        throw this.#failure(error);
      },
    ).finally(() => this.#ending.abort(INSTANCE_ENDED));
    this.ended.catch(() => {});
  }

  /** Fuel the instance consumed so far. */
  get fuelConsumed(): number {
    return this.#process.fuelConsumed;
  }

  /**
   * Calls a plugin method.
   *
   * @param method The method name.
   * @param params Any JSON value, sent as given (see `Plugin.call`).
   * @param options Cancellation of this call.
   * @returns the method's result
   * @throws {JsonRpcError} if the plugin answers with an error.
   * @throws {PluginError} if the plugin fails, exits or breaks the protocol first.
   */
  async call<R = unknown>(
    method: string,
    params?: unknown,
    options: CallOptions = {},
  ): Promise<R> {
    try {
      return await this.#peer.call<R>(method, params, options);
    } catch (error) {
      if (options.signal?.aborted && error === options.signal.reason) {
        throw new PluginError("aborted", `Call of ${this.plugin.name}.${method} was aborted`, {
          plugin: this.plugin,
          stderr: this.#stderr.tail,
          cause: error,
        });
      }
      if (error instanceof RpcClosedError) throw await this.#whyClosed();
      throw error;
    }
  }

  /**
   * Sends a notification to the plugin.
   *
   * @param method The method name.
   * @param params Any JSON value, sent as given (see `Plugin.call`).
   */
  async notify(method: string, params?: unknown): Promise<void> {
    try {
      await this.#peer.notify(method, params);
    } catch (error) {
      if (error instanceof RpcClosedError) throw await this.#whyClosed();
      throw error;
    }
  }

  /**
   * Closes the plugin's stdin and waits for it to exit; kills it if it has
   * not exited within `grace` milliseconds.
   *
   * @param grace How long to wait for the exit (default 1000 ms).
   * @returns the exit status
   * @throws {PluginError} if the plugin failed.
   */
  async close(grace = 1000): Promise<ExitStatus> {
    await this.#peer.close("The session was closed");
    const timer = setTimeout(
      () =>
        this.#process.kill(
          new Error(`The plugin did not exit within ${grace} ms of its stdin closing`),
        ),
      grace,
    );
    try {
      return await this.ended;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Stops the instance at once.
   *
   * @param reason The abort reason.
   */
  kill(reason?: unknown): void {
    this.#process.kill(reason);
  }

  /**
   * Kills the instance if it still runs, at once (for `using`): calls still
   * pending reject with kind `aborted`, and the connection closes once the
   * instance has ended. `await session.close()` lets it finish instead.
   */
  [Symbol.dispose](): void {
    this.#process.kill(new DOMException("The session was disposed", "AbortError"));
    this.ended.catch(() => {}).then(() => this.#peer.close()).catch(() => {});
  }

  /** Kills the instance if it still runs and waits for it to end. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.#process.kill(new DOMException("The session was disposed", "AbortError"));
    await this.ended.catch(() => {});
    await this.#peer.close();
  }

  /** Why the connection closed, once the process has ended. */
  async #whyClosed(): Promise<Error> {
    const ended = await this.ended.catch((error: Error) => error);
    if (this.#protocolError !== undefined) return this.#protocolFailure();
    if (ended instanceof Error) return ended;
    return new PluginError(
      "exit",
      `Plugin ${this.plugin.name} exited with code ${ended.code} without answering`,
      { plugin: this.plugin, stderr: this.#stderr.tail, exitCode: ended.code },
    );
  }

  #protocolFailure(): PluginError {
    return new PluginError(
      "protocol",
      `Plugin ${this.plugin.name} broke the protocol: ${this.#protocolError?.message}`,
      { plugin: this.plugin, stderr: this.#stderr.tail, cause: this.#protocolError },
    );
  }

  #failure(error: unknown): PluginError {
    const details = { plugin: this.plugin, stderr: this.#stderr.tail, cause: error };
    if (this.#protocolError !== undefined) return this.#protocolFailure();
    if (error instanceof GuestError) {
      return new PluginError(
        error.kind,
        `Plugin ${this.plugin.name} failed: ${error.message}`,
        details,
      );
    }
    return new PluginError(
      "engine",
      `Plugin ${this.plugin.name} failed: ${String(error)}`,
      details,
    );
  }
}
