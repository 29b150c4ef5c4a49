/**
 * `cli.ts new LANGUAGE DIR`: write a ready plugin project.
 *
 * @module
 */

import { type Language, LANGUAGES, type TemplateContext, templateFiles } from "./_templates.ts";
import { parseCommand, UsageError } from "./_options.ts";
import { programCommand, programName } from "./_program.ts";
import config from "../../deno.json" with { type: "json" };

/** The package's root: where the kits are (a checkout's files, or the published package's URL). */
const ROOT = new URL("../../", import.meta.url);

/** Help for `new`, with the program's name as it was started. */
export function newHelp(): string {
  const program = programName();
  return `Usage: ${program} new ${LANGUAGES.join("|")} DIR

Writes a ready plugin project into DIR (which must not exist, or be empty):
the sources of a plugin with three methods (ping, add, and greet, which calls
the host method greeting), the language's guest kit, build.sh, a README, and
plugin_test.ts, a Deno test that calls the plugin through the host
('deno task test' after 'sh build.sh'). The Rust project depends on the kit
(crates/pdk): by its path when this command runs from a checkout of the
repository, or by git with --kit-git URL (the repository's URL). Needs write
access to DIR (deno run -R -W).

Toolchains: rust: cargo with the wasm32-wasip1 target (or Debian's rustc-web);
c: clang for wasm32-wasi and wasi-libc; go: Go 1.21 or newer; assemblyscript:
Node 20 or newer with npm.

Options:
  --kit-git URL        rust: depend on the kit by git, from the repository at URL
  -h, --help           show this help

Example:
  ${
    programCommand().replace(/^deno run -R /, "deno run -R -W ")
  } new rust my-plugin && cd my-plugin && sh build.sh && deno task test`;
}

/**
 * Runs `new` and returns its exit code.
 *
 * @param argv The arguments after `new`.
 */
export async function newCommand(argv: string[]): Promise<number> {
  const { help, positionals, kitGit } = parseCommand(argv, ["new"]);
  if (help) {
    console.log(newHelp());
    return 0;
  }
  const [language, dir, ...extra] = positionals;
  if (language === undefined) {
    throw new UsageError(`missing LANGUAGE (${LANGUAGES.join(", ")}) and DIR`);
  }
  if (!(LANGUAGES as readonly string[]).includes(language)) {
    throw new UsageError(`unknown language '${language}'; choose ${LANGUAGES.join(", ")}`);
  }
  if (dir === undefined) throw new UsageError("missing DIR");
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const name = projectName(dir);
  await checkEmpty(dir);
  const where = await context(name);
  if (kitGit !== undefined) {
    if (!/^(https?|ssh|git):\/\/\S+$|^git@\S+$/.test(kitGit)) {
      throw new UsageError(`--kit-git must be a git repository URL, got '${kitGit}'`);
    }
    where.rustKit = `git = ${JSON.stringify(kitGit)}, package = "wasmi_plugin_pdk"`;
  }
  if (language === "rust" && where.rustKit === "") {
    throw new UsageError(
      "the Rust template needs the guest kit (crates/pdk of the wasmi-plugins repository): run " +
        "'new rust' from a checkout of it (a path dependency), or give --kit-git URL of the " +
        "repository (a git dependency)",
    );
  }
  const files = await templateFiles(language as Language, where);
  for (const [path, text] of Object.entries(files)) {
    const file = `${dir}/${path}`;
    await Deno.mkdir(file.slice(0, file.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(file, text, path === "build.sh" ? { mode: 0o755 } : {});
  }
  console.log(
    `Wrote a ${language} plugin project to ${dir}: ${
      Object.keys(files).sort().join(", ")
    }\nNext: cd ${shellQuote(dir)} && sh build.sh && deno task test`,
  );
  return 0;
}

/** The project's name from its directory: lower case letters, digits and '-'. */
function projectName(dir: string): string {
  const base = dir.replace(/[\\/]+$/, "").split(/[\\/]/).at(-1) ?? "";
  const name = base.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^[-0-9]+|-+$/g, "");
  if (name === "") {
    throw new UsageError(
      `DIR '${dir}' gives no project name: its last part needs a letter (such as my-plugin)`,
    );
  }
  return name;
}

/** Refuses a DIR that holds files (nothing is overwritten). */
async function checkEmpty(dir: string): Promise<void> {
  try {
    for await (const _ of Deno.readDir(dir)) {
      throw new UsageError(`DIR '${dir}' is not empty; give a new or empty directory`);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    if (error instanceof Deno.errors.NotADirectory) {
      throw new UsageError(`DIR '${dir}' is a file; give a new or empty directory`);
    }
    throw error;
  }
}

/** Where the kits and the host library come from: this checkout, or the published package. */
async function context(name: string): Promise<TemplateContext> {
  const local = ROOT.protocol === "file:";
  const checkout = local && await exists(new URL("crates/pdk/Cargo.toml", ROOT));
  const kitFile = async (path: string) => {
    const url = new URL(path, ROOT);
    if (url.protocol === "file:") return await Deno.readTextFile(url);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`cannot fetch the kit file ${url}: HTTP ${response.status}`);
    return await response.text();
  };
  const pdk = new URL("crates/pdk", ROOT).pathname;
  return {
    name,
    hostImport: local ? new URL("mod.ts", ROOT).href : `jsr:@wasmi-plugins/host@^${config.version}`,
    // mod.ts of a checkout imports bare specifiers its deno.json maps.
    hostImports: local
      ? Object.fromEntries(
        Object.entries(config.imports).filter(([key]) => key !== "@wasmi-plugins/host"),
      )
      : {},
    rustKit: checkout ? `path = ${JSON.stringify(pdk)}` : "",
    kitFile,
  };
}

async function exists(url: URL): Promise<boolean> {
  try {
    await Deno.stat(url);
    return true;
  } catch {
    return false;
  }
}

/** `text` as one shell word: single-quoted unless it is plainly safe. */
function shellQuote(text: string): string {
  return /^[\w./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
