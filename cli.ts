/**
 * The command line: `cli.ts run MODULE.wasm` runs a wasm32-wasip1 program on
 * the bundled engine with the terminal's stdio; `cli.ts call PLUGIN.wasm
 * METHOD [PARAMS_JSON]` calls a plugin method and prints the result.
 *
 * Exit codes: the guest's own code when it exits; otherwise
 * {@linkcode EXIT_CODES}.
 *
 * @module
 */

import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import {
  AbortedError,
  EngineError,
  FuelExhaustedError,
  type GuestErrorKind,
  GuestModule,
  MemoryLimitError,
  TimeoutError,
  TrapError,
} from "./src/executor/mod.ts";
import { Plugin, PluginError } from "./src/plugin/mod.ts";
import { JsonRpcError } from "./src/rpc/mod.ts";

/** Exit codes of the CLI when the guest does not exit by itself. */
export const EXIT_CODES = {
  /** `call`: the plugin answered with a JSON-RPC error. */
  errorAnswer: 1,
  /** Bad command line. */
  usage: 2,
  /** The module is not valid wasm or cannot run here (imports, `_start`). */
  invalidModule: 65,
  /** The module file cannot be read. */
  noInput: 66,
  /** `call`: the plugin exited without answering. */
  noAnswer: 69,
  /** The engine failed. */
  engine: 70,
  /** `call`: the plugin broke the protocol. */
  protocol: 76,
  /** `--timeout` elapsed. */
  timeout: 124,
  /** `--fuel` was used up. */
  fuel: 125,
  /** Interrupted (SIGINT). */
  aborted: 130,
  /** The guest trapped. */
  trap: 134,
  /** The guest exceeded `--max-memory`. */
  memory: 137,
} as const;

const LIMIT_HELP =
  `  --env K=V            set an environment variable (repeatable; splits on the first '=')
  --arg A              append an argument (repeatable)
  --fuel N             stop the guest after N units of fuel
  --fuel-slice N       fuel per slice between yields (default: sized to ~2 ms)
  --timeout MS         stop the guest after MS milliseconds
  --max-memory BYTES   most linear memory the guest may use (default 256 MiB)
  -h, --help           show this help`;

const LIMIT_OPTIONS = {
  env: { type: "string", multiple: true, default: [] as string[] },
  arg: { type: "string", multiple: true, default: [] as string[] },
  fuel: { type: "string" },
  "fuel-slice": { type: "string" },
  timeout: { type: "string" },
  "max-memory": { type: "string" },
  help: { type: "boolean", short: "h" },
} satisfies ParseArgsOptionsConfig;

/** Parses the options `run` and `call` share. */
function parseLimits(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: LIMIT_OPTIONS,
  });
  const limits = {
    env: parseEnv(values.env),
    args: values.arg,
    fuel: positiveInteger("fuel", values.fuel),
    fuelSlice: positiveInteger("fuel-slice", values["fuel-slice"]),
    timeout: positiveInteger("timeout", values.timeout),
    maxMemory: positiveInteger("max-memory", values["max-memory"]),
  };
  const defined = Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined)) as {
    env: Record<string, string>;
    args: string[];
    fuel?: number;
    fuelSlice?: number;
    timeout?: number;
    maxMemory?: number;
  };
  return { help: values.help === true, limits: defined, positionals };
}

const RUN_HELP = `Usage: cli.ts run [options] MODULE.wasm [-- ARGS...]

Runs a wasm32-wasip1 program with this process's stdin, stdout and stderr
and exits with the program's exit code.

Options:
${LIMIT_HELP}

Exit codes: the program's own, or 124 timeout, 125 out of fuel, 130
interrupted, 134 trap, 137 memory limit, 65 invalid module, 66 unreadable
module, 70 engine failure, 2 usage error.

Example:
  deno run -R cli.ts run --env NAME=world testdata/rust_stdio.wasm -- args`;

const CALL_HELP = `Usage: cli.ts call [options] PLUGIN.wasm METHOD [PARAMS_JSON]

Calls METHOD of a plugin (a fresh instance) with PARAMS_JSON (a JSON array
or object; default none) and prints the result as JSON on stdout, pretty when
stdout is a terminal. The plugin's logs go to stderr.

Options:
${LIMIT_HELP}

Exit codes: 0 result printed, 1 the plugin answered with an error, 69 the
plugin exited without answering, 76 it broke the protocol, and those of
'run' (124 timeout, 125 out of fuel, 134 trap, 137 memory limit, ...).

Example:
  deno run -R cli.ts call testdata/test_plugin.wasm prime_sieve '[1000]'`;

const HELP = `Usage: cli.ts COMMAND [options]

Commands:
  run MODULE.wasm                 run a wasm32-wasip1 program with this process's stdio
  call PLUGIN.wasm METHOD [JSON]  call a plugin method and print the result

Run 'cli.ts COMMAND --help' for a command's options.`;

class UsageError extends Error {}

function positiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number <= 0) {
    throw new UsageError(`--${name} must be a positive integer, got '${value}'`);
  }
  return number;
}

