/**
 * `cli.ts build`: a TypeScript (or JavaScript) plugin to a pre-initialised
 * wasm32-wasip1 plugin on the JavaScript plugin runtime (src/build/).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { BuildError, buildPlugin } from "../build/build.ts";
import { escapeControlCharacters } from "../_escape_control.ts";
import { EXIT_CODES, UsageError } from "./_options.ts";
import { programName } from "./_program.ts";

/** Help for `build`, with the program's name as it was started. */
export function buildHelp(): string {
  const program = programName();
  return `Usage: ${program} build PLUGIN.ts -o PLUGIN.wasm

Bundles PLUGIN.ts with its imports (deno bundle) and builds a plugin on the
JavaScript plugin runtime (QuickJS): the script's top level runs now, once,
and the plugin starts from that state, ready for its first request. The
top level registers methods (plugin.method); it may not call the host.
Its console output is printed here, prefixed with [build].

Options:
  -o, --output FILE     where to write the plugin (required)
  --no-preinitialize    keep the script's text only: every instance evaluates
                        it anew (slower; top-level faults show at run time)
  -h, --help            show this help

Exit codes: 0 built, 65 the script could not be bundled or failed at its top
level, 66 unreadable file.

Example:
  deno run -A cli.ts build examples/ts/hello.ts -o hello.wasm`;
}

/**
 * Runs `build` and returns its exit code.
 *
 * @param argv The arguments after `build`.
 */
export async function buildCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      output: { type: "string", short: "o" },
      "no-preinitialize": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(buildHelp());
    return 0;
  }
  const [entry, ...extra] = positionals;
  if (entry === undefined) throw new UsageError("missing PLUGIN.ts");
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  if (values.output === undefined) throw new UsageError("missing -o PLUGIN.wasm");
  await Deno.stat(entry); // unreadable: exit 66
  let wasm: Uint8Array;
  try {
    wasm = await buildPlugin(entry, {
      preinitialize: !values["no-preinitialize"],
      log: (line) => console.error(`[build] ${escapeControlCharacters(line)}`),
    });
  } catch (error) {
    if (!(error instanceof BuildError)) throw error;
    console.error(`error: ${escapeControlCharacters(error.message)}`);
    return EXIT_CODES.invalidModule;
  }
  await Deno.writeFile(values.output, wasm);
  console.error(`${values.output}: ${wasm.length} bytes`);
  return 0;
}
