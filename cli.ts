/**
 * The command line: `deno run -R cli.ts run module.wasm` runs a
 * wasm32-wasip1 program on the bundled engine with the terminal's stdio.
 *
 * Exit codes: the guest's own code when it exits; otherwise
 * {@linkcode EXIT_CODES}.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  AbortedError,
  EngineError,
  FuelExhaustedError,
  GuestModule,
  MemoryLimitError,
  TimeoutError,
  TrapError,
} from "./src/executor/mod.ts";

/** Exit codes of the CLI when the guest does not exit by itself. */
export const EXIT_CODES = {
  /** Bad command line. */
  usage: 2,
  /** The module is not valid wasm or cannot run here (imports, `_start`). */
  invalidModule: 65,
  /** The module file cannot be read. */
  noInput: 66,
  /** The engine failed. */
  engine: 70,
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

const RUN_HELP = `Usage: cli.ts run [options] MODULE.wasm [-- ARGS...]

Runs a wasm32-wasip1 program with this process's stdin, stdout and stderr
and exits with the program's exit code.

Options:
  --env K=V            set an environment variable (repeatable; splits on the first '=')
  --arg A              append an argument (repeatable; before ARGS)
  --fuel N             stop the program after N units of fuel
  --fuel-slice N       fuel per slice between yields (default: sized to ~2 ms)
  --timeout MS         stop the program after MS milliseconds
  --max-memory BYTES   most linear memory the program may use (default 256 MiB)
  -h, --help           show this help

Exit codes: the program's own, or 124 timeout, 125 out of fuel, 130
interrupted, 134 trap, 137 memory limit, 65 invalid module, 66 unreadable
module, 70 engine failure, 2 usage error.

Example:
  deno run -R cli.ts run --env NAME=world testdata/rust_stdio.wasm -- args`;

const HELP = `Usage: cli.ts COMMAND [options]

Commands:
  run MODULE.wasm   run a wasm32-wasip1 program with this process's stdio

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
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      env: { type: "string", multiple: true, default: [] },
      arg: { type: "string", multiple: true, default: [] },
      fuel: { type: "string" },
      "fuel-slice": { type: "string" },
      timeout: { type: "string" },
      "max-memory": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(RUN_HELP);
    return 0;
  }
  const [path, ...rest] = positionals;
  if (path === undefined) throw new UsageError("missing MODULE.wasm");
  const options = {
    env: parseEnv(values.env),
    args: [...values.arg, ...rest],
    programName: path.split("/").at(-1)!,
    fuel: positiveInteger("fuel", values.fuel),
    fuelSlice: positiveInteger("fuel-slice", values["fuel-slice"]),
    timeout: positiveInteger("timeout", values.timeout),
    maxMemory: positiveInteger("max-memory", values["max-memory"]),
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
    const process = module.spawn({
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
      signal: interrupt.signal,
    });
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
