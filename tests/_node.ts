/** Running a script under Node for the Node tests. */

/**
 * Runs `node script` and collects its output; fails with one clear line when
 * `node` is missing or older than 20, the oldest Node the package supports
 * (Node 18 lacks the global `crypto`).
 */
export async function runNode(
  script: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const decoder = new TextDecoder();
  const version = await new Deno.Command("node", { args: ["--version"] }).output().then(
    ({ stdout }) => decoder.decode(stdout).split("\n")[0]!.trim(),
    () => "none",
  );
  const major = Number(version.match(/^v(\d+)\./)?.[1] ?? 0);
  if (major < 20) {
    throw new Error(
      `the Node tests need Node 20 or newer as 'node' on PATH (found ${version}); install it and run them again`,
    );
  }
  const { code, stdout, stderr } = await new Deno.Command("node", { args: [script] }).output();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}
