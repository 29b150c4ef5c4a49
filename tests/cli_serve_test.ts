// Drives `cli.ts serve` with a JSON-RPC client written independently of
// src/rpc/: the npm package json-rpc-2.0 and a line splitter of its own.
import assert from "node:assert/strict";
import {
  JSONRPCClient,
  JSONRPCErrorException,
  JSONRPCServer,
  JSONRPCServerAndClient,
} from "json-rpc-2.0";

function serve(plugin: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-R", "cli.ts", "serve", plugin],
    cwd: new URL("..", import.meta.url).pathname,
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
