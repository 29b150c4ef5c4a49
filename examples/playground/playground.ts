/// <reference lib="dom" />
/**
 * The playground page: load a plugin, see what `inspect` says and which
 * methods the plugin describes (`rpc.discover`; a click fills the call form
 * with the method and params to edit), call methods and watch the result,
 * the plugin's log, fuel and elapsed time live. The plugin may call the test
 * host methods of examples/hosts/echo.ts (echo, ping, greeting, hour) while
 * their box is ticked. Text from the plugin (names, logs, results) is shown
 * with control, bidirectional and zero-width characters escaped. Bundled
 * with the package by `deno task playground`.
 *
 * @module
 */

import {
  type HostContext,
  inspectModule,
  JsonRpcError,
  Plugin,
  PluginError,
  type PluginSession,
  Router,
} from "../../mod.ts";
import type { JsonRpcRequest } from "../../src/rpc/messages.ts";
import { escapeControlCharacters as escaped } from "../../src/_escape_control.ts";
import { VERDICT_WORDS } from "../../src/_verdict_words.ts";
import {
  MissingHostMethod,
  missingHostMethodMessage,
} from "../../src/plugin/_missing_host_method.ts";
import testHost from "../hosts/echo.ts";
import { discoverMethods, type PluginDescription } from "../../src/inspect/discover_methods.ts";
import { paramsTemplate } from "../../src/inspect/_params_template.ts";
import { signature } from "../../src/inspect/_signature.ts";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
let plugin: Plugin | undefined;
let running: { session: PluginSession; controller: AbortController } | undefined;
/** Counts loads, so that a slow load that another one overtook is dropped. */
let loads = 0;
/** True while the plugin is asked for its methods: its logs are not the user's. */
let discovering = false;

/** The test host methods, provided while their box is ticked. */
class TestHost extends Router<HostContext> {
  override has(name: string): boolean {
    return $<HTMLInputElement>("test-host").checked && testHost.has(name);
  }

  override names(): string[] {
    return $<HTMLInputElement>("test-host").checked ? testHost.names() : [];
  }

  override dispatch(request: JsonRpcRequest, context: HostContext): Promise<unknown> {
    return testHost.dispatch(request, context);
  }
}

const HOST_HINT = 'tick "test host methods" above to provide echo, ping, greeting and hour';
const host = new MissingHostMethod(new TestHost(), HOST_HINT);

/** Text of several lines, each shown escaped. */
const escapedLines = (text: string) => text.split("\n").map(escaped).join("\n");

/** Lists the methods a plugin described, each a button that fills the call form. */
function showMethods(description: PluginDescription | undefined): void {
  const list = $<HTMLUListElement>("method-list");
  const methods = description?.methods ?? [];
  list.hidden = methods.length === 0;
  $("methods-note").textContent = description === undefined
    ? "This plugin does not list its methods (it does not answer rpc.discover)."
    : methods.length === 0
    ? "This plugin lists no methods."
    : escaped(
      `Methods of ${description.title ?? "the plugin"}${
        description.version === undefined ? "" : ` ${description.version}`
      } (click one to fill in the form):`,
    );
  list.replaceChildren(...methods.map((method) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "method";
    button.dataset.method = method.name;
    const name = document.createElement("code");
    name.textContent = escaped(`${method.name}${signature(method)}`);
    button.append(name);
    if (method.summary !== undefined) {
      const summary = document.createElement("span");
      summary.textContent = escaped(method.summary);
      button.append(summary);
    }
    button.addEventListener("click", () => {
      $<HTMLInputElement>("method").value = method.name;
      const params = $<HTMLInputElement>("params");
      params.value = paramsTemplate(method, description!.schemas);
      params.focus();
    });
    const item = document.createElement("li");
    item.append(button);
    return item;
  }));
}

