/**
 * `cli.ts serve`: a plugin session as JSON-RPC on this process's stdio.
 *
 * @module
 */

import { escapeControlCharacters } from "../_escape_control.ts";
import { ErrorCode, JsonRpcError } from "../rpc/json_rpc_error.ts";
import type { JsonRpcId, JsonRpcRequest } from "../rpc/messages.ts";
import { Router } from "../rpc/router.ts";
import { RpcPeer } from "../rpc/rpc_peer.ts";
import { PluginError } from "../plugin/plugin_error.ts";
import type { Plugin } from "../plugin/plugin.ts";
import type { HostContext, PluginSession } from "../plugin/plugin_session.ts";
import { BoundedLineStream } from "./_bounded_line_stream.ts";
import { loadHostModule } from "./_host_module.ts";
import { loadPlugin } from "./_load_plugin.ts";
import {
  exitCodeOf,
  LIMIT_HELP,
  MANIFEST_HELP,
  parseCommand,
  RPC_HELP,
  UsageError,
} from "./_options.ts";
import { programCommand, programName } from "./_program.ts";

/** Help for `serve`, with the program's name as it was started. */
export function serveHelp(): string {
  const program = programName();
  return `Usage: ${program} serve [options] PLUGIN.wasm
       ${program} serve [options] --manifest PLUGIN.jsonc

Runs one plugin session and exposes it as newline-delimited JSON-RPC 2.0 on
this process's stdin and stdout, so any program can drive a sandboxed plugin
as a subprocess. Requests on stdin go to the plugin; host methods the plugin
calls are answered by --host FILE when it has them, else sent to the peer on
stdout (with ids of their own), and the peer's responses on stdin go back to
the plugin. The plugin's logs go to stderr.
When stdin closes, serve waits for the requests in flight (each at most its
timeout), ends the session and exits with the plugin's code.

--timeout (or the manifest's limits.timeout) limits each request: a request
not answered in time is answered with error -32003 "Request timed out", and
the plugin instance is stopped (the only way to stop a guest busy with it)
and replaced by a fresh one for the requests that follow: state the plugin
kept is lost, and the other requests in flight on the stopped instance are
answered with error -32002 (kind "aborted"). The instance has no time limit
of its own. Without --timeout a request may run for ever.

If the plugin instance fails otherwise (trap, fuel, memory, an exit, ...),
the requests in flight on it are answered with error -32002 whose data holds
{ kind, stderr }, and the next request starts a fresh instance (state the
plugin kept is lost), so serve goes on serving. When stdin closes, serve exits
with the last instance's exit code, or the failure's exit code (134 trap, ...)
if it failed with no request after it. A line over 16 MiB on stdin, or one
nesting arrays and objects deeper than 1,000 levels, is skipped and answered
with error -32600 (id null); so is a batch of more than 10,000 requests, none
of which is run. Params of any JSON value and integers of any size pass
through unchanged in both directions.

Options:
${RPC_HELP}
${MANIFEST_HELP}
${LIMIT_HELP}

Example:
  ${programCommand()} serve --timeout 5000 testdata/test_plugin.wasm   # then type:
  {"jsonrpc":"2.0","id":1,"method":"prime_sieve","params":[1000]}`;
}

/** Error code for requests the plugin could not answer because it failed. */
export const PLUGIN_FAILED = -32002;

/** Error code for a request that was not answered within `--timeout`. */
export const REQUEST_TIMED_OUT = -32003;

/** Longest line serve reads from its stdin, in bytes. */
export const MAX_LINE_LENGTH = 16 * 1024 * 1024;

/** Sends every request to `forward`, whatever its method. */
class ForwardingRouter<C> extends Router<C> {
  readonly #forward: (request: JsonRpcRequest, context: C) => Promise<unknown>;

  constructor(forward: (request: JsonRpcRequest, context: C) => Promise<unknown>) {
    super();
    this.#forward = forward;
  }

  override has(): boolean {
    return true;
  }

  override dispatch(request: JsonRpcRequest, context: C): Promise<unknown> {
    return this.#forward(request, context);
  }
}

