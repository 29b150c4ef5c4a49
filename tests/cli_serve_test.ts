// Drives `cli.ts serve` with a JSON-RPC client written independently of
// src/rpc/: the npm package json-rpc-2.0 and a line splitter of its own.
import assert from "node:assert/strict";
import {
  JSONRPCClient,
  JSONRPCErrorException,
  JSONRPCServer,
  JSONRPCServerAndClient,
} from "npm:json-rpc-2.0@1.8.1";
import { cliCommand, cliMode } from "./_cli.ts";

function serve(...args: string[]) {
  const child = cliCommand(["serve", ...args], {
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  const encoder = new TextEncoder();
  const peer = new JSONRPCServerAndClient(
    new JSONRPCServer(),
    new JSONRPCClient((request) => writer.write(encoder.encode(`${JSON.stringify(request)}\n`))),
  );
  const reading = (async () => {
    let buffered = "";
    for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
      buffered += text;
      let newline;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        await peer.receiveAndSend(JSON.parse(line));
      }
    }
  })();
  const stderr = new Response(child.stderr).text();
  const request = (method: string, params?: unknown[]): Promise<unknown> =>
    Promise.resolve(peer.request(method, params, undefined));
  return {
    peer,
    request,
    async end() {
      await writer.close();
      await reading;
      const status = await child.status;
      return { code: status.code, stderr: await stderr };
    },
  };
}

Deno.test("cli serve exposes a plugin session and forwards host calls to the peer", async () => {
  const { peer, request, end } = serve("testdata/test_plugin.wasm");
  const echoed: unknown[] = [];
  peer.addMethod("echo", ([value]: [unknown]) => {
    echoed.push(value);
    return value;
  });
  assert.equal(await request("ping"), "pong");
  assert.equal(await request("many_echo", [3]), 3);
  assert.deepEqual(echoed, [0, 1, 2]);
  assert.deepEqual([await request("counter"), await request("counter")], [1, 2]);
  await assert.rejects(request("nope"), (e: unknown) => {
    assert.ok(e instanceof JSONRPCErrorException);
    assert.equal(e.code, -32601);
    return true;
  });
  await assert.rejects(request("call_unknown_host_method"), (e: unknown) => {
    assert.ok(e instanceof JSONRPCErrorException);
    assert.equal(e.code, -32601);
    return true;
  });
  assert.deepEqual(await end(), { code: 0, stderr: "" });
});

Deno.test("cli serve relays scalar params both ways to a plugin of the original framework", async () => {
  const { peer, end } = serve("--missing-params", "null", "testdata/compat_plugin.wasm");
  const echoed: unknown[] = [];
  peer.addMethod("echo", (value: unknown) => {
    echoed.push(value);
    return value;
  });
  const request = (method: string, params?: unknown) =>
    Promise.resolve(peer.request(method, params as never, undefined));
  assert.equal(await request("ping"), "pong");
  assert.equal(await request("many_echo", 3), 3);
  assert.deepEqual(echoed, [0, 1, 2]);
  assert.deepEqual(await request("prime_sieve", 1000), { count: 168, limit: 1000 });
  assert.deepEqual(await end(), { code: 0, stderr: "" });
});

Deno.test("cli serve answers -32002 when the plugin fails, and exits with its code", async () => {
  const { request, end } = serve("testdata/test_plugin.wasm");
  await assert.rejects(request("panic"), (e: unknown) => {
    assert.ok(e instanceof JSONRPCErrorException);
    assert.equal(e.code, -32002);
    assert.equal((e.data as { kind: string }).kind, "trap");
    assert.match((e.data as { stderr: string }).stderr, /test plugin panicked/);
    return true;
  });
  const { code, stderr } = await end();
  assert.equal(code, 134);
  assert.match(stderr, /error: Plugin test_plugin failed: Guest trapped/);
});

Deno.test("cli serve replaces an instance that panicked, exited or ran out of fuel, and goes on serving", async () => {
  const { request, end } = serve("--fuel", "100000000", "testdata/test_plugin.wasm");
  assert.equal(await request("counter"), 1);
  await assert.rejects(
    request("panic"),
    assertRpcError(-32002, (d) => assert.equal(d.kind, "trap")),
  );
  // A fresh instance (with fresh state) answers the next requests.
  assert.equal(await request("counter"), 1);
  assert.equal(await request("counter"), 2);
  await assert.rejects(
    request("exit_without_answer"),
    assertRpcError(-32002, (d) => assert.equal(d.kind, "exit")),
  );
  assert.equal(await request("ping"), "pong");
  await assert.rejects(
    request("infinite_loop"),
    assertRpcError(-32002, (d) => assert.equal(d.kind, "fuel")),
  );
  assert.equal(await request("counter"), 1);
  const { code, stderr } = await end();
  assert.equal(code, 0);
  const lines = stderr.split("\n").filter((line) => line.startsWith("serve: "));
  assert.equal(lines.length, 3, stderr);
  assert.match(
    lines[0]!,
    /^serve: the plugin instance failed: Plugin test_plugin failed: Guest trapped: .*; the next request starts a fresh one$/,
  );
  assert.match(
    lines[1]!,
    /^serve: the plugin instance exited with code 3; the next request starts a fresh one$/,
  );
  assert.match(
    lines[2]!,
    /^serve: the plugin instance failed: .*fuel.*; the next request starts a fresh one$/,
  );
});

function assertRpcError(code: number, check?: (data: Record<string, unknown>) => void) {
  return (e: unknown) => {
    assert.ok(e instanceof JSONRPCErrorException);
    assert.equal(e.code, code, e.message);
    check?.(e.data as Record<string, unknown>);
    return true;
  };
}

