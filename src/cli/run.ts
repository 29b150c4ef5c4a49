/**
 * `cli.ts run`: run a wasm32-wasip1 program with this process's stdio.
 *
 * @module
 */

import { LIMIT_HELP, parseCommand, UsageError, withInterrupt } from "./_options.ts";
import { commandLine, programCommand, programName } from "./_program.ts";
import { compileFile } from "./_read_module.ts";
import { DEFAULT_MAX_MEMORY } from "../executor/guest_process.ts";
import type { Files } from "../wasi/files.ts";
import { filesFromDirectory } from "../wasi/files_from_directory.ts";

/** Help for `run`, with the program's name as it was started. */
export function runHelp(): string {
  const program = programName();
  return `Usage: ${program} run [options] MODULE.wasm [-- ARGS...]

Runs a wasm32-wasip1 program with this process's stdin, stdout and stderr
and exits with the program's exit code.

Options:
  --dir HOST_DIR[:GUEST_DIR][:rw]
                       give the program a copy of HOST_DIR, read into memory
                       when it starts, as its directory GUEST_DIR (default /);
                       read-only, or writable with :rw, but its writes stay in
                       memory and never touch HOST_DIR; the bytes count toward
                       --max-memory; symlinks in HOST_DIR are refused
${LIMIT_HELP}

Exit codes: the program's own, or 124 timeout, 125 out of fuel, 130
interrupted, 134 trap, 137 memory limit, 65 invalid module, 66 unreadable
module, 70 engine failure, 2 usage error.

Example:
  ${programCommand()} run --env NAME=world testdata/rust_stdio.wasm -- env   # prints NAME=world`;
}

/**
 * Runs `run` and returns its exit code.
 *
 * @param argv The arguments after `run`.
 */
export async function runCommand(argv: string[]): Promise<number> {
  const { help, limits, positionals, dir } = parseCommand(argv, ["dir"]);
  if (help) {
    console.log(runHelp());
    return 0;
  }
  const [path, ...rest] = positionals;
  if (path === undefined) throw new UsageError("missing MODULE.wasm");
  const files = dir === undefined ? undefined : await readDir(dir, limits.maxMemory);
  using module = await compileFile(path, limits.engine, commandLine(["inspect", path]));
  return await withInterrupt(async (signal) => {
    const { timeout, engine: _engine, ...others } = limits;
    const process = module.spawn({
      ...others,
      // --timeout 0 means none, as for the other commands.
      ...(timeout ? { timeout } : {}),
      args: [...(limits.args ?? []), ...rest],
      programName: path.split("/").at(-1)!,
      signal,
      ...(files === undefined ? {} : { files }),
      // The program sees its streams as they are: isatty() only on a terminal.
      terminal: {
        stdin: Deno.stdin.isTerminal(),
        stdout: Deno.stdout.isTerminal(),
        stderr: Deno.stderr.isTerminal(),
      },
    });
    Deno.stdin.readable.pipeTo(process.stdin).catch(() => {});
    // A reader that went away (`| head`) cancels the guest's stream: its
    // later writes fail with EPIPE, and the program decides what to do.
    const piped = Promise.all([
      process.stdout.pipeTo(Deno.stdout.writable, { preventClose: true }).catch(unlessBrokenPipe),
      process.stderr.pipeTo(Deno.stderr.writable, { preventClose: true }).catch(unlessBrokenPipe),
    ]);
    const status = await process.status.finally(() => piped.catch(() => {}));
    await piped;
    return status.code;
  });
}

/** `--dir HOST_DIR[:GUEST_DIR][:rw]`, read into memory. */
async function readDir(value: string, maxMemory: number | undefined): Promise<Files> {
  const parts = value.split(":");
  const writable = parts.at(-1) === "rw";
  if (writable) parts.pop();
  if (parts.length > 2 || parts[0] === "" || (parts.length === 2 && !parts[1]!.startsWith("/"))) {
    throw new UsageError(
      `--dir needs HOST_DIR[:GUEST_DIR][:rw] with GUEST_DIR absolute, got '${value}'`,
    );
  }
  try {
    return await filesFromDirectory(parts[0]!, {
      guestPath: parts[1] ?? "/",
      writable,
      maxBytes: maxMemory ?? DEFAULT_MAX_MEMORY,
    });
  } catch (error) {
    // A symlink, a special file, or too many bytes: the directory cannot be given.
    if (error instanceof TypeError) throw new UsageError(`--dir: ${error.message}`);
    throw error;
  }
}

/** Ignores the error of writing to a pipe whose reader is gone; rethrows others. */
function unlessBrokenPipe(error: unknown): void {
  if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
}
