/**
 * `cli.ts call`: call a plugin method and print the result.
 *
 * @module
 */

import { escapeControlCharacters } from "../_escape_control.ts";
import { truncate } from "../_truncate.ts";
import { discoverMethods } from "../inspect/discover_methods.ts";
import { ErrorCode, JsonRpcError } from "../rpc/json_rpc_error.ts";
import { jsonCodec } from "../rpc/_json_codec.ts";
import { jsonForTerminal } from "./_json_for_terminal.ts";
import { DISCOVER_TIMEOUT } from "./_discover.ts";
import { CLI_HOST_HINT, loadHostModule } from "./_host_module.ts";
import { loadPlugin } from "./_load_plugin.ts";
import { missingHostMethodMessage } from "../plugin/_missing_host_method.ts";
import { methodNotFoundMessage } from "./_method_not_found.ts";
import {
  EXIT_CODES,
  LIMIT_HELP,
  MANIFEST_HELP,
  parseCommand,
  RPC_HELP,
  UsageError,
  withInterrupt,
} from "./_options.ts";
import { commandLine, programCommand, programName } from "./_program.ts";

/** How long a call may take without --timeout or a manifest's limits.timeout, in ms (the library's default). */
export const CALL_TIMEOUT = 30_000;

/** Help for `call`, with the program's name as it was started. */
export function callHelp(): string {
  const program = programName();
  return `Usage: ${program} call [options] PLUGIN.wasm METHOD [PARAMS_JSON]
       ${program} call [options] --manifest PLUGIN.jsonc METHOD [PARAMS_JSON]

Calls METHOD of a plugin (a fresh instance) with PARAMS_JSON (any JSON value,
sent as given: an array, an object, or a bare number, string, true, false or
null; without it the request has no params, or null with --missing-params null)
and prints the result as JSON on stdout, pretty when stdout is a terminal.
Integers keep all their digits both ways. The plugin's logs go to stderr.
The plugin may call the host methods of --host FILE, and no others. Without
--timeout (or a manifest's limits.timeout) the call stops after 30 s (30000
ms); --timeout 0 lets it run for ever.
If the plugin has no such method (error -32601), the error lists the methods
it has when it answers rpc.discover.

Options:
${RPC_HELP}
${MANIFEST_HELP}
${LIMIT_HELP}

Exit codes: 0 result printed, 1 the plugin answered with an error, 69 the
plugin exited without answering, 76 it broke the protocol, and those of
'run' (124 timeout, 125 out of fuel, 134 trap, 137 memory limit, ...).

Example:
  ${programCommand()} call testdata/test_plugin.wasm prime_sieve '[1000]'
  ${programCommand()} call --host examples/hosts/echo.ts testdata/test_plugin.wasm many_echo '[3]'
  ${programCommand()} call --missing-params null testdata/compat_plugin.wasm prime_sieve 1000`;
}

/**
 * Runs `call` and returns its exit code.
 *
 * @param argv The arguments after `call`.
 */
export async function callCommand(argv: string[]): Promise<number> {
  const { help, manifest, access, limits, host: hostPath, positionals } = parseCommand(argv, [
    "manifest",
    "rpc",
  ]);
  if (help) {
    console.log(callHelp());
    return 0;
  }
  if (positionals.length === 0) throw new UsageError("missing PLUGIN.wasm and METHOD");
  // The command line is checked before the plugin is loaded.
  const [method, paramsJson, ...extra] = manifest === undefined
    ? positionals.slice(1)
    : positionals;
  if (method === undefined) throw new UsageError("missing METHOD");
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const params = parseParams(paramsJson);
  const host = await loadHostModule(hostPath);
  // Without --timeout (or the manifest's), a call stops after 30 s.
  const callLimits = limits.timeout === undefined && manifest === undefined
    ? { ...limits, timeout: CALL_TIMEOUT }
    : limits;
  const { plugin, inspectArgs, timeout } = await loadPlugin(manifest, positionals, callLimits, {
    access,
    host,
  });
  using _ = plugin;
  try {
    const result = await withInterrupt((signal) => plugin.call(method, params, { signal }));
    console.log(jsonForTerminal(result ?? null, Deno.stdout.isTerminal() ? 2 : undefined));
    return 0;
  } catch (error) {
    if (!(error instanceof JsonRpcError)) throw error;
    // The plugin called a host method this host lacks and answered -32601:
    // however it words it (its kit may pass the host's answer on, or say
    // it its own way), the missing host method is the cause.
    if (error.code === ErrorCode.MethodNotFound && host.missed !== undefined) {
      const message = missingHostMethodMessage(host.missed, CLI_HOST_HINT);
      console.error(`error: ${escapeControlCharacters(message)}`);
      return EXIT_CODES.errorAnswer;
    }
    if (error.code === ErrorCode.MethodNotFound) {
      // Which methods are there? A fresh instance is asked (not for
      // rpc.discover itself), with --timeout if it is shorter. Its logs
      // are shown as any call's (silencing them could drop the last lines
      // of the call before, which may still be on their way).
      const description = method === "rpc.discover"
        ? undefined
        : await withInterrupt((signal) =>
          discoverMethods(plugin, {
            signal,
            timeout: timeout > 0 ? Math.min(timeout, DISCOVER_TIMEOUT) : DISCOVER_TIMEOUT,
          })
        );
      // A plugin that has the method passed on a -32601 from elsewhere (a
      // host method it called): its answer is shown as it is.
      if (description?.methods.some((m) => m.name === method) !== true) {
        const message = methodNotFoundMessage(
          plugin.info.name,
          method,
          error.message,
          description,
          commandLine(inspectArgs),
        );
        console.error(`error: ${escapeControlCharacters(message)}`);
        return EXIT_CODES.errorAnswer;
      }
    }
    const data = error.data === undefined ? "" : ` ${jsonForTerminal(error.data)}`;
    const message = escapeControlCharacters(`${error.message}${data}`);
    console.error(`error: the plugin answered with error ${error.code}: ${message}`);
    return EXIT_CODES.errorAnswer;
  }
}

/** PARAMS_JSON as a value (integers beyond 2^53 as bigint, sent exactly). */
function parseParams(json: string | undefined): unknown {
  if (json === undefined) return undefined;
  try {
    return jsonCodec("bigint").parse(json);
  } catch (error) {
    const word = json.trim();
    const shown = truncate(json, 40);
    if (/^[\p{L}_][\p{L}\p{N}_-]*$/u.test(word)) {
      throw new UsageError(
        `params '${shown}' are not valid JSON; to pass the string ${word}, quote it as JSON: '"${word}"'`,
      );
    }
    throw new UsageError(
      `params '${shown}' are not valid JSON: ${(error as Error).message}; pass one JSON ` +
        `value in single quotes, such as '[2, 3]', '{"name": "Ada"}' or '"text"'`,
    );
  }
}
