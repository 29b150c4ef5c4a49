/**
 * `cli.ts inspect`: what a module needs and whether it runs here.
 *
 * @module
 */

import { inspectCompiled, inspectModule, type ModuleReport } from "../inspect/inspect_module.ts";
import { escapeControlCharacters } from "../_escape_control.ts";
import { VERDICT_WORDS } from "../_verdict_words.ts";
import { headerProblem } from "../inspect/_wasm_header.ts";
import { discoverMethods, type PluginDescription } from "../inspect/discover_methods.ts";
import type { PluginOptions } from "../plugin/plugin.ts";
import { loadForDiscovery } from "./_discover.ts";
import { methodsTable } from "./_methods_table.ts";
import { readInputFile, readManifestModule } from "./_read_module.ts";
import { jsonForTerminal } from "./_json_for_terminal.ts";
import { EXIT_CODES, parseCommand, UsageError } from "./_options.ts";
import { programCommand, programName } from "./_program.ts";
import { resolveEngine } from "../executor/engine_choice.ts";

/** Help for `inspect`, with the program's name as it was started. */
export function inspectHelp(): string {
  const program = programName();
  return `Usage: ${program} inspect [--json] [--engine E] MODULE.wasm
       ${program} inspect [--json] [--engine E] --manifest PLUGIN.jsonc

Shows what a module imports and exports, which WASI functions it uses and
how well each is supported here, its memory limits, size and SHA-256, the
WebAssembly features it uses and which engines run them, and a verdict on
the engine given (default wasmi): runs, limited (runs, but some calls answer
an errno), or will not run. A module that only the other engine runs is
told so, with the --engine to run it with.

A module that runs is then asked for its methods (rpc.discover on a fresh
instance, at most 5 s, its logs discarded). A plugin that answers with an
OpenRPC document gets its name, version and methods listed: each with its
params (name: type, optional ones marked ?), result type and summary. Other
modules get the report alone.

Options:
  --manifest FILE      inspect the module a manifest names (and check its sha256)
  --allow-wasm-outside let the manifest's wasm be outside the manifest's directory
  --allow-remote-wasm  let the manifest's wasm be a URL (fetched)
  --engine wasmi|v8|auto
                       the engine to give the verdict for (and to ask for
                       methods on): wasmi (default), v8, auto
  --json               print the report as JSON (with the plugin's OpenRPC
                       document under "openrpc" when it answers one)
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
  const { help, json, manifest, access, positionals, limits } = parseCommand(argv, [
    "manifest",
    "json",
  ]);
  if (help) {
    console.log(inspectHelp());
    return 0;
  }
  let bytes: Uint8Array;
  let label: string;
  let options: PluginOptions;
  if (manifest !== undefined) {
    const read = await readManifestModule(manifest, access);
    bytes = read.bytes;
    label = read.resolved.wasm.href;
    options = read.resolved.options;
  } else {
    const [path, ...extra] = positionals;
    if (path === undefined) throw new UsageError("missing MODULE.wasm (or --manifest FILE)");
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
    bytes = await readInputFile(path);
    label = path;
    options = {};
  }
  // One compilation serves the report and the question for methods: only a
  // module that cannot load as a plugin is compiled again, to say why.
  const engine = resolveEngine(limits.engine ?? options.engine);
  using plugin = await loadForDiscovery(bytes, { ...options, engine });
  const report = plugin === undefined
    ? await inspectModule(bytes, { engine })
    : await inspectCompiled(plugin.module, bytes);
  // A module that can run and reads stdin (a plugin must) is asked for its
  // methods; one that does not answer with a document (most programs) gets
  // the report alone.
  const readsStdin = report.imports.some((i) =>
    i.module === "wasi_snapshot_preview1" && i.name === "fd_read"
  );
  const description = plugin === undefined || !readsStdin
    ? undefined
    : await discoverMethods(plugin);
  const openrpc = description === undefined ? {} : { openrpc: description.document };
  // Names of imports and exports are the module's text: no control characters.
  console.log(
    json
      ? jsonForTerminal({ module: label, ...report, ...openrpc }, 2)
      : format(label, report, description, headerProblem(bytes) === undefined),
  );
  return report.verdict === "will-not-run" ? EXIT_CODES.wontRun : 0;
}

function format(
  label: string,
  report: ModuleReport,
  description: PluginDescription | undefined,
  isModule: boolean,
): string {
  const lines = [`module:  ${escapeControlCharacters(label)}`];
  if (description !== undefined) {
    const { title, version } = description;
    const named = [title, version === undefined ? undefined : `version ${version}`]
      .filter((part) => part !== undefined && part !== "");
    if (named.length > 0) lines.push(`plugin:  ${escapeControlCharacters(named.join(", "))}`);
  }
  lines.push(`size:    ${report.size} bytes`, `sha256:  ${report.sha256}`);
  if (report.memory !== undefined) {
    const { minimum, maximum } = report.memory;
    const pages = (n: number) => `${n} pages (${(n * 65536 / 1048576).toFixed(1)} MiB)`;
    lines.push(
      `memory:  ${pages(minimum)} initial, ${
        maximum === undefined ? "no maximum" : `${pages(maximum)} maximum`
      }`,
    );
  }
  const text = (value: string) => escapeControlCharacters(value);
  // A file that is not a module has no exports or imports to list: the
  // verdict's reason says what it is.
  if (!isModule) lines.push("format:  not a WebAssembly module");
  // A module may import the same function twice (Go's do): listed once.
  const imports = report.imports.filter((i, n, all) =>
    all.findIndex((j) => j.module === i.module && j.name === i.name) === n
  );
  if (isModule) {
    lines.push(
      `exports: ${report.exports.map((e) => `${text(e.name)} (${e.kind})`).join(", ") || "none"}`,
    );
    lines.push(imports.length === 0 ? "imports: none" : "imports:");
  }
  const names = imports.map((i) => text(`${i.module}::${i.name}`));
  const width = Math.max(...names.map((name) => name.length), 0);
  for (const [n, i] of imports.entries()) {
    lines.push(`  ${names[n]!.padEnd(width)}  ${i.support.padEnd(11)}  ${i.note}`);
  }
  const { runsOn } = report.features;
  const features = report.features.names;
  if (features.length > 0) lines.push(`features: ${text(features.join(", "))}`);
  lines.push(
    `engines: ${
      runsOn.length === 2 ? "wasmi and v8" : runsOn.length === 1 ? `${runsOn[0]} only` : "neither"
    } (its WebAssembly features; this verdict: ${report.engineName})`,
  );
  lines.push(`verdict: ${VERDICT_WORDS[report.verdict]}`);
  const other = runsOn.find((engine) => engine !== report.engineName);
  for (const reason of report.reasons) {
    // A module refused for its features is told the engine that runs it.
    const hint = other !== undefined && reason.endsWith(`the ${other} engine runs it`)
      ? ` (--engine ${other})`
      : "";
    lines.push(`  - ${text(reason)}${hint}`);
  }
  if (description !== undefined) {
    lines.push(description.methods.length === 0 ? "methods: none" : "methods:");
    lines.push(...methodsTable(description.methods));
  }
  return lines.join("\n");
}
