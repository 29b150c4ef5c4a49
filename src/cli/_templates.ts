/**
 * The plugin projects `cli.ts new` writes, one per language: the sources
 * (three methods: `ping`, `add`, and `greet`, which calls the host's
 * `greeting`), the guest kit, a build script, a README, and a Deno test that
 * calls the plugin through the host.
 *
 * @module
 */

/** The languages `new` knows. */
export const LANGUAGES = ["rust", "c", "go", "assemblyscript"] as const;

/** One of {@linkcode LANGUAGES}. */
export type Language = typeof LANGUAGES[number];

/** What a template needs to know about the project and where the kit is. */
export interface TemplateContext {
  /** The project's name (the directory's), as a crate, module and package name. */
  name: string;
  /** How the generated test imports the host library: a `jsr:` specifier or a file URL of mod.ts. */
  hostImport: string;
  /** More import map entries the host library needs when imported from a checkout. */
  hostImports: Record<string, string>;
  /** The Rust kit's dependency: `path = "..."` (a checkout), or "" where there is none. */
  rustKit: string;
  /** Reads a file of the kit (a path relative to the package's root). */
  kitFile: (path: string) => Promise<string>;
}

/** The project's files, by path relative to its directory (`build.sh` is made executable). */
export type Files = Record<string, string>;

const BUILD_SH_HEAD = `#!/bin/sh
# Builds plugin.wasm (wasm32-wasip1) from the sources here.
set -eu
cd "$(dirname "$0")"
`;

function testFile(context: TemplateContext): string {
  return `// Calls the plugin through the host, as an application would:
//   sh build.sh && deno task test
import assert from "node:assert/strict";
import { type HostContext, Plugin, Router } from "@wasmi-plugins/host";

// The host methods the plugin may call.
const host = new Router<HostContext>()
  .method("greeting", ([name]: [string]) => \`Hello, \${name}\`);

Deno.test("${context.name} answers through the host", async () => {
  const plugin = await Plugin.load(new URL("./plugin.wasm", import.meta.url), {
    host,
    timeout: 10_000,
  });
  try {
    assert.equal(await plugin.call("ping"), "pong");
    assert.equal(await plugin.call("add", [2, 3]), 5);
    assert.equal(await plugin.call("greet", ["Ada"]), "Hello, Ada!");
  } finally {
    plugin[Symbol.dispose]();
  }
});
`;
}

function denoJson(context: TemplateContext): string {
  return `${
    JSON.stringify(
      {
        tasks: { build: "sh build.sh", test: "deno test -R plugin_test.ts" },
        // The npm packages of a package.json (AssemblyScript's compiler) are not the test's.
        nodeModulesDir: "none",
        imports: { "@wasmi-plugins/host": context.hostImport, ...context.hostImports },
      },
      null,
      2,
    )
  }\n`;
}

function readme(context: TemplateContext, language: string, build: string, more: string): string {
  return `# ${context.name}

A wasm32-wasip1 plugin in ${language} for
[@wasmi-plugins/host](https://jsr.io/@wasmi-plugins/host): it serves JSON-RPC 2.0 on stdio with
three methods, \`ping\`, \`add\` and \`greet\` (which calls the host method \`greeting\`).

\`\`\`sh
sh build.sh          # writes plugin.wasm; needs ${build}
deno task test       # calls it through the host (plugin_test.ts)
deno run -R jsr:@wasmi-plugins/host/cli call plugin.wasm add '[2, 3]'
\`\`\`

Add methods in the sources, rebuild, and add a line to plugin_test.ts for each.
${more}`;
}

/** The files of a project in `language`. */
export async function templateFiles(language: Language, context: TemplateContext): Promise<Files> {
  const common = { "plugin_test.ts": testFile(context), "deno.json": denoJson(context) };
  switch (language) {
    case "rust":
      return { ...common, ...rust(context) };
    case "c":
      return { ...common, ...await c(context) };
    case "go":
      return { ...common, ...await go(context) };
    case "assemblyscript":
      return { ...common, ...await assemblyscript(context) };
  }
}