Deno.test("cli serve answers a request past --timeout with -32003 and goes on with a fresh instance", async () => {
  const { request, end } = serve("--timeout", "2000", "testdata/test_plugin.wasm");
  assert.equal(await request("counter"), 1);
  const looping = request("infinite_loop");
  const behind = request("ping"); // waits for the same instance
  await assert.rejects(
    looping,
    assertRpcError(-32003, (data) => {
      assert.equal(data.kind, "timeout");
      assert.equal(data.timeout, 2000);
    }),
  );
  await assert.rejects(behind, (e: unknown) => {
    assertRpcError(-32002, (data) => assert.equal(data.kind, "aborted"))(e);
    assert.match((e as Error).message, /^Plugin test_plugin was stopped: request \d+ timed out$/);
    return true;
  });
  // The looping instance was stopped; a fresh one (with fresh state) answers.
  assert.equal(await request("counter"), 1);
  assert.equal(await request("ping"), "pong");
  const { code, stderr } = await end();
  assert.equal(code, 0);
  assert.match(
    stderr,
    /^serve: request \d+ timed out after 2000 ms; its plugin instance was stopped\n$/,
  );
});

Deno.test("cli serve exits when stdin ends and the request in flight times out", async () => {
  const { request, end } = serve("--timeout", "2000", "testdata/test_plugin.wasm");
  assert.equal(await request("ping"), "pong");
  const looping = request("infinite_loop");
  looping.catch(() => {});
  const { code } = await end(); // stdin closes while the request runs
  assert.equal(code, 0);
  await assert.rejects(looping, assertRpcError(-32003));
});

Deno.test("cli serve takes the per-request timeout from a manifest's limits.timeout", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.copyFile("testdata/test_plugin.wasm", `${dir}/p.wasm`);
    await Deno.writeTextFile(
      `${dir}/p.jsonc`,
      '{ "wasm": "p.wasm", "limits": { "timeout": 2000 } }',
    );
    const { request, end } = serve("--manifest", `${dir}/p.jsonc`);
    await assert.rejects(request("infinite_loop"), assertRpcError(-32003));
    assert.equal(await request("ping"), "pong");
    assert.equal((await end()).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli serve answers a line over 16 MiB with -32600 and reads on at the next line", async () => {
  const child = cliCommand(["serve", "testdata/test_plugin.wasm"], {
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  const writer = child.stdin.getWriter();
  const encoder = new TextEncoder();
  const huge = `{"jsonrpc":"2.0","id":1,"method":"echo","params":["${"x".repeat(17 << 20)}"]}\n`;
  await writer.write(encoder.encode(huge));
  await writer.write(encoder.encode('{"jsonrpc":"2.0","id":2,"method":"ping"}\n'));
  await writer.close();
  const { code, stdout, stderr } = await output;
  const lines = new TextDecoder().decode(stdout).trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  assert.deepEqual(lines[0].id, null);
  assert.equal(lines[0].error.code, -32600);
  assert.deepEqual(lines[1], { jsonrpc: "2.0", id: 2, result: "pong" });
  assert.equal(
    new TextDecoder().decode(stderr),
    "serve: protocol error: a line longer than 16777216 bytes was skipped\n",
  );
  assert.equal(code, 0);
});

Deno.test("cli serve answers a batch over 10,000 and a line nested over 1,000 levels with -32600, and reads on", async () => {
  const child = cliCommand(["serve", "testdata/test_plugin.wasm"], {
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  const writer = child.stdin.getWriter();
  const encoder = new TextEncoder();
  const ping = (id: number) => ({ jsonrpc: "2.0", id, method: "ping" });
  const batch = Array.from({ length: 10_001 }, (_, i) => ping(i + 1));
  await writer.write(encoder.encode(`${JSON.stringify(batch)}\n`));
  const deep = "[".repeat(1001) + "]".repeat(1001);
  await writer.write(encoder.encode(`{"jsonrpc":"2.0","id":1,"method":"ping","params":${deep}}\n`));
  await writer.write(encoder.encode(`${JSON.stringify([ping(2), ping(3)])}\n`));
  await writer.close();
  const { code, stdout, stderr } = await output;
  const lines = new TextDecoder().decode(stdout).trimEnd().split("\n").map((l) => JSON.parse(l));
  const invalid = (data: string) => ({
    jsonrpc: "2.0",
    id: null,
    error: { code: -32600, message: "Invalid Request", data },
  });
  assert.deepEqual(lines, [
    invalid("The batch holds 10001 messages, more than the limit of 10000; none was handled"),
    invalid("Line nests deeper than the limit of 1000 levels; it was skipped"),
    [{ jsonrpc: "2.0", id: 2, result: "pong" }, { jsonrpc: "2.0", id: 3, result: "pong" }],
  ]);
  assert.equal(
    new TextDecoder().decode(stderr),
    "serve: protocol error: Received a batch of 10001 messages, more than the limit of 10000\n" +
      "serve: protocol error: Line nests deeper than the limit of 1000 levels; it was skipped\n",
  );
  assert.equal(code, 0);
});

// A binary built by deno compile imports only the modules compiled into it.
Deno.test("cli serve answers host calls with --host FILE's methods, the others go to the peer", {
  ignore: cliMode.binary !== undefined,
}, async () => {
  const { peer, request, end } = serve(
    "--host",
    "examples/hosts/echo.ts",
    "testdata/test_plugin.wasm",
  );
  peer.addMethod("shout", ([text]: string[]) => text!.toUpperCase());
  assert.equal(await request("many_echo", [3]), 3);
  assert.equal(await request("call_host", ["shout", ["hi"]]), "HI");
  assert.deepEqual(await end(), { code: 0, stderr: "" });
});
