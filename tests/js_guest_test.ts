// Plugins in TypeScript: `build` (bundling, pre-initialisation, what the
// top level may not do) and the JavaScript runtime's protocol details and
// limits beyond the language suite (languages_test.ts). Runs in the mode of
// _plugin_mode.ts (js_guest_v8_test.ts, js_guest_workers_test.ts).

import assert from "node:assert/strict";
import {
  type HostContext,
  JsonRpcError,
  Plugin,
  PluginError,
  type PluginOptions,
  Router,
} from "../mod.ts";
import { BuildError, buildPlugin, buildScript } from "../src/build/mod.ts";
import { GuestModule } from "../src/executor/mod.ts";
import { modeOptions } from "./_plugin_mode.ts";

const EXAMPLE = new URL("../examples/ts/hello.ts", import.meta.url);
/** Build-time tests do not depend on the mode: they run in-thread only. */
const buildTestsIgnored = modeOptions.engine !== undefined || modeOptions.workers !== undefined;

/** A plugin of `script` (plain JavaScript), with an `echo` host method. */
async function load(script: string, options: PluginOptions & { preinitialize?: boolean } = {}) {
  const { preinitialize, ...rest } = options;
  const logs: string[] = [];
  const wasm = await buildScript(script, { preinitialize: preinitialize ?? true });
  const host = new Router<HostContext>().method("echo", (params) => params);
  const plugin = await Plugin.load(wasm, {
    name: "js",
    host,
    logger: (line) => logs.push(line),
    timeout: 20_000,
    ...modeOptions,
    ...rest,
  });
  return { plugin, logs, host };
}

const SCRIPT = `
let count = 0;
plugin
  .info({ title: "js-test", version: "1.0.0" })
  .method("ping", () => "pong")
  .method("count", () => ++count)
  .method("echo", (p) => p)
  .method("square", ([x]) => BigInt(x) * BigInt(x))
  .method("double", ([x]) => x * 2)
  .method("echoAsync", async (p) => await host.call("echo", p))
  .method("echoSync", (p) => host.callSync("echo", p))
  .method("twice", async ([x]) => await host.call("twice", [x]))
  .method("random", () => Math.random())
  .method("fail", () => { throw new RpcError(7, "seven", { n: 7 }); })
  .method("throwString", () => { throw "plain"; })
  .method("reject", async () => { throw new Error("async failure"); })
  .method("loop", () => { for (;;); })
  .method("hog", () => { const kept = []; for (;;) kept.push(new ArrayBuffer(1 << 20)); })
  .method("flood", () => { for (;;) host.notify("noise", [1]); });
console.log("evaluated");
`;

Deno.test({
  name: "js guest: the committed examples/ts/plugin.wasm is a fresh build of hello.ts",
  ignore: buildTestsIgnored,
}, async () => {
  const built = await buildPlugin(EXAMPLE);
  const committed = await Deno.readFile(new URL("../examples/ts/plugin.wasm", import.meta.url));
  assert.ok(
    built.length === committed.length && built.every((b, i) => b === committed[i]),
    "examples/ts/plugin.wasm is stale: run deno run -A cli.ts build examples/ts/hello.ts -o examples/ts/plugin.wasm",
  );
});