function rust(context: TemplateContext): Files {
  return {
    "Cargo.toml": `[package]
name = "${context.name}"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
# The guest kit (crates/pdk of the wasmi-plugins repository). The feature
# schemars gives rpc.discover the params and result schemas of typed_method.
wasmi_plugin_pdk = { ${context.rustKit}, features = ["schemars"] }

# A workspace of its own, even when created inside another one.
[workspace]

[profile.release]
panic = "abort"
`,
    "src/main.rs": `//! ${context.name}: a plugin on the guest kit. The kit answers rpc.discover
//! from these registrations.
use wasmi_plugin_pdk::{Host, Plugin};

fn main() {
    Plugin::new()
        .info(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
        .typed_method("ping", |_: (), _: &mut Host| Ok("pong"))
        .summary("Answers pong")
        .typed_method("add", |(a, b): (i64, i64), _| {
            a.checked_add(b).ok_or_else(|| "integer overflow".into())
        })
        .summary("Adds two integers")
        .param_names(["a", "b"])
        .typed_method("greet", |[name]: [String; 1], host| {
            // A host method: the host's error, if any, is passed on.
            let greeting: String = host.call("greeting", [name])?;
            Ok(format!("{greeting}!"))
        })
        .summary("The host's greeting for name, with ! appended")
        .param_names(["name"])
        .serve(); // until stdin closes
}
`,
    "build.sh": `${BUILD_SH_HEAD}target_dir=\${CARGO_TARGET_DIR:-target}
if rustc +debian-web --version > /dev/null 2>&1; then
  # Debian's rustc-web ships no std for wasm32: std is built from source,
  # linked against Debian's wasi-libc (packages rustc-web, rust-web-src,
  # lld-16, wasi-libc).
  RUSTC_BOOTSTRAP=1 \\
  CARGO_TARGET_WASM32_WASIP1_LINKER=wasm-ld-16 \\
  CARGO_TARGET_WASM32_WASIP1_RUSTFLAGS="-C link-self-contained=no -L /usr/lib/wasm32-wasi -C link-arg=/usr/lib/wasm32-wasi/crt1-command.o" \\
    cargo +debian-web build --release --target wasm32-wasip1 --target-dir "$target_dir" \\
    -Zbuild-std=std,panic_abort
else
  # rustup: 'rustup target add wasm32-wasip1' once.
  cargo build --release --target wasm32-wasip1 --target-dir "$target_dir"
fi
cp "$target_dir/wasm32-wasip1/release/${context.name}.wasm" plugin.wasm
`,
    ".gitignore": "/target\n/plugin.wasm\n",
    "README.md": readme(
      context,
      "Rust",
      "cargo with the wasm32-wasip1 target (rustup), or Debian's rustc-web",
      `
The kit is a Cargo dependency (Cargo.toml): \`${context.rustKit}\`. The first build compiles the
kit's dependencies (serde, serde_json, schemars), and with Debian's rustc-web std too: expect
a few minutes; later builds take seconds.
`,
    ),
  };
}