/** One plugin instance and, once it was stopped or ended, why. */
interface Instance {
  session: PluginSession;
  /** The id of the request that timed out on it, which stopped it. */
  stoppedFor?: JsonRpcId;
  /** How it ended by itself (a failure, or an exit status), once it did. */
  ended?: { error: unknown } | { code: number };
}

/**
 * The plugin instances behind serve: one at a time, replaced when a request
 * times out (which stops the instance it ran on) and when the instance ends
 * by itself (a trap, fuel, memory, an exit): the next request starts a fresh
 * one, so serve goes on serving until its stdin closes.
 */
class Instances {
  readonly #plugin: Plugin;
  readonly #timeout: number;
  #current: Instance | undefined;
  /** The last instance, running or not: its end is serve's exit code. */
  #last: Instance;

  constructor(plugin: Plugin, timeout: number) {
    this.#plugin = plugin;
    this.#timeout = timeout;
    this.#last = this.#current = this.#start();
  }

  /** The instance requests go to now (started if the last one was stopped or ended). */
  get current(): Instance {
    return this.#current ??= this.#last = this.#start();
  }

  /** The last instance started (it may have ended). */
  get last(): Instance {
    return this.#last;
  }

  /** Sends a request to the current instance and answers it in time or with an error. */
  async call(request: JsonRpcRequest & { id: JsonRpcId }): Promise<unknown> {
    const instance = this.current;
    const timer = this.#timeout > 0 ? new AbortController() : undefined;
    const id = timer && setTimeout(() => timer.abort(), this.#timeout);
    try {
      return await instance.session.call(
        request.method,
        request.params,
        timer ? { signal: timer.signal } : {},
      );
    } catch (error) {
      if (!(error instanceof PluginError)) throw error;
      if (timer?.signal.aborted) {
        this.#stop(instance, request.id);
        throw new JsonRpcError(REQUEST_TIMED_OUT, "Request timed out", {
          kind: "timeout",
          timeout: this.#timeout,
          stderr: error.stderr,
        });
      }
      if (instance.stoppedFor !== undefined) {
        const why = `request ${JSON.stringify(instance.stoppedFor)} timed out`;
        throw new JsonRpcError(
          PLUGIN_FAILED,
          `Plugin ${this.#plugin.info.name} was stopped: ${why}`,
          { kind: "aborted", stderr: error.stderr },
        );
      }
      // Said as the instance's end says it, whichever is seen first.
      const exitCode = error.kind === "exit" ? error.exitCode : undefined;
      this.#ended(instance, exitCode === undefined ? { error } : { code: exitCode });
      throw new JsonRpcError(PLUGIN_FAILED, error.message, {
        kind: error.kind,
        stderr: error.stderr,
      });
    } finally {
      clearTimeout(id);
    }
  }

  #start(): Instance {
    const instance: Instance = { session: this.#plugin.session() };
    instance.session.ended.then(
      (status) => this.#ended(instance, { code: status.code }),
      (error) => this.#ended(instance, { error }),
    );
    return instance;
  }

  /** Set when stdin has closed: the last instance is being ended. */
  closing = false;

  /** An instance ended by itself: the next request starts a fresh one. */
  #ended(instance: Instance, how: NonNullable<Instance["ended"]>): void {
    if (this.closing || instance.stoppedFor !== undefined || instance.ended !== undefined) return;
    instance.ended = how;
    if (instance === this.#current) this.#current = undefined;
    const what = "error" in how
      ? `failed: ${(how.error as Error)?.message ?? how.error}`
      : `exited with code ${how.code}`;
    console.error(
      `serve: the plugin instance ${
        escapeControlCharacters(what)
      }; the next request starts a fresh one`,
    );
  }

  /** Stops an instance a request timed out on; the next request starts a fresh one. */
  #stop(instance: Instance, id: JsonRpcId): void {
    if (instance.stoppedFor !== undefined || instance.ended !== undefined) return;
    instance.stoppedFor = id;
    if (instance === this.#current) this.#current = undefined;
    instance.session.kill(new Error(`Request ${JSON.stringify(id)} timed out`));
    console.error(
      `serve: request ${
        escapeControlCharacters(JSON.stringify(id))
      } timed out after ${this.#timeout} ms; its plugin instance was stopped`,
    );
  }
}

/**
 * Runs `serve` and returns its exit code.
 *
 * @param argv The arguments after `serve`.
 */
export async function serveCommand(argv: string[]): Promise<number> {
  const { help, manifest, access, limits, host: hostPath, positionals } = parseCommand(argv, [
    "manifest",
    "rpc",
  ]);
  if (help) {
    console.log(serveHelp());
    return 0;
  }
  const peer: { outer?: RpcPeer } = {};
  // Host methods the plugin calls are those of --host FILE, if it has
  // them; the others go to the peer on our stdout, abandoned when the
  // instance that called ends.
  const local = hostPath === undefined ? undefined : await loadHostModule(hostPath);
  const host = new ForwardingRouter<HostContext>((request, context) =>
    local?.has(request.method)
      ? local.dispatch(request, context)
      : peer.outer!.call(request.method, request.params, { signal: context.signal }).catch(
        (error) => {
          throw error instanceof JsonRpcError ? error : new JsonRpcError(
            ErrorCode.InternalError,
            `The peer did not answer: ${error.message}`,
          );
        },
      )
  );
  const { plugin, rest, timeout } = await loadPlugin(manifest, positionals, limits, {
    host,
    access,
  });
  using _ = plugin;
  if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
  const instances = new Instances(plugin, timeout);
  // Requests from the peer on our stdin go to the plugin.
  const inFlight = new Set<Promise<unknown>>();
  const toPlugin = new ForwardingRouter<Record<string, never>>((request) => {
    const answer = request.id === undefined
      ? instances.current.session.notify(request.method, request.params)
      : instances.call(request as JsonRpcRequest & { id: JsonRpcId });
    const tracked = answer.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    return tracked;
  });
  // Our stdout carries the peer's lines and our own answers to lines too
  // long to read; each write is one whole line.
  const stdout = Deno.stdout.writable.getWriter();
  const output = new WritableStream<Uint8Array>({
    write: (chunk) => stdout.write(chunk),
    close: () => stdout.close(),
  });
  // A line over the limit cannot be read, so its id is unknown: it is
  // answered with id null, as JSON-RPC 2.0 says when the id cannot be
  // detected, and with -32600 Invalid Request rather than -32700 Parse error,
  // because nothing was parsed: the line may be valid JSON, and what is wrong
  // is the request (its size). Reading goes on at the next newline.
  const tooLong = new TextEncoder().encode(`${
    JSON.stringify({
      jsonrpc: "2.0",
      id: null,
      error: {
        code: ErrorCode.InvalidRequest,
        message: "Invalid Request",
        data: `Line exceeds the limit of ${MAX_LINE_LENGTH} bytes; it was skipped`,
      },
    })
  }\n`);
  const input = Deno.stdin.readable.pipeThrough(
    new BoundedLineStream({
      maxLineLength: MAX_LINE_LENGTH,
      onTooLong: () => {
        console.error(
          `serve: protocol error: a line longer than ${MAX_LINE_LENGTH} bytes was skipped`,
        );
        stdout.write(tooLong).catch(() => {});
      },
    }),
  );
  const outer = peer.outer = new RpcPeer(input, output, {
    router: toPlugin,
    maxLineLength: MAX_LINE_LENGTH,
    // A peer's line too deep to read is answered, as one too long is.
    tooDeep: "answer",
    // Integers beyond 2^53 pass between the peer and the plugin unrounded.
    largeIntegers: "bigint",
    onProtocolError: (error) =>
      console.error(`serve: protocol error: ${escapeControlCharacters(error.message)}`),
  });
  await outer.done.catch(() => {});
  // Let the requests already sent to the plugin be answered (or time out).
  while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  // The exit code is that of the last instance: its exit status once stdin
  // closed, or how it failed if it failed with no request after it.
  const last = instances.last;
  instances.closing = true;
  try {
    if (last.stoppedFor !== undefined) return 0;
    if (last.ended !== undefined && "error" in last.ended) throw last.ended.error;
    const status = await last.session.close();
    return status.code;
  } catch (error) {
    const code = exitCodeOf(error);
    if (code === undefined) throw error;
    console.error(`error: ${escapeControlCharacters((error as Error).message)}`);
    return code;
  } finally {
    await outer.close();
  }
}