Deno.test({
  name: "js guest: build refuses what the top level may not do, naming it",
  ignore: buildTestsIgnored,
}, async (t) => {
  const refuses = async (script: string, message: string) => {
    await assert.rejects(buildScript(script), (e: unknown) => {
      assert.ok(e instanceof BuildError);
      assert.match(e.message, new RegExp(message));
      return true;
    });
  };
  await t.step(
    "a host call",
    () =>
      refuses(`host.call("echo", [1]);`, 'host\\.call\\("echo"\\) at the top level of the script'),
  );
  await t.step(
    "a host call in an async function the top level starts",
    () =>
      refuses(
        `(async () => { await host.call("later"); })();`,
        'host\\.call\\("later"\\) at the top level',
      ),
  );
  await t.step(
    "a notification",
    () => refuses(`host.notify("n");`, 'host\\.notify\\("n"\\) at the top level'),
  );
  await t.step(
    "an exception",
    () =>
      refuses(
        `throw new Error("boom");`,
        "^the script failed while it was built: Error: boom$",
      ),
  );
  await t.step(
    "a top level that never ends (a count of QuickJS's interrupt checks, not a time)",
    () =>
      refuses(
        `for (;;) {}`,
        "^the script failed while it was built: its top level ran past the build's bound of 100000 interrupt checks \\(about 1000 million branches and calls\\): do the work in a handler$",
      ),
  );
  await t.step(
    "a top level that allocates without end",
    () =>
      refuses(
        `const kept = []; for (;;) kept.push(new Array(65536).fill(1));`,
        "^the script failed while it was built: its top level allocated more than the build's bound of 256 MiB$",
      ),
  );
  await t.step(
    "a top level that recurses without end",
    () =>
      refuses(
        `function deeper(n) { return deeper(n + 1) + 1; } deeper(0);`,
        "^the script failed while it was built: its top level ran out of stack",
      ),
  );
  await t.step(
    "a syntax error",
    () => refuses(`plugin.method(`, "^the script failed while it was built: SyntaxError"),
  );
  await t.step("an entry that does not bundle", async () => {
    await assert.rejects(buildPlugin("/nonexistent/plugin.ts"), (e: unknown) => {
      assert.ok(e instanceof BuildError);
      assert.match(e.message, /^\/nonexistent\/plugin\.ts could not be bundled: /);
      return true;
    });
  });
});

Deno.test("js guest: the top level runs at build time, once; without pre-initialisation at every start", async () => {
  const buildLogs: string[] = [];
  await buildScript(SCRIPT, { log: (line) => buildLogs.push(line) });
  assert.deepEqual(buildLogs, ["INFO evaluated"]);
  const pre = await load(SCRIPT);
  using _pre = pre.plugin;
  assert.equal(await pre.plugin.call("ping"), "pong");
  assert.deepEqual(pre.logs, []);
  const lazy = await load(SCRIPT, { preinitialize: false });
  using _lazy = lazy.plugin;
  assert.equal(await lazy.plugin.call("ping"), "pong");
  assert.equal(await lazy.plugin.call("ping"), "pong");
  assert.deepEqual(lazy.logs, ["INFO evaluated", "INFO evaluated"]);
});

Deno.test("js guest: protocol details", async (t) => {
  const { plugin, host } = await load(SCRIPT, { largeIntegers: "bigint" });
  using _ = plugin;
  await t.step("integers outside the safe range are exact both ways", async () => {
    const big = 2n ** 64n + 1n;
    assert.deepEqual(await plugin.call("echo", [big, -big, 1.5, "12345678901234567890"]), [
      big,
      -big,
      1.5,
      "12345678901234567890",
    ]);
    assert.equal(await plugin.call("square", [4294967296]), 2n ** 64n);
  });
  await t.step("host calls: awaited, blocking, and nested back into the plugin", async () => {
    assert.deepEqual(await plugin.call("echoAsync", { a: [1, null] }), { a: [1, null] });
    assert.deepEqual(await plugin.call("echoSync", ["x"]), ["x"]);
    // A host method calling back into the session that waits for it.
    await using session = plugin.session();
    host.method(
      "twice",
      async ([x]: [number]) => (await session.call("double", [x]) as number) * 2,
    );
    assert.equal(await session.call("twice", [5]), 20);
  });
  await t.step("errors: RpcError with data, thrown values, rejected promises", async () => {
    await assert.rejects(plugin.call("fail"), (e: unknown) => {
      assert.ok(e instanceof JsonRpcError);
      assert.deepEqual([e.code, e.message, e.data], [7, "seven", { n: 7 }]);
      return true;
    });
    for (const [method, message] of [["throwString", "plain"], ["reject", "async failure"]]) {
      await assert.rejects(plugin.call(method!), (e: unknown) => {
        assert.ok(e instanceof JsonRpcError);
        assert.deepEqual([e.code, e.message], [-32000, message]);
        return true;
      });
    }
  });
  await t.step("rpc.discover refuses params", async () => {
    await assert.rejects(plugin.call("rpc.discover", [1]), (e: unknown) => {
      assert.ok(e instanceof JsonRpcError);
      assert.equal(e.code, -32602);
      return true;
    });
  });
  await t.step("Math.random is not replayed from the snapshot", async () => {
    const values = new Set();
    for (let i = 0; i < 4; i++) values.add(await plugin.call("random"));
    assert.equal(values.size, 4);
  });
  await t.step(
    "a session keeps state between calls; each stateless call starts afresh",
    async () => {
      assert.equal(await plugin.call("count"), 1);
      assert.equal(await plugin.call("count"), 1);
      const session = plugin.session();
      assert.equal(await session.call("count"), 1);
      assert.equal(await session.call("count"), 2);
      assert.equal((await session.close()).code, 0);
    },
  );
});

