import { engineMode } from "./_engine_mode.ts";

/** `--engine` for the commands that run guests, when a suite runs on another engine than the default. */
export function engineFlags(command: string | undefined): string[] {
  const runs = command === "call" || command === "run" || command === "serve";
  return runs && engineMode.engine !== "wasmi" ? ["--engine", engineMode.engine] : [];
}

/** Runs `cli.ts` as a subprocess and collects its output. */
export async function cli(
  args: string[],
  options: { stdin?: string; permissions?: string[] } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const command = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...(options.permissions ?? ["-R"]),
      new URL("../cli.ts", import.meta.url).pathname,
      ...args.slice(0, 1),
      ...engineFlags(args[0]),
      ...args.slice(1),
    ],
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    cwd: new URL("..", import.meta.url).pathname,
  });
  const child = command.spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}
