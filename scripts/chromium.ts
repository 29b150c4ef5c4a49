/**
 * The Chromium the browser tests drive: `$CHROMIUM` if set, else the first
 * of `chromium`, `chromium-browser`, `google-chrome` on `PATH`.
 *
 * Run as a script (`deno task test` does, before any test), it makes sure
 * there is one: when none is found it installs Debian's `chromium` with
 * apt-get if running as root, saying so; otherwise it fails at once with one
 * line naming the command to run. The browser tests are never skipped.
 *
 * @module
 */

const NAMES = ["chromium", "chromium-browser", "google-chrome"];

/** The path of the Chromium to use, or `undefined` if there is none. */
export function findChromium(): string | undefined {
  const explicit = Deno.env.get("CHROMIUM");
  if (explicit !== undefined) return isExecutable(explicit) ? explicit : undefined;
  const dirs = (Deno.env.get("PATH") ?? "").split(":").filter((dir) => dir !== "");
  for (const name of NAMES) {
    for (const dir of dirs) {
      if (isExecutable(`${dir}/${name}`)) return `${dir}/${name}`;
    }
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0;
  } catch {
    return false;
  }
}

async function run(command: string, args: string[]): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(command, {
      args,
      env: { DEBIAN_FRONTEND: "noninteractive" },
      stdout: "null",
      stderr: "inherit",
    }).output();
    return success;
  } catch {
    return false; // not found, or not allowed to run
  }
}

async function ensureChromium(): Promise<number> {
  const explicit = Deno.env.get("CHROMIUM");
  if (explicit !== undefined && findChromium() === undefined) {
    console.error(
      `error: CHROMIUM=${explicit} is not an executable file; point it at a Chromium or unset it`,
    );
    return 1;
  }
  if (findChromium() !== undefined) return 0;
  const root = Deno.uid?.() === 0;
  const apt = root && await run("apt-get", ["--version"]);
  if (apt) {
    console.error(
      "The browser tests need Chromium: installing Debian's chromium (apt-get install chromium)",
    );
    if (
      await run("apt-get", ["update", "-qq"]) &&
      await run("apt-get", ["install", "-y", "-qq", "chromium"]) &&
      findChromium() !== undefined
    ) {
      return 0;
    }
  }
  console.error(
    "error: the browser tests need Chromium and none was found; install it with " +
      "'sudo apt-get install -y chromium' (or set CHROMIUM=/path/to/chromium), then run 'deno task test' again",
  );
  return 1;
}

if (import.meta.main) {
  Deno.exit(await ensureChromium());
}