Deno.test("js guest: hostile scripts are stopped by the limits", async (t) => {
  const { plugin } = await load(SCRIPT, { maxMemory: 16 << 20 });
  using _ = plugin;
  const rejectsWith = (call: Promise<unknown>, kind: string) =>
    assert.rejects(call, (e: unknown) => {
      assert.ok(e instanceof PluginError, String(e));
      assert.equal(e.kind, kind);
      return true;
    });
  await t.step(
    "a loop: fuel",
    () => rejectsWith(plugin.call("loop", [], { fuel: 5_000_000 }), "fuel"),
  );
  await t.step(
    "a loop: timeout",
    () => rejectsWith(plugin.call("loop", [], { timeout: 200 }), "timeout"),
  );
  await t.step(
    "endless allocation: the memory cap",
    () => rejectsWith(plugin.call("hog"), "memory"),
  );
  await t.step(
    "a stdout flood: fuel",
    () => rejectsWith(plugin.call("flood", [], { fuel: 20_000_000 }), "fuel"),
  );
  await t.step(
    "a stdout flood: timeout",
    () => rejectsWith(plugin.call("flood", [], { timeout: 300 }), "timeout"),
  );
  assert.equal(await plugin.call("ping"), "pong");
});

/** A random JSON value (seeded): nested arrays and objects, integers of any size, doubles, strings. */
function randomJson(next: () => number, depth = 0): unknown {
  const pick = Math.floor(next() * (depth > 3 ? 6 : 8));
  const text = () =>
    Array.from({ length: Math.floor(next() * 8) }, () => {
      const kinds = [
        () => String.fromCharCode(32 + Math.floor(next() * 95)),
        () => String.fromCharCode(Math.floor(next() * 32)), // control characters
        () => String.fromCodePoint(0x80 + Math.floor(next() * 0xd000)),
        () => String.fromCodePoint(0x10000 + Math.floor(next() * 0xfffff)),
        () => String.fromCharCode(0xd800 + Math.floor(next() * 0x800)), // a lone surrogate
        () => '"\\',
      ];
      return kinds[Math.floor(next() * kinds.length)]!();
    }).join("");
  switch (pick) {
    case 0:
      return null;
    case 1:
      return next() < 0.5;
    case 2:
      return Math.floor((next() - 0.5) * 2 ** 53) || 1; // safe integers (no -0)
    case 3: // integers past 2^53, as bigint
      return (BigInt(Math.floor(next() * 2 ** 52)) << BigInt(2 + Math.floor(next() * 80))) *
          (next() < 0.5 ? -1n : 1n) + 1n;
    case 4:
      // Doubles below 2^53 (an integral double past it is written as an integer: a bigint).
      return (next() - 0.5) * 10 ** Math.floor(next() * 30 - 20) || 0.5;
    case 5:
      return text();
    case 6:
      return Array.from({ length: Math.floor(next() * 5) }, () => randomJson(next, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: Math.floor(next() * 5) }, () => [text(), randomJson(next, depth + 1)]),
      );
  }
}