async function c(context: TemplateContext): Promise<Files> {
  return {
    "plugin.h": await context.kitFile("examples/c/plugin.h"),
    "main.c": `/* ${context.name}: a plugin on the single-header kit plugin.h. */
#include "plugin.h"

static void ping(const pl_value *params, pl_reply *reply) {
  (void)params;
  pl_reply_string(reply, "pong");
}

static void add(const pl_value *params, pl_reply *reply) {
  long long a, b, sum;
  if (!pl_params(params, reply, "ii", &a, &b)) return;
  if (__builtin_add_overflow(a, b, &sum)) {
    pl_reply_error(reply, PL_INVALID_PARAMS, "Invalid params: integer overflow");
    return;
  }
  pl_reply_int(reply, sum);
}

static void greet(const pl_value *params, pl_reply *reply) {
  const char *name;
  if (!pl_params(params, reply, "s", &name)) return;
  pl_buf host_params = {0};
  pl_buf_cstr(&host_params, "[");
  pl_buf_str(&host_params, name);
  pl_buf_cstr(&host_params, "]");
  /* On an error, reply is set to the host's error, which is passed on. */
  pl_value *greeting = pl_call_host("greeting", host_params.data, reply);
  pl_buf_free(&host_params);
  if (greeting == NULL) return;
  if (greeting->type != PL_STRING) {
    pl_reply_error(reply, PL_INTERNAL_ERROR, "host method greeting returned a non-string");
  } else {
    pl_buf text = {0};
    pl_buf_raw(&text, greeting->string, greeting->length);
    pl_buf_cstr(&text, "!");
    pl_reply_stringn(reply, text.data, text.length);
    pl_buf_free(&text);
  }
  pl_free(greeting);
}

int main(void) {
  static const pl_method methods[] = {
      {"ping", ping}, {"add", add}, {"greet", greet}, {NULL, NULL},
  };
  return pl_serve(methods);
}
`,
    "build.sh":
      `${BUILD_SH_HEAD}# clang with the wasm32-wasi target and a wasi-libc sysroot: Debian's
# clang-16, lld-16 and wasi-libc by default, or e.g. wasi-sdk with
# CC=/opt/wasi-sdk/bin/clang WASI_SYSROOT=/opt/wasi-sdk/share/wasi-sysroot.
# Compiling and linking are separate steps: a link step given -O runs
# whatever wasm-opt is on PATH.
cc=\${CC:-clang-16}
sysroot=\${WASI_SYSROOT:-/usr}
"$cc" --target=wasm32-wasi --sysroot="$sysroot" -O2 -Wall -Wextra -Werror -c main.c -o main.o
"$cc" --target=wasm32-wasi --sysroot="$sysroot" -Wl,--strip-all main.o -o plugin.wasm
rm main.o
`,
    ".gitignore": "/plugin.wasm\n/main.o\n",
    "README.md": readme(
      context,
      "C",
      "clang for wasm32-wasi and wasi-libc (Debian: clang-16 lld-16 wasi-libc)",
      `
plugin.h is the whole kit (JSON parsing and writing, params, host calls, logging): see its
header comment. To answer rpc.discover (what \`inspect\` lists), see the repository's
examples/c/main.c.
`,
    ),
  };
}

async function go(context: TemplateContext): Promise<Files> {
  const module = `example.com/${context.name}`;
  return {
    "go.mod": `module ${module}\n\ngo 1.26\n`,
    "plugin/plugin.go": await context.kitFile("examples/go/plugin/plugin.go"),
    "main.go": `// ${context.name}: a plugin on the small kit in ./plugin.
package main

import (
	"encoding/json"
	"os"

	"${module}/plugin"
)

// args decodes positional params: an array of exactly len(into) values.
func args(params json.RawMessage, into ...any) error {
	var list []json.RawMessage
	if err := json.Unmarshal(params, &list); err != nil || len(list) != len(into) {
		return plugin.Errorf(plugin.InvalidParams, "expected an array of %d params", len(into))
	}
	for i, value := range list {
		if err := json.Unmarshal(value, into[i]); err != nil {
			return plugin.Errorf(plugin.InvalidParams, "param %d: %v", i, err)
		}
	}
	return nil
}

func main() {
	err := plugin.Serve(plugin.Methods{
		"ping": func(_ *plugin.Host, _ json.RawMessage) (any, error) {
			return "pong", nil
		},
		"add": func(_ *plugin.Host, params json.RawMessage) (any, error) {
			var a, b int64
			if err := args(params, &a, &b); err != nil {
				return nil, err
			}
			return a + b, nil
		},
		"greet": func(host *plugin.Host, params json.RawMessage) (any, error) {
			var name string
			if err := args(params, &name); err != nil {
				return nil, err
			}
			var greeting string
			// The host's error, if any, is returned unchanged.
			if err := host.Call("greeting", []string{name}, &greeting); err != nil {
				return nil, err
			}
			return greeting + "!", nil
		},
	})
	if err != nil {
		plugin.Log("ERROR", "%v", err)
		os.Exit(1)
	}
}
`,
    "build.sh":
      `${BUILD_SH_HEAD}# Go 1.21 or newer (GOOS=wasip1); Go's tarball installs to /usr/local/go.
command -v go > /dev/null || PATH="$PATH:/usr/local/go/bin"
GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0 GOOS=wasip1 GOARCH=wasm \\
  go build -trimpath -o plugin.wasm .
`,
    ".gitignore": "/plugin.wasm\n",
    "README.md": readme(
      context,
      "Go",
      "Go 1.21 or newer",
      `
The package in ./plugin is the whole kit (requests, host calls, logging). To answer
rpc.discover (what \`inspect\` lists), see the repository's examples/go.
`,
    ),
  };
}

