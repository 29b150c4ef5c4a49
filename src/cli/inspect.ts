/**
 * `cli.ts inspect`: what a module needs and whether it runs here.
 *
 * @module
 */

import { inspectModule, type ModuleReport } from "../inspect/inspect_module.ts";
import { escapeControlCharacters } from "../_escape_control.ts";
import { readManifest, readManifestWasm } from "../manifest/plugin_manifest.ts";
import { jsonForTerminal } from "./_json_for_terminal.ts";
import { EXIT_CODES, parseCommand, UsageError } from "./_options.ts";
import { programCommand, programName } from "./_program.ts";

/** Help for `inspect`, with the program's name as it was started. */
export function inspectHelp(): string {
  const program = programName();
  return `Usage: ${program} inspect [--json] MODULE.wasm
       ${program} inspect [--json] --manifest PLUGIN.jsonc

Shows what a module imports and exports, which WASI functions it uses and
how well each is supported here, its memory limits, size and SHA-256, and a
verdict: runs, limited (runs, but some calls answer an errno), or will not run.

Options:
  --manifest FILE      inspect the module a manifest names (and check its sha256)
  --allow-wasm-outside let the manifest's wasm be outside the manifest's directory
  --allow-remote-wasm  let the manifest's wasm be a URL (fetched)
  --json               print the report as JSON
  -h, --help           show this help

Exit codes: 0 it runs (fully or limited), 1 it will not run, 65 invalid
manifest, 66 unreadable file.

Example:
  ${programCommand()} inspect testdata/test_plugin.wasm`;
}

/**
 * Runs `inspect` and returns its exit code.
 *
 * @param argv The arguments after `inspect`.
 */
export async function inspectCommand(argv: string[]): Promise<number> {
  const { help, json, manifest, access, positionals } = parseCommand(argv, ["manifest", "json"]);
  if (help) {
    console.log(inspectHelp());
    return 0;
  }
  let bytes: Uint8Array;
  let label: string;
  if (manifest !== undefined) {
    const resolved = await readManifest(manifest, access);
    bytes = await readManifestWasm(resolved);
    label = resolved.wasm.href;
  } else {
    const [path, ...extra] = positionals;
    if (path === undefined) throw new UsageError("missing MODULE.wasm (or --manifest FILE)");
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
    bytes = await Deno.readFile(path);
    label = path;
  }
  const report = await inspectModule(bytes);
  // Names of imports and exports are the module's text: no control characters.
  console.log(
    json
      ? jsonForTerminal({ module: label, ...report }, 2)
      : format(label, report).split("\n").map(escapeControlCharacters).join("\n"),
  );
  return report.verdict === "will-not-run" ? EXIT_CODES.wontRun : 0;
}

const VERDICTS = {
  runs: "runs here",
  limited: "runs here, limited",
  "will-not-run": "will not run here",
};

function format(label: string, report: ModuleReport): string {
  const lines = [
    `module:  ${label}`,
    `size:    ${report.size} bytes`,
    `sha256:  ${report.sha256}`,
  ];
  if (report.memory !== undefined) {
    const { minimum, maximum } = report.memory;
    const pages = (n: number) => `${n} pages (${(n * 65536 / 1048576).toFixed(1)} MiB)`;
    lines.push(
      `memory:  ${pages(minimum)} initial, ${
        maximum === undefined ? "no maximum" : `${pages(maximum)} maximum`
      }`,
    );
  }
  lines.push(`exports: ${report.exports.map((e) => `${e.name} (${e.kind})`).join(", ") || "none"}`);
  lines.push(report.imports.length === 0 ? "imports: none" : "imports:");
  const width = Math.max(...report.imports.map((i) => `${i.module}::${i.name}`.length), 0);
  for (const i of report.imports) {
    lines.push(`  ${`${i.module}::${i.name}`.padEnd(width)}  ${i.support.padEnd(11)}  ${i.note}`);
  }
  lines.push(`verdict: ${VERDICTS[report.verdict]}`);
  for (const reason of report.reasons) lines.push(`  - ${reason}`);
  return lines.join("\n");
}
