/**
 * `cli.ts run`: run a wasm32-wasip1 program with this process's stdio.
 *
 * @module
 */

import { LIMIT_HELP, parseCommand, UsageError, withInterrupt } from "./_options.ts";
import { commandLine, programCommand, programName } from "./_program.ts";
import { compileFile } from "./_read_module.ts";

/** Help for `run`, with the program's name as it was started. */
export function runHelp(): string {
  const program = programName();
  return `Usage: ${program} run [options] MODULE.wasm [-- ARGS...]

Runs a wasm32-wasip1 program with this process's stdin, stdout and stderr
and exits with the program's exit code.

Options:
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
  const { help, limits, positionals } = parseCommand(argv);
  if (help) {
    console.log(runHelp());
    return 0;
  }
  const [path, ...rest] = positionals;
  if (path === undefined) throw new UsageError("missing MODULE.wasm");
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

/** Ignores the error of writing to a pipe whose reader is gone; rethrows others. */
function unlessBrokenPipe(error: unknown): void {
  if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
}
