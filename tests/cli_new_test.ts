// `cli.ts new`: the files each template writes and the command's errors.
// scripts/check_templates.sh builds each project and calls it (it needs the
// toolchains).
import assert from "node:assert/strict";
import { cliCommand } from "./_cli.ts";

const root = new URL("..", import.meta.url).pathname;

/** Runs `cli.ts new` with write access. */
async function cliNew(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const decoder = new TextDecoder();
  // -W: `new` writes the project (the suites' CLI runs with -R only).
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-R", "-W", `${root}cli.ts`, "new", ...args],
    cwd: root,
  }).output();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(`${dir}/${prefix}`)) {
    if (entry.isDirectory) names.push(...await listFiles(dir, `${prefix}${entry.name}/`));
    else names.push(`${prefix}${entry.name}`);
  }
  return names.sort();
}

Deno.test("cli new writes a ready project for each language", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const expected: Record<string, string[]> = {
      rust: ["Cargo.toml", "src/main.rs"],
      c: ["main.c", "plugin.h"],
      go: ["go.mod", "main.go", "plugin/plugin.go"],
      assemblyscript: [
        "asconfig.json",
        "assembly/index.ts",
        "assembly/json.ts",
        "assembly/plugin.ts",
        "package-lock.json",
        "package.json",
      ],
    };
    for (const [language, own] of Object.entries(expected)) {
      const project = `${dir}/my-${language}-plugin`;
      const result = await cliNew([language, project]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`^Wrote a ${language} plugin project to `));
      const common = [".gitignore", "README.md", "build.sh", "deno.json", "plugin_test.ts"];
      assert.deepEqual(await listFiles(project), [...common, ...own].sort());
      assert.equal((await Deno.stat(`${project}/build.sh`)).mode! & 0o111, 0o111);
      const config = JSON.parse(await Deno.readTextFile(`${project}/deno.json`));
      // From a checkout, the test imports this checkout's host library.
      assert.equal(
        config.imports["@wasmi-plugins/host"],
        new URL("../mod.ts", import.meta.url).href,
      );
      const test = await Deno.readTextFile(`${project}/plugin_test.ts`);
      assert.match(
        test,
        /assert\.equal\(await plugin\.call\("greet", \["Ada"\]\), "Hello, Ada!"\)/,
      );
    }
    // The kits are the repository's own.
    assert.equal(
      await Deno.readTextFile(`${dir}/my-c-plugin/plugin.h`),
      await Deno.readTextFile(`${root}examples/c/plugin.h`),
    );
    const cargo = await Deno.readTextFile(`${dir}/my-rust-plugin/Cargo.toml`);
    assert.match(cargo, /^name = "my-rust-plugin"$/m);
    assert.ok(
      cargo.includes(`wasmi_plugin_pdk = { path = "${root}crates/pdk", features = ["schemars"] }`),
      cargo,
    );
    assert.match(
      await Deno.readTextFile(`${dir}/my-go-plugin/main.go`),
      /"example\.com\/my-go-plugin\/plugin"/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli new refuses a directory with files, an unknown language and a missing DIR", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/keep.txt`, "mine");
    const cases: [string[], string][] = [
      [["c", dir], `DIR '${dir}' is not empty; give a new or empty directory`],
      [["cobol", `${dir}/x`], "unknown language 'cobol'; choose rust, c, go, assemblyscript"],
      [["go"], "missing DIR"],
      [[], "missing LANGUAGE (rust, c, go, assemblyscript) and DIR"],
    ];
    for (const [args, message] of cases) {
      const result = await cliNew(args);
      assert.equal(result.code, 2, args.join(" "));
      assert.equal(
        result.stderr,
        `error: ${message}\nRun 'cli.ts new --help' for usage.\n`,
      );
    }
    const badUrl = await cliNew(["rust", `${dir}/r`, "--kit-git", "nope"]);
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.stderr, /^error: --kit-git must be a git repository URL, got 'nope'\n/);
    assert.equal(await Deno.readTextFile(`${dir}/keep.txt`), "mine");
    assert.deepEqual(await listFiles(dir), ["keep.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli new --help names the languages and the next steps", async () => {
  const { code, stdout } = await cliCommand(["new", "--help"], { stdout: "piped" }).output();
  assert.equal(code, 0);
  const help = new TextDecoder().decode(stdout);
  assert.match(help, /^Usage: \S+ new rust\|c\|go\|assemblyscript DIR\n/);
  assert.match(help, /sh build\.sh && deno task test/);
});

Deno.test("cli new quotes the directory in the command it suggests", async () => {
  const parent = await Deno.makeTempDir();
  try {
    const dir = `${parent}/a $(id) 'b'`;
    const { code, stdout } = await cliNew(["c", dir]);
    assert.equal(code, 0);
    const quoted = `'${dir.replaceAll("'", "'\\''")}'`;
    assert.ok(stdout.endsWith(`\nNext: cd ${quoted} && sh build.sh && deno task test\n`), stdout);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});
