/**
 * The CLI's own name in help and messages: the script's path when Deno runs
 * a local `cli.ts` (`cli.ts` from the repository's root), the binary's file
 * name when `deno compile` built one, and `wasmi-plugins` when it runs from
 * a URL (as the command `deno install -g -n wasmi-plugins jsr:@wasmi-plugins/host/cli`
 * installs).
 *
 * @module
 */

/** The name of the command `deno install` makes, and of the compiled binary. */
const INSTALLED_NAME = "wasmi-plugins";

/** The local script's path from the working directory, or undefined if it is not a local file. */
function scriptPath(): string | undefined {
  const main = Deno.mainModule;
  if (!main.startsWith("file:") || !main.endsWith("/cli.ts")) return undefined;
  const path = decodeURIComponent(new URL(main).pathname);
  const cwd = `${Deno.cwd().replaceAll("\\", "/").replace(/\/$/, "")}/`;
  const posix = path.replace(/^\/([A-Za-z]:)/, "$1");
  return posix.startsWith(cwd) ? posix.slice(cwd.length) : posix;
}

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
 * usage.`): the local script's path, the compiled binary's file name, or
 * `wasmi-plugins`.
 *
 * @returns the program's name
 *
 * @example
 * ```ts ignore
 * console.error(`Run '${programName()} --help' for usage.`);
 * ```
 */
export function programName(): string {
  return isCompiled() ? executableName() : scriptPath() ?? INSTALLED_NAME;
}

/**
 * The command line that starts the CLI, for examples in help texts:
 * `deno run -R cli.ts`, the compiled binary's file name, or `wasmi-plugins`.
 *
 * @returns the command that runs the CLI
 *
 * @example
 * ```ts ignore
 * console.log(`  ${programCommand()} inspect plugin.wasm`);
 * ```
 */
export function programCommand(): string {
  if (isCompiled()) return executableName();
  const script = scriptPath();
  return script === undefined ? INSTALLED_NAME : `deno run -R ${shellWord(script)}`;
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