Deno.test("js guest: random JSON comes back unchanged (property test, fixed seed)", async () => {
  let seed = 0x2545f491;
  const next = () => { // xorshift32
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const { plugin } = await load(SCRIPT, { largeIntegers: "bigint" });
  using _ = plugin;
  const session = plugin.session();
  for (let i = 0; i < 200; i++) {
    const value = [randomJson(next)];
    assert.deepStrictEqual(await session.call("echo", value), value, `case ${i}`);
  }
  assert.equal((await session.close()).code, 0);
});

// The runtime answers plain requests itself (crates/js-guest's fast_call)
// and leaves the rest to the prelude's dispatch; a member name written with
// an escape (`"\u006dethod"`) is one way to send a request to the prelude.
Deno.test("js guest: the runtime's own answers are the prelude's, byte for byte", async () => {
  const wasm = await buildScript(`
    class Point { constructor() { this.x = 1; } toJSON(key) { return { key, x: this.x }; } }
    const results = {
      string: "pong",
      escapes: "quote \\" backslash \\\\ \\b\\f\\n\\r\\t \\u0000\\u001f\\u007f é \\u2028 𝄞",
      lone: "\\ud800",
      int: -17,
      float: 0.1 + 0.2,
      big: 2 ** 60,
      nan: NaN,
      bool: true,
      nothing: undefined,
      nil: null,
      object: { a: [1, "b", null, undefined, () => 1], c: { d: new Date(0) } },
      withToJson: new Point(),
      bigint: 12345678901234567890n,
      fn: () => 1,
      symbol: Symbol("s"),
      thenable: { then(resolve) { resolve("later"); } },
      notThenable: { then: 1 },
      circular: (() => { const a = []; a.push(a); return a; })(),
    };
    for (const [name, value] of Object.entries(results)) plugin.method(name, () => value);
    plugin
      .method("params", (p) => p === undefined ? "absent" : p)
      .method("throws", () => { throw new RpcError(3, "three", { n: [3] }); })
      .method("throwsString", () => { throw "plain"; })
      .method("rejects", async () => { throw new Error("async"); });
  `);
  const methods = [
    "string",
    "escapes",
    "lone",
    "int",
    "float",
    "big",
    "nan",
    "bool",
    "nothing",
    "nil",
    "object",
    "withToJson",
    "bigint",
    "fn",
    "symbol",
    "thenable",
    "notThenable",
    "circular",
    "throws",
    "throwsString",
    "rejects",
    "missing",
  ];
  const lines: string[] = [];
  methods.forEach((method, i) => {
    for (const name of ["method", "\\u006dethod"]) {
      lines.push(`{"jsonrpc":"2.0","id":${i},"${name}":"${method}"}`);
      lines.push(`{"jsonrpc":"2.0","id":"s-${i}","${name}":"${method}"}`);
    }
  });
  for (const params of ['[1,"two",{"three":[3.5e-7,true,null]}]', '{"a":"\\u00e9"}', '""', "-0"]) {
    for (const name of ["method", "\\u006dethod"]) {
      lines.push(`{ "${name}" : "params", "params" : ${params}, "id" : 99, "jsonrpc" : "2.0" }`);
    }
  }
  for (const name of ["method", "\\u006dethod"]) {
    lines.push(`{"jsonrpc":"2.0","id":100,"${name}":"params"}`);
  }
  using module = await GuestModule.compile(
    wasm,
    modeOptions.engine ? { engine: modeOptions.engine } : {},
  );
  const { status, stdout } = await module.output({ stdin: lines.map((l) => `${l}\n`).join("") });
  assert.equal(status.code, 0);
  const responses = new TextDecoder().decode(stdout).trimEnd().split("\n");
  // Both promises settle after the lines that follow them: match by id.
  const byId = new Map<string, string[]>();
  for (const response of responses) {
    const id = JSON.stringify(JSON.parse(response).id);
    byId.set(id, [...(byId.get(id) ?? []), response]);
  }
  assert.equal(responses.length, lines.length);
  // Each id's responses come in pairs: the runtime's, then the prelude's.
  for (const [id, answers] of byId) {
    for (let i = 0; i < answers.length; i += 2) {
      assert.equal(answers[i], answers[i + 1], `id ${id}, pair ${i / 2}`);
    }
  }
  assert.ok(responses.includes('{"jsonrpc":"2.0","id":0,"result":"pong"}'));
  assert.ok(responses.includes('{"jsonrpc":"2.0","id":11,"result":{"key":"result","x":1}}'));
});

Deno.test("js guest: host calls still waiting when stdin closes fail, so their handlers answer", async () => {
  const wasm = await buildScript(`
    plugin.method("waits", async () => {
      try {
        return await host.call("never");
      } catch (error) {
        return error.message;
      }
    });
  `);
  using module = await GuestModule.compile(
    wasm,
    modeOptions.engine ? { engine: modeOptions.engine } : {},
  );
  const { status, stdout } = await module.output({
    stdin: '{"jsonrpc":"2.0","id":1,"method":"waits"}\n',
  });
  assert.equal(status.code, 0);
  assert.deepEqual(new TextDecoder().decode(stdout).trimEnd().split("\n"), [
    '{"jsonrpc":"2.0","id":1,"method":"never"}',
    '{"jsonrpc":"2.0","id":1,"result":"stdin closed before the host answered never"}',
  ]);
});