async function assemblyscript(context: TemplateContext): Promise<Files> {
  const lock = JSON.parse(await context.kitFile("examples/assemblyscript/package-lock.json"));
  lock.name = context.name;
  if (lock.packages?.[""] !== undefined) lock.packages[""].name = context.name;
  const example = JSON.parse(await context.kitFile("examples/assemblyscript/package.json"));
  return {
    "package.json": `${
      JSON.stringify(
        {
          name: context.name,
          version: "0.1.0",
          private: true,
          scripts: {
            build: "asc assembly/index.ts --config asconfig.json --outFile plugin.wasm",
          },
          devDependencies: example.devDependencies,
        },
        null,
        2,
      )
    }\n`,
    "package-lock.json": `${JSON.stringify(lock, null, 2)}\n`,
    "asconfig.json": await context.kitFile("examples/assemblyscript/asconfig.json"),
    "assembly/plugin.ts": await context.kitFile("examples/assemblyscript/assembly/plugin.ts"),
    "assembly/json.ts": await context.kitFile("examples/assemblyscript/assembly/json.ts"),
    "assembly/index.ts": `// ${context.name}: a plugin on the small kit in ./plugin.ts.
import { JSONKind, JSONValue } from "./json";
import { callHost, INVALID_PARAMS, method, positional, Reply, serve } from "./plugin";

function ping(_params: JSONValue | null): Reply {
  return Reply.ok(JSONValue.fromString("pong"));
}

function add(params: JSONValue | null): Reply {
  const args = positional(params, 2);
  if (args === null || !args[0].isInteger || !args[1].isInteger) {
    return Reply.error(INVALID_PARAMS, "Invalid params: expected [integer, integer]");
  }
  const a = args[0].int;
  const b = args[1].int;
  const sum = a + b;
  // Overflow: both operands have the same sign, and the sum the other.
  if (((a ^ sum) & (b ^ sum)) < 0) {
    return Reply.error(INVALID_PARAMS, "Invalid params: integer overflow");
  }
  return Reply.ok(JSONValue.fromInteger(sum));
}

function greet(params: JSONValue | null): Reply {
  const args = positional(params, 1);
  if (args === null || !args[0].isString()) {
    return Reply.error(INVALID_PARAMS, "Invalid params: expected [string]");
  }
  const reply = callHost("greeting", JSONValue.array([args[0]]));
  if (reply.isError) return reply; // the host's error, passed on unchanged
  if (reply.result.kind != JSONKind.String) {
    return Reply.error(-32603, "host method greeting returned a non-string");
  }
  return Reply.ok(JSONValue.fromString(reply.result.text + "!"));
}

method("ping", ping);
method("add", add);
method("greet", greet);
serve(); // until stdin reaches EOF; then _start returns: exit status 0
`,
    "build.sh":
      `${BUILD_SH_HEAD}# Node 20 or newer with npm: the compiler and the WASI shim at the versions
# in package-lock.json.
[ -x node_modules/.bin/asc ] || npm ci --no-audit --no-fund --prefer-offline
node_modules/.bin/asc assembly/index.ts --config asconfig.json --outFile plugin.wasm
`,
    ".gitignore": "/node_modules\n/plugin.wasm\n",
    "README.md": readme(
      context,
      "AssemblyScript",
      "Node 20 or newer with npm (the first build runs npm ci)",
      `
assembly/plugin.ts and assembly/json.ts are the whole kit (requests, host calls, logging,
JSON). To answer rpc.discover (what \`inspect\` lists), see the repository's
examples/assemblyscript.
`,
    ),
  };
}
