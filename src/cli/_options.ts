/**
 * What the CLI's commands share: exit codes, the limit options, usage errors
 * and the mapping from failures to exit codes.
 *
 * @module
 */

import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { GuestError, type GuestErrorKind } from "../executor/errors.ts";
import { PluginError } from "../plugin/plugin_error.ts";
import type { PluginOptions } from "../plugin/plugin.ts";
import { type ManifestAccessOptions, ManifestError } from "../manifest/plugin_manifest.ts";
import { checkLimit, type LimitName } from "../_limit_ranges.ts";

/** Exit codes of the CLI besides a guest's own. */
export const EXIT_CODES = {
  /** `call`: the plugin answered with a JSON-RPC error. */
  errorAnswer: 1,
  /** Bad command line. */
  usage: 2,
  /** The module is not valid wasm, cannot run here, or its manifest is invalid. */
  invalidModule: 65,
  /** The module or manifest file cannot be read. */
  noInput: 66,
  /** `call`/`serve`: the plugin exited without answering. */
  noAnswer: 69,
  /** The engine failed. */
  engine: 70,
  /** `call`/`serve`: the plugin broke the protocol. */
  protocol: 76,
  /** `inspect`: the module will not run here. */
  wontRun: 1,
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

const FAILURE_CODES: Record<GuestErrorKind | "exit" | "protocol", number | undefined> = {
  exit: EXIT_CODES.noAnswer,
  protocol: EXIT_CODES.protocol,
  trap: EXIT_CODES.trap,
  fuel: EXIT_CODES.fuel,
  timeout: EXIT_CODES.timeout,
  aborted: EXIT_CODES.aborted,
  memory: EXIT_CODES.memory,
  engine: EXIT_CODES.engine,
};

/** A bad command line: printed as one line with a pointer to `--help`. */
export class UsageError extends Error {}

/**
 * The exit code for a failure, or undefined if the error is not one the CLI
 * expects (a bug: let it propagate).
 */
export function exitCodeOf(error: unknown): number | undefined {
  if (error instanceof PluginError || error instanceof GuestError) {
    // Kinds without an exit code of their own (a disposed plugin) are the
    // engine's failure as far as a command line can tell.
    return (FAILURE_CODES as Record<string, number | undefined>)[error.kind] ?? EXIT_CODES.engine;
  }
  if (error instanceof WebAssembly.CompileError || error instanceof WebAssembly.LinkError) {
    return EXIT_CODES.invalidModule;
  }
  if (error instanceof ManifestError) return EXIT_CODES.invalidModule;
  if (
    error instanceof Deno.errors.NotFound || error instanceof Deno.errors.PermissionDenied ||
    error instanceof Deno.errors.IsADirectory || error instanceof Deno.errors.NotADirectory
  ) {
    return EXIT_CODES.noInput;
  }
  return undefined;
}

/** Help for `--manifest` and the options that go with it. */
export const MANIFEST_HELP =
  `  --manifest FILE      load the plugin as a JSONC manifest says (flags override it)
  --allow-wasm-outside let the manifest's wasm be outside the manifest's directory
  --allow-remote-wasm  let the manifest's wasm be a URL (fetched)`;

/** Help for the options of the commands that speak JSON-RPC to a plugin. */
export const RPC_HELP =
  `  --host FILE          host methods the plugin may call: a TypeScript/JavaScript
                       module whose default export is a Router or an object of
                       functions, imported with this command's permissions
                       (examples/hosts/echo.ts); default: none
  --missing-params omit|null
                       what a request without params carries: no params member
                       (omit, the default) or "params":null (null: needed by
                       plugins built with the original Rust framework's kit)
  --workers N|auto     run the plugin's instances in N Web Workers (auto: one per
                       core) to use every core; default: on the main thread`;

/** Help for the options every command takes. */
export const LIMIT_HELP =
  `  --env K=V            set an environment variable (repeatable; splits on the first '=')
  --arg A              append an argument (repeatable)
  --fuel N             stop the guest after N units of fuel (1 to 2^53-1)
  --fuel-slice N       fuel per slice between yields (default: sized to ~2 ms)
  --timeout MS         stop the guest after MS milliseconds (0: none, at most 2147483647)
  --max-memory BYTES   most linear memory the guest may use (default 256 MiB,
                       at most 4294901760)
  --engine wasmi|v8|auto
                       the engine guests run on: wasmi (default), v8 (V8's own
                       WebAssembly with fuel metering; needs JSPI), auto (v8
                       where JSPI exists)
  --verbose            print details (stack traces) with errors
  -h, --help           show this help`;

const LIMIT_OPTIONS = {
  env: { type: "string", multiple: true, default: [] as string[] },
  arg: { type: "string", multiple: true, default: [] as string[] },
  fuel: { type: "string" },
  "fuel-slice": { type: "string" },
  timeout: { type: "string" },
  "max-memory": { type: "string" },
  engine: { type: "string" },
  manifest: { type: "string" },
  "allow-wasm-outside": { type: "boolean" },
  "allow-remote-wasm": { type: "boolean" },
  "missing-params": { type: "string" },
  workers: { type: "string" },
  host: { type: "string" },
  "kit-git": { type: "string" },
  dir: { type: "string" },
  json: { type: "boolean" },
  verbose: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} satisfies ParseArgsOptionsConfig;

/** Limits (and `--missing-params`) given on the command line. */
export type Limits =
  & Pick<
    PluginOptions,
    "fuel" | "fuelSlice" | "timeout" | "maxMemory" | "missingParams" | "workers" | "engine"
  >
  & {
    env?: Record<string, string>;
    args?: string[];
  };

/** A parsed command line of one command. */
export interface ParsedCommand {
  help: boolean;
  json: boolean;
  manifest: string | undefined;
  /** Where the manifest's wasm may be (`--allow-wasm-outside`, `--allow-remote-wasm`). */
  access: ManifestAccessOptions;
  limits: Limits;
  /** `--host FILE`: the module of host methods. */
  host: string | undefined;
  /** `new --kit-git URL`: the repository the Rust template's kit comes from. */
  kitGit: string | undefined;
  /** `run --dir HOST_DIR[:GUEST_DIR][:rw]`. */
  dir: string | undefined;
  positionals: string[];
}

/**
 * Parses a command's options; unknown flags are usage errors.
 *
 * @param argv The arguments after the command name.
 * @param accepts Options beyond the limits this command accepts: `manifest`
 * (with the `--allow-*` flags), `json`, `rpc` (`--missing-params`), `new`
 * (`--kit-git`) and `dir` (`--dir`).
 */
export function parseCommand(
  argv: string[],
  accepts: ("manifest" | "json" | "rpc" | "new" | "dir")[] = [],
): ParsedCommand {
  const { values, positionals } = parsed(argv);
  const options = [
    "manifest",
    "json",
    "allow-wasm-outside",
    "allow-remote-wasm",
    "missing-params",
    "workers",
    "host",
    "kit-git",
    "dir",
  ];
  for (const option of options as (keyof typeof values)[]) {
    const kind = option === "json" || option === "dir"
      ? option
      : option === "kit-git"
      ? "new"
      : option === "missing-params" || option === "workers" || option === "host"
      ? "rpc"
      : "manifest";
    const accepted = accepts.includes(kind);
    if (values[option] !== undefined && !accepted) {
      throw new UsageError(`unknown option '--${option}'`);
    }
  }
  const access: ManifestAccessOptions = {};
  if (values["allow-wasm-outside"]) access.allowWasmOutside = true;
  if (values["allow-remote-wasm"]) access.allowRemoteWasm = true;
  const limits: Limits = {};
  if (values.env.length > 0) limits.env = parseEnv(values.env);
  if (values.arg.length > 0) limits.args = values.arg;
  const missingParams = values["missing-params"];
  if (missingParams !== undefined) {
    if (missingParams !== "omit" && missingParams !== "null") {
      throw new UsageError(`--missing-params must be omit or null, got '${missingParams}'`);
    }
    limits.missingParams = missingParams;
  }
  if (values.workers !== undefined) limits.workers = workersValue(values.workers);
  if (values.engine !== undefined) {
    if (values.engine !== "wasmi" && values.engine !== "v8" && values.engine !== "auto") {
      throw new UsageError(`--engine must be wasmi, v8 or auto, got '${values.engine}'`);
    }
    limits.engine = values.engine;
  }
  for (
    const [key, flag] of [["fuel", "fuel"], ["fuelSlice", "fuel-slice"], ["timeout", "timeout"], [
      "maxMemory",
      "max-memory",
    ]] as const
  ) {
    const value = limitValue(key, flag, values[flag]);
    if (value !== undefined) limits[key] = value;
  }
  return {
    help: values.help === true,
    json: values.json === true,
    manifest: values.manifest,
    access,
    limits,
    host: values.host,
    kitGit: values["kit-git"],
    dir: values.dir,
    positionals,
  };
}

/**
 * node:util's parseArgs with messages of our own: its messages quote
 * fragments of shell syntax and span lines.
 */
function parsed(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: LIMIT_OPTIONS });
  } catch (error) {
    const code = (error as { code?: string })?.code;
    if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS")) throw error;
    const message = (error as Error).message;
    const option = message.match(/'(-[^' ]*)/)?.[1] ?? "";
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      throw new UsageError(`unknown option '${option}'`);
    }
    if (/ambiguous/.test(message)) {
      // The value given starts with '-': parseArgs takes it for an option.
      const value = argv[argv.indexOf(option) + 1] ?? "";
      throw new UsageError(
        `${option} needs a value, and '${value}' reads as an option; ` +
          `to give a value that starts with '-', write ${option}=${value}`,
      );
    }
    if (/missing/.test(message)) throw new UsageError(`${option} needs a value`);
    if (/does not take an argument/.test(message)) {
      throw new UsageError(`${option} takes no value`);
    }
    throw new UsageError(message.split("\n")[0]!);
  }
}

/** A limit flag's value, checked against the range the library accepts. */
function limitValue(key: LimitName, flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  // Number() alone would read "" and " " as 0 and accept "0x10" and "Infinity".
  const number = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value) ? Number(value) : NaN;
  const expected = checkLimit(key, number);
  if (expected !== undefined) {
    throw new UsageError(`--${flag} must be ${expected}, got '${value}'`);
  }
  return number;
}

/** `--workers`: `auto` or an integer from 1 to 1024. */
function workersValue(value: string): number | "auto" {
  if (value === "auto") return "auto";
  const number = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(number >= 1 && number <= 1024)) {
    throw new UsageError(`--workers must be an integer from 1 to 1024 or auto, got '${value}'`);
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

/**
 * Runs `body` with an `AbortSignal` that SIGINT aborts.
 *
 * @param body The command's work.
 */
export async function withInterrupt<T>(body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort(new Error("interrupted"));
  Deno.addSignalListener("SIGINT", onSigint);
  try {
    return await body(interrupt.signal);
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
  }
}
