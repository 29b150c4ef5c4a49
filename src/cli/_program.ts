/**
 * The CLI's own name in help and messages: `cli.ts` when Deno runs the
 * script, or the binary's file name when `deno compile` built one (such as
 * `wasmi-plugins`).
 *
 * @module
 */

/** The file name of the running executable, without its directory. */
function executableName(): string {
  const path = Deno.execPath();
  return path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
}

/** Whether this process is a binary built by `deno compile` rather than Deno running `cli.ts`. */
function isCompiled(): boolean {
  const name = executableName();
  return name !== "deno" && name !== "deno.exe";
}

/**
 * How the CLI names itself in messages (`Run 'cli.ts call --help' for
 * usage.`): `cli.ts`, or the compiled binary's file name.
 *
 * @returns the program's name
 *
 * @example
 * ```ts ignore
 * console.error(`Run '${programName()} --help' for usage.`);
 * ```
 */
export function programName(): string {
  return isCompiled() ? executableName() : "cli.ts";
}

/**
 * The command line that starts the CLI, for examples in help texts:
 * `deno run -R cli.ts`, or the compiled binary's file name.
 *
 * @returns the command that runs the CLI
 *
 * @example
 * ```ts ignore
 * console.log(`  ${programCommand()} inspect plugin.wasm`);
 * ```
 */
export function programCommand(): string {
  return isCompiled() ? executableName() : "deno run -R cli.ts";
}

/**
 * A word for a POSIX shell: as it is if it holds only safe characters,
 * else in single quotes.
 *
 * @param word An argument.
 * @returns the argument as a shell would need it
 */
export function shellWord(word: string): string {
  return /^[\w./:=@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * A command line of this program, for messages that suggest one:
 * `cli.ts inspect plugin.wasm`.
 *
 * @param args The arguments after the program's name.
 * @returns the command line
 *
 * @example
 * ```ts ignore
 * commandLine(["inspect", "my plugin.wasm"]); // "cli.ts inspect 'my plugin.wasm'"
 * ```
 */
export function commandLine(args: string[]): string {
  return [programName(), ...args.map(shellWord)].join(" ");
}
