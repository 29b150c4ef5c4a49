/**
 * `cli.ts call`: call a plugin method and print the result.
 *
 * @module
 */

import { escapeControlCharacters } from "../_escape_control.ts";
import { JsonRpcError } from "../rpc/json_rpc_error.ts";
import { jsonCodec } from "../rpc/_json_codec.ts";
import { jsonForTerminal } from "./_json_for_terminal.ts";
import { loadPlugin } from "./_load_plugin.ts";
import {
  EXIT_CODES,
  LIMIT_HELP,
  MANIFEST_HELP,
  parseCommand,
  RPC_HELP,
  UsageError,
  withInterrupt,
} from "./_options.ts";
import { programCommand, programName } from "./_program.ts";

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

Options:
${RPC_HELP}
${MANIFEST_HELP}
${LIMIT_HELP}

Exit codes: 0 result printed, 1 the plugin answered with an error, 69 the
plugin exited without answering, 76 it broke the protocol, and those of
'run' (124 timeout, 125 out of fuel, 134 trap, 137 memory limit, ...).

Example:
  ${programCommand()} call testdata/test_plugin.wasm prime_sieve '[1000]'
  ${programCommand()} call --missing-params null testdata/compat_plugin.wasm prime_sieve 1000`;
}

/**
 * Runs `call` and returns its exit code.
 *
 * @param argv The arguments after `call`.
 */
export async function callCommand(argv: string[]): Promise<number> {
  const { help, manifest, access, limits, positionals } = parseCommand(argv, ["manifest", "rpc"]);
  if (help) {
    console.log(callHelp());
    return 0;
  }
  if (positionals.length === 0) throw new UsageError("missing PLUGIN.wasm and METHOD");
  const { plugin, rest } = await loadPlugin(manifest, positionals, limits, { access });
  using _ = plugin;
  const [method, paramsJson, ...extra] = rest;
  if (method === undefined) throw new UsageError("missing METHOD");
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const params = parseParams(paramsJson);
  try {
    const result = await withInterrupt((signal) => plugin.call(method, params, { signal }));
    console.log(jsonForTerminal(result ?? null, Deno.stdout.isTerminal() ? 2 : undefined));
    return 0;
  } catch (error) {
    if (!(error instanceof JsonRpcError)) throw error;
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
    const hint = /^[\p{L}_][\p{L}\p{N}_-]*$/u.test(json.trim())
      ? ` (to pass a string, quote it as JSON: '"${json.trim()}"')`
      : "";
    throw new UsageError(`PARAMS_JSON is not valid JSON: ${(error as Error).message}${hint}`);
  }
}
