/**
 * `cli.ts serve`: a plugin session as JSON-RPC on this process's stdio.
 *
 * @module
 */

import { ErrorCode, JsonRpcError } from "../rpc/json_rpc_error.ts";
import type { JsonRpcRequest } from "../rpc/messages.ts";
import { Router } from "../rpc/router.ts";
import { RpcPeer } from "../rpc/rpc_peer.ts";
import { PluginError } from "../plugin/plugin_error.ts";
import type { HostContext, PluginSession } from "../plugin/plugin_session.ts";
import { loadPlugin } from "./_load_plugin.ts";
import { exitCodeOf, LIMIT_HELP, parseCommand, UsageError } from "./_options.ts";

/** Help for `serve`. */
export const SERVE_HELP = `Usage: cli.ts serve [options] PLUGIN.wasm
       cli.ts serve [options] --manifest PLUGIN.jsonc

Runs one plugin session and exposes it as newline-delimited JSON-RPC 2.0 on
this process's stdin and stdout, so any program can drive a sandboxed plugin
as a subprocess. Requests on stdin go to the plugin; host methods the plugin
calls are sent to the peer on stdout (with ids of their own), and the peer's
responses on stdin go back to the plugin. The plugin's logs go to stderr.
When stdin closes, the session ends and serve exits with the plugin's code.

If the plugin fails (trap, timeout, ...), pending and later requests are
answered with error -32002 whose data holds { kind, stderr }, and serve
exits with the failure's exit code.

Options:
  --manifest FILE      load the plugin as a JSONC manifest says (flags override it)
${LIMIT_HELP}

Example:
  deno run -R cli.ts serve testdata/test_plugin.wasm   # then type, for example:
  {"jsonrpc":"2.0","id":1,"method":"prime_sieve","params":[1000]}`;

/** Error code for requests the plugin could not answer because it failed. */
export const PLUGIN_FAILED = -32002;

/** Sends every request to `forward`, whatever its method. */
class ForwardingRouter<C> extends Router<C> {
  readonly #forward: (request: JsonRpcRequest) => Promise<unknown>;

  constructor(forward: (request: JsonRpcRequest) => Promise<unknown>) {
    super();
    this.#forward = forward;
  }

  override has(): boolean {
    return true;
  }

  override dispatch(request: JsonRpcRequest): Promise<unknown> {
    return this.#forward(request);
  }
}

/**
 * Runs `serve` and returns its exit code.
 *
 * @param argv The arguments after `serve`.
 */
export async function serveCommand(argv: string[]): Promise<number> {
  const { help, manifest, limits, positionals } = parseCommand(argv, ["manifest"]);
  if (help) {
    console.log(SERVE_HELP);
    return 0;
  }
  const peer: { outer?: RpcPeer } = {};
  // Host methods the plugin calls go to the peer on our stdout.
  const host = new ForwardingRouter<HostContext>((request) =>
    peer.outer!.call(request.method, request.params).catch((error) => {
      throw error instanceof JsonRpcError
        ? error
        : new JsonRpcError(ErrorCode.InternalError, `The peer did not answer: ${error.message}`);
    })
  );
  const { plugin, rest } = await loadPlugin(manifest, positionals, limits, { host });
  using _ = plugin;
  if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
  const session: PluginSession = plugin.session();
  // Requests from the peer on our stdin go to the plugin.
  const inFlight = new Set<Promise<unknown>>();
  const toPlugin = new ForwardingRouter<Record<string, never>>((request) => {
    const answer = request.id === undefined
      ? session.notify(request.method, request.params)
      : session.call(request.method, request.params).catch((error) => {
        if (!(error instanceof PluginError)) throw error;
        throw new JsonRpcError(PLUGIN_FAILED, error.message, {
          kind: error.kind,
          stderr: error.stderr,
        });
      });
    const tracked = answer.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    return tracked;
  });
  const outer = peer.outer = new RpcPeer(Deno.stdin.readable, Deno.stdout.writable, {
    router: toPlugin,
    onProtocolError: (error) => console.error(`serve: protocol error: ${error.message}`),
  });
  const inputEnded = outer.done.then(() => "input" as const, () => "input" as const);
  const pluginEnded = session.ended.then(() => "plugin" as const, () => "plugin" as const);
  await Promise.race([inputEnded, pluginEnded]);
  // Let the requests already sent to the plugin be answered.
  while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  try {
    const status = await session.close();
    return status.code;
  } catch (error) {
    const code = exitCodeOf(error);
    if (code === undefined) throw error;
    console.error(`error: ${(error as Error).message}`);
    return code;
  } finally {
    await outer.close();
  }
}