async function load(bytes: Uint8Array, name: string): Promise<void> {
  const generation = ++loads;
  plugin?.[Symbol.dispose]();
  plugin = undefined;
  $<HTMLButtonElement>("call-button").disabled = true;
  $("plugin-name").textContent = escaped(`${name} (${bytes.length} bytes)`);
  $("methods-note").textContent = "";
  // Nothing of the plugin before stays listed, whatever this load gives.
  $<HTMLUListElement>("method-list").hidden = true;
  $<HTMLUListElement>("method-list").replaceChildren();
  $("imports").querySelector("tbody")!.replaceChildren();
  $("result").textContent = "";
  $("log").textContent = "";
  show("idle", "idle");
  const report = await inspectModule(bytes);
  if (generation !== loads) return;
  $("verdict").textContent = [`Verdict: ${VERDICT_WORDS[report.verdict]}.`, ...report.reasons]
    .join(" ");
  // A module may import the same function twice (Go's do): listed once.
  const imports = report.imports.filter((i, n, all) =>
    all.findIndex((j) => j.module === i.module && j.name === i.name) === n
  );
  $("imports").querySelector("tbody")!.replaceChildren(...imports.map((i) => {
    const row = document.createElement("tr");
    for (
      const [text, cls] of [[`${i.module}::${i.name}`, ""], [i.support, i.support], [i.note, ""]]
    ) {
      const cell = document.createElement("td");
      cell.textContent = escaped(text!);
      if (cls) cell.className = cls;
      row.append(cell);
    }
    return row;
  }));
  if (report.verdict === "will-not-run") {
    $("methods-note").textContent = "This module will not run here.";
    return;
  }
  const loaded = await Plugin.load(bytes, {
    name: name.replace(/\.wasm$/, ""),
    host,
    logger: (line) => {
      if (discovering) return;
      const log = $("log");
      log.textContent += `${escaped(line)}\n`;
      log.scrollTop = log.scrollHeight;
    },
  });
  if (generation !== loads) {
    loaded[Symbol.dispose]();
    return;
  }
  plugin = loaded;
  // Before the first call, so that its logs are told apart from the calls'.
  $("methods-note").textContent = "Asking the plugin for its methods (rpc.discover)…";
  discovering = true;
  const description = await discoverMethods(loaded, { timeout: 5_000 }).finally(() => {
    discovering = false;
  });
  if (generation !== loads) return;
  showMethods(description);
  $<HTMLButtonElement>("call-button").disabled = false;
}

async function call(): Promise<void> {
  if (plugin === undefined || running !== undefined) return;
  const method = $<HTMLInputElement>("method").value.trim();
  let params: unknown[] | Record<string, unknown> | undefined;
  try {
    params = JSON.parse($<HTMLInputElement>("params").value || "null") ?? undefined;
  } catch (error) {
    show("failed", `params are not valid JSON: ${(error as Error).message}`);
    $("result").textContent = "";
    return;
  }
  const controller = new AbortController();
  // A session of one call, so that its fuel can be watched live.
  const session = plugin.session({
    signal: controller.signal,
    timeout: Number($<HTMLInputElement>("timeout").value) || 10_000,
  });
  running = { session, controller };
  host.missed = undefined;
  $("log").textContent = "";
  $("result").textContent = "";
  setButtons(true);
  const started = performance.now();
  const update = () => {
    $("elapsed").textContent = `${(performance.now() - started).toFixed(0)} ms`;
    $("fuel").textContent = session.fuelConsumed.toLocaleString("en");
  };
  const ticker = setInterval(update, 50);
  show("running", "running");
  try {
    const result = await session.call(method, params, { signal: controller.signal });
    show("ok", "answered");
    $("result").textContent = escapedLines(JSON.stringify(result, null, 2) ?? "null");
  } catch (error) {
    if (error instanceof JsonRpcError) {
      show("failed", `error ${error.code}`);
      $("result").textContent = error.code !== -32601 || host.missed === undefined
        ? escapedLines(JSON.stringify(error.toJSON(), null, 2))
        : escaped(missingHostMethodMessage(host.missed, HOST_HINT));
    } else if (error instanceof PluginError) {
      show("failed", error.kind === "aborted" ? "cancelled" : error.kind);
      $("result").textContent = escaped(error.message);
    } else {
      show("failed", "failed");
      $("result").textContent = escaped(String(error));
    }
  } finally {
    await session.close().catch(() => {});
    clearInterval(ticker);
    update();
    running = undefined;
    setButtons(false);
  }
}

function show(kind: "ok" | "failed" | "running" | "idle", text: string): void {
  const status = $("status");
  status.textContent = text;
  status.className = kind;
}

function setButtons(busy: boolean): void {
  $<HTMLButtonElement>("call-button").disabled = busy;
  $<HTMLButtonElement>("cancel").disabled = !busy;
}

async function loadFile(file: File): Promise<void> {
  await load(new Uint8Array(await file.arrayBuffer()), file.name);
}

$("call-form").addEventListener("submit", (event) => {
  event.preventDefault();
  void call();
});
$("cancel").addEventListener("click", () => running?.controller.abort(new Error("cancelled")));
$<HTMLInputElement>("file").addEventListener("change", (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (file) void loadFile(file);
});
$("example").addEventListener("click", async () => {
  const response = await fetch("test_plugin.wasm");
  await load(new Uint8Array(await response.arrayBuffer()), "test_plugin.wasm");
});
const drop = $("drop");
drop.addEventListener("dragover", (event) => {
  event.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  const file = event.dataTransfer?.files[0];
  if (file) void loadFile(file);
});
