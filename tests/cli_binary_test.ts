// The CLI suites run against the standalone binary that `deno task compile`
// builds (dist/wasmi-plugins, ignored by git).
//
// `deno compile` downloads Deno's runtime (denort) from dl.deno.land the
// first time, or takes it from $DENORT_BIN. Where neither is possible the
// suites are reported as ignored, with the reason in the test's name.
import assert from "node:assert/strict";
import { cli, cliMode } from "./_cli.ts";

const root = new URL("..", import.meta.url);
const binary = new URL("dist/wasmi-plugins", root).pathname;

/** Runs `deno task compile` (it writes dist/wasmi-plugins); undefined when it worked. */
async function compile(): Promise<string | undefined> {
  const { success, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "compile"],
    cwd: root.pathname,
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  return success ? undefined : new TextDecoder().decode(stderr);
}

const failure = await compile();
const unreachable = failure?.match(
  /error sending request for url \((https:\/\/[^)]*denort[^)]*)\)/,
);

if (unreachable) {
  Deno.test({
    name: `the compiled binary passes the CLI suites (not run: deno compile could not download ${
      unreachable[1]
    }; set DENORT_BIN to a denort binary of this Deno version)`,
    ignore: true,
    fn() {},
  });
} else {
  Deno.test("deno task compile builds the wasmi-plugins binary", () => {
    assert.equal(failure, undefined, failure);
  });
  if (failure === undefined) {
    cliMode.binary = binary;
    Deno.test("the binary calls every example plugin", async () => {
      for (const language of ["rust", "c", "go", "assemblyscript"]) {
        const { code, stdout, stderr } = await cli([
          "call",
          `examples/${language}/plugin.wasm`,
          "add",
          "[2, 3]",
        ]);
        assert.equal(code, 0, stderr);
        assert.equal(stdout, "5\n", language);
      }
    });
    await import("./cli_bad_input_test.ts");
    await import("./cli_call_test.ts");
    await import("./cli_help_test.ts");
    await import("./cli_inspect_test.ts");
    await import("./cli_run_test.ts");
    await import("./cli_serve_test.ts");
    await import("./cli_workers_test.ts");
  }
}