function parseEnv(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new UsageError(`--env needs K=V, got '${pair}'`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}

async function run(argv: string[]): Promise<number> {
  const { help, limits, positionals } = parseLimits(argv);
  if (help) {
    console.log(RUN_HELP);
    return 0;
  }
  const [path, ...rest] = positionals;
  if (path === undefined) throw new UsageError("missing MODULE.wasm");
  const options = {
    ...limits,
    args: [...limits.args, ...rest],
    programName: path.split("/").at(-1)!,
  };
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    console.error(`error: cannot read ${path}: ${(error as Error).message}`);
    return EXIT_CODES.noInput;
  }
  let module: GuestModule;
  try {
    module = await GuestModule.compile(bytes);
  } catch (error) {
    console.error(`error: ${path} is not a valid module: ${(error as Error).message}`);
    return EXIT_CODES.invalidModule;
  }
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort();
  Deno.addSignalListener("SIGINT", onSigint);
  try {
    const process = module.spawn({ ...options, signal: interrupt.signal });
    Deno.stdin.readable.pipeTo(process.stdin).catch(() => {});
    const piped = Promise.all([
      process.stdout.pipeTo(Deno.stdout.writable, { preventClose: true }),
      process.stderr.pipeTo(Deno.stderr.writable, { preventClose: true }),
    ]);
    const status = await process.status.finally(() => piped.catch(() => {}));
    await piped;
    return status.code;
  } catch (error) {
    return report(error);
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
  }
}

async function call(argv: string[]): Promise<number> {
  const { help, limits, positionals } = parseLimits(argv);
  if (help) {
    console.log(CALL_HELP);
    return 0;
  }
  const [path, method, paramsJson, ...extra] = positionals;
  if (path === undefined || method === undefined) {
    throw new UsageError("missing PLUGIN.wasm or METHOD");
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  let params: unknown[] | Record<string, unknown> | undefined;
  if (paramsJson !== undefined) {
    try {
      params = JSON.parse(paramsJson);
    } catch (error) {
      throw new UsageError(`PARAMS_JSON is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof params !== "object" || params === null) {
      throw new UsageError("PARAMS_JSON must be a JSON array or object");
    }
  }
  let plugin: Plugin;
  try {
    plugin = await Plugin.load(path, { ...limits, timeout: limits.timeout ?? 0 });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.PermissionDenied) {
      console.error(`error: cannot read ${path}: ${error.message}`);
      return EXIT_CODES.noInput;
    }
    console.error(`error: ${path} is not a valid plugin: ${(error as Error).message}`);
    return EXIT_CODES.invalidModule;
  }
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort(new Error("interrupted"));
  Deno.addSignalListener("SIGINT", onSigint);
  try {
    const result = await plugin.call(method, params, { signal: interrupt.signal });
    const pretty = Deno.stdout.isTerminal();
    console.log(JSON.stringify(result ?? null, null, pretty ? 2 : undefined));
    return 0;
  } catch (error) {
    if (error instanceof JsonRpcError) {
      const data = error.data === undefined ? "" : ` ${JSON.stringify(error.data)}`;
      console.error(`error: the plugin answered with error ${error.code}: ${error.message}${data}`);
      return EXIT_CODES.errorAnswer;
    }
    if (error instanceof PluginError) {
      console.error(`error: ${error.message}`);
      return PLUGIN_EXIT_CODES[error.kind];
    }
    throw error;
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
    plugin[Symbol.dispose]();
  }
}

const PLUGIN_EXIT_CODES: Record<GuestErrorKind | "exit" | "protocol", number> = {
  exit: EXIT_CODES.noAnswer,
  protocol: EXIT_CODES.protocol,
  trap: EXIT_CODES.trap,
  fuel: EXIT_CODES.fuel,
  timeout: EXIT_CODES.timeout,
  aborted: EXIT_CODES.aborted,
  memory: EXIT_CODES.memory,
  engine: EXIT_CODES.engine,
};

function report(error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`error: ${message}`);
  if (error instanceof WebAssembly.LinkError) return EXIT_CODES.invalidModule;
  if (error instanceof TimeoutError) return EXIT_CODES.timeout;
  if (error instanceof FuelExhaustedError) return EXIT_CODES.fuel;
  if (error instanceof AbortedError) return EXIT_CODES.aborted;
  if (error instanceof TrapError) return EXIT_CODES.trap;
  if (error instanceof MemoryLimitError) return EXIT_CODES.memory;
  if (error instanceof EngineError) return EXIT_CODES.engine;
  throw error;
}

/**
 * Runs the CLI with `args` and returns the exit code.
 *
 * @param args The command line after the script name.
 * @returns the process exit code
 */
export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case "run":
        return await run(rest);
      case "call":
        return await call(rest);
      case undefined:
      case "-h":
      case "--help":
        console.log(HELP);
        return command === undefined ? EXIT_CODES.usage : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error as { code?: string })?.code?.startsWith("ERR_PARSE_ARGS")
    ) {
      console.error(
        `error: ${(error as Error).message}\nRun 'cli.ts ${command ?? ""} --help' for usage.`,
      );
      return EXIT_CODES.usage;
    }
    throw error;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
