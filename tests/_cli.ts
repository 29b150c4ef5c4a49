import { engineMode } from "./_engine_mode.ts";

/**
 * What the CLI suites run: `deno run -R cli.ts` (run as their own files), or
 * the binary `deno compile` built (`cli_binary_test.ts` sets `binary` before
 * it imports the suites).
 */
export const cliMode: { binary?: string } = {};

/** How the CLI names itself in messages: `cli.ts`, or the binary's file name. */
export function program(): string {
  return cliMode.binary?.slice(cliMode.binary.lastIndexOf("/") + 1) ?? "cli.ts";
}

/** `--engine` for the commands that run guests, when a suite runs on another engine than the default. */
function engineFlags(command: string | undefined): string[] {
  const runs = command === "call" || command === "run" || command === "serve";
  return runs && engineMode.engine !== "wasmi" ? ["--engine", engineMode.engine] : [];
}

/**
 * The command that runs the CLI with `args` (`--engine` added per the
 * suite's mode), from the repository root.
 */
export function cliCommand(
  args: string[],
  options: Omit<Deno.CommandOptions, "args" | "cwd"> = {},
): Deno.Command {
  const cliArgs = [...args.slice(0, 1), ...engineFlags(args[0]), ...args.slice(1)];
  const cwd = new URL("..", import.meta.url).pathname;
  return cliMode.binary === undefined
    ? new Deno.Command(Deno.execPath(), {
      ...options,
      args: ["run", "-R", "cli.ts", ...cliArgs],
      cwd,
    })
    : new Deno.Command(cliMode.binary, { ...options, args: cliArgs, cwd });
}

/** Runs the CLI as a subprocess and collects its output. */
export async function cli(
  args: string[],
  options: { stdin?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = cliCommand(args, {
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}
