/**
 * The command line:
 *
 * - `cli.ts call PLUGIN.wasm METHOD [PARAMS_JSON]` calls a plugin method and
 *   prints the result;
 * - `cli.ts run MODULE.wasm [-- ARGS]` runs a wasm32-wasip1 program with this
 *   process's stdio;
 * - `cli.ts inspect MODULE.wasm` tells what a module needs and whether it runs;
 * - `cli.ts serve PLUGIN.wasm` exposes a plugin session as JSON-RPC on stdio;
 * - `cli.ts new rust|c|go|assemblyscript DIR` writes a ready plugin project.
 * - `cli.ts build PLUGIN.ts -o PLUGIN.wasm` builds a plugin from TypeScript.
 *
 * Errors are one line on stderr (`--verbose` adds details); exit codes are
 * listed in {@linkcode EXIT_CODES} and the README.
 *
 * @module
 */

import { escapeControlCharacters } from "./src/_escape_control.ts";
import { buildCommand } from "./src/cli/build.ts";
import { callCommand } from "./src/cli/call.ts";
import { inspectCommand } from "./src/cli/inspect.ts";
import { EXIT_CODES, exitCodeOf, UsageError } from "./src/cli/_options.ts";
import { programCommand, programName } from "./src/cli/_program.ts";
import { runCommand } from "./src/cli/run.ts";
import { serveCommand } from "./src/cli/serve.ts";
import { newCommand } from "./src/cli/new.ts";
import config from "./deno.json" with { type: "json" };

export { EXIT_CODES };

/** The package's version, from deno.json. */
export const VERSION: string = config.version;

const help = () =>
  `Usage: ${programName()} COMMAND [options]

Commands:
  call PLUGIN.wasm METHOD [JSON]  call a plugin method and print the result
  run MODULE.wasm [-- ARGS]       run a wasm32-wasip1 program with this process's stdio
  inspect MODULE.wasm             show what a module needs and whether it runs here
  serve PLUGIN.wasm               expose a plugin session as JSON-RPC on stdin/stdout
  new rust|c|go|assemblyscript DIR
                                  write a ready plugin project (sources, kit, build, test)
  build PLUGIN.ts -o PLUGIN.wasm  build a plugin from TypeScript (JavaScript runtime)

Run '${programName()} COMMAND --help' for a command's options and an example,
'${programName()} --version' for the version.

Example:
  ${programCommand()} call testdata/test_plugin.wasm prime_sieve '[1000]'`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  call: callCommand,
  run: runCommand,
  inspect: inspectCommand,
  serve: serveCommand,
  new: newCommand,
  build: buildCommand,
};

/**
 * Runs the CLI with `args` and returns the exit code.
 *
 * @param args The command line after the script name.
 * @returns the process exit code
 */
export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  const verbose = rest.includes("--verbose");
  if (command === undefined || command === "-h" || command === "--help") {
    console.log(help());
    return command === undefined ? EXIT_CODES.usage : 0;
  }
  if (command === "--version" || command === "-V") {
    console.log(`${programName()} ${VERSION} (@wasmi-plugins/host)`);
    return 0;
  }
  try {
    if (!Object.hasOwn(COMMANDS, command)) throw new UsageError(`unknown command '${command}'`);
    return await COMMANDS[command]!(rest);
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error as { code?: string })?.code?.startsWith("ERR_PARSE_ARGS")
    ) {
      const usage = Object.hasOwn(COMMANDS, command) ? `${command} --help` : "--help";
      const message = escapeControlCharacters((error as Error).message);
      console.error(`error: ${message}\nRun '${programName()} ${usage}' for usage.`);
      return EXIT_CODES.usage;
    }
    // Messages may quote a plugin (its name, its output): control
    // characters are shown escaped, here and in the details.
    const code = exitCodeOf(error);
    console.error(`error: ${escapeControlCharacters(String((error as Error)?.message ?? error))}`);
    if (verbose || code === undefined) {
      console.error(Deno.inspect(error).split("\n").map(escapeControlCharacters).join("\n"));
    }
    return code ?? EXIT_CODES.engine;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
