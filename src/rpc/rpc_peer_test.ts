import assert from "node:assert/strict";
import { ErrorCode, JsonRpcError } from "./json_rpc_error.ts";
import { Router } from "./router.ts";
import { RpcClosedError } from "./rpc_closed_error.ts";
import { RpcPeer, type RpcPeerOptions } from "./rpc_peer.ts";
import { turnsDuring } from "../../tests/_ticks.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A peer whose input we write lines to and whose output lines we read. */
function wire<C>(router: Router<C>, options: RpcPeerOptions<C> = {}) {
  const input = new TransformStream<Uint8Array, Uint8Array>();
  const output = new TransformStream<Uint8Array, Uint8Array>();
  const peer = new RpcPeer(input.readable, output.writable, { router, ...options });
  const writer = input.writable.getWriter();
  const reader = output.readable.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  let pending: Promise<ReadableStreamReadResult<string>> | undefined;
  return {
    peer,
    send: (line: string) => writer.write(encoder.encode(`${line}\n`)),
    end: () => writer.close(),
    /**
     * Reads the next output line; undefined if the output ends, or if none
     * arrives within `quietMs` (only to check that nothing comes: a line
     * that must come is waited for however long the machine takes).
     */
    async next(quietMs = Infinity): Promise<unknown> {
      for (;;) {
        const newline = buffered.indexOf("\n");
        if (newline >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          return JSON.parse(line);
        }
        // A read that lost the race stays pending: the next call takes it up.
        pending ??= reader.read();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const quiet = quietMs === Infinity
          ? new Promise<never>(() => {})
          : new Promise<undefined>((r) => timer = setTimeout(() => r(undefined), quietMs));
        const read = await Promise.race([pending, quiet]).finally(() => clearTimeout(timer));
        if (read === undefined) return undefined;
        pending = undefined;
        if (read.done) return undefined;
        buffered += read.value;
      }
    },
    async close() {
      await writer.close().catch(() => {});
      await peer.close();
      await reader.cancel();
    },
  };
}

/** The methods the JSON-RPC 2.0 specification's examples use. */
function specRouter(): Router {
  const subtract = (params: unknown) => {
    if (Array.isArray(params)) return params[0] - params[1];
    const { minuend, subtrahend } = params as { minuend: number; subtrahend: number };
    return minuend - subtrahend;
  };
  return new Router()
    .method("subtract", subtract)
    .method("sum", (params: number[]) => params.reduce((a, b) => a + b, 0))
    .method("update", () => undefined)
    .method("notify_hello", () => undefined)
    .method("get_data", () => ["hello", 5]);
}

// The examples section of https://www.jsonrpc.org/specification, as
// [request line, expected response (undefined: no response)].
const SPEC_EXAMPLES: [string, string, unknown][] = [
  [
    "positional parameters",
    '{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}',
    {
      jsonrpc: "2.0",
      result: 19,
      id: 1,
    },
  ],
  [
    "positional parameters, reversed",
    '{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}',
    { jsonrpc: "2.0", result: -19, id: 2 },
  ],
  [
    "named parameters",
    '{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}',
    { jsonrpc: "2.0", result: 19, id: 3 },
  ],
  [
    "named parameters, reordered",
    '{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}',
    { jsonrpc: "2.0", result: 19, id: 4 },
  ],
  ["a notification", '{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}', undefined],
  ["a notification of an unknown method", '{"jsonrpc": "2.0", "method": "foobar"}', undefined],
  ["a non-existent method", '{"jsonrpc": "2.0", "method": "foobar", "id": "1"}', {
    jsonrpc: "2.0",
    error: { code: -32601, message: "Method not found" },
    id: "1",
  }],
  ["invalid JSON", '{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]', {
    jsonrpc: "2.0",
    error: { code: -32700, message: "Parse error" },
    id: null,
  }],
  ["an invalid Request object", '{"jsonrpc": "2.0", "method": 1, "params": "bar"}', {
    jsonrpc: "2.0",
    error: { code: -32600, message: "Invalid Request" },
    id: null,
  }],
  [
    "a batch with invalid JSON",
    '[{"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"}, {"jsonrpc": "2.0", "method"]',
    { jsonrpc: "2.0", error: { code: -32700, message: "Parse error" }, id: null },
  ],
  ["an empty array", "[]", {
    jsonrpc: "2.0",
    error: { code: -32600, message: "Invalid Request" },
    id: null,
  }],
  ["an invalid batch of one", "[1]", [{
    jsonrpc: "2.0",
    error: { code: -32600, message: "Invalid Request" },
    id: null,
  }]],
  [
    "an invalid batch",
    "[1,2,3]",
    [1, 2, 3].map(() => ({
      jsonrpc: "2.0",
      error: { code: -32600, message: "Invalid Request" },
      id: null,
    })),
  ],
  [
    "a batch",
    `[
      {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
      {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
      {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
      {"foo": "boo"},
      {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
      {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
    ]`.replaceAll("\n", ""),
    [
      { jsonrpc: "2.0", result: 7, id: "1" },
      { jsonrpc: "2.0", result: 19, id: "2" },
      { jsonrpc: "2.0", error: { code: -32600, message: "Invalid Request" }, id: null },
      { jsonrpc: "2.0", error: { code: -32601, message: "Method not found" }, id: "5" },
      { jsonrpc: "2.0", result: ["hello", 5], id: "9" },
    ],
  ],
  [
    "a batch of notifications",
    '[{"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]}, {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}]',
    undefined,
  ],
];

Deno.test("RpcPeer answers the JSON-RPC 2.0 specification's examples", async (t) => {
  for (const [name, request, expected] of SPEC_EXAMPLES) {
    await t.step(name, async () => {
      const w = wire(specRouter());
      await w.send(request);
      // No response: nothing within 50 ms (a response is waited for).
      const actual = await w.next(expected === undefined ? 50 : Infinity);
      // Key order does not matter; compare as values.
      assert.deepEqual(actual, expected);
      await w.close();
    });
  }
});

Deno.test("RpcPeer answers a throwing handler with an error response and keeps serving", async () => {
  const router = new Router()
    .method("fail", () => {
      throw new Error("handler broke");
    })
    .method("custom", () => {
      throw new JsonRpcError(42, "custom failure", { detail: 1 });
    })
    .method("ok", () => "fine");
  const w = wire(router);
  await w.send('{"jsonrpc":"2.0","id":1,"method":"fail"}');
  assert.deepEqual(await w.next(), {
    jsonrpc: "2.0",
    id: 1,
    error: { code: ErrorCode.ServerError, message: "handler broke" },
  });
  await w.send('{"jsonrpc":"2.0","id":2,"method":"custom"}');
  assert.deepEqual(await w.next(), {
    jsonrpc: "2.0",
    id: 2,
    error: { code: 42, message: "custom failure", data: { detail: 1 } },
  });
  await w.send('{"jsonrpc":"2.0","id":3,"method":"ok"}');
  assert.deepEqual(await w.next(), { jsonrpc: "2.0", id: 3, result: "fine" });
  await w.close();
});

Deno.test("RpcPeer never dispatches inherited names like toString", async () => {
  const w = wire(new Router());
  for (const [id, method] of ["toString", "__proto__", "constructor", "hasOwnProperty"].entries()) {
    await w.send(JSON.stringify({ jsonrpc: "2.0", id, method }));
    assert.deepEqual(await w.next(), {
      jsonrpc: "2.0",
      id,
      error: { code: -32601, message: "Method not found" },
    });
  }
  await w.close();
});

Deno.test("RpcPeer answers invalid params from a params checker", async () => {
  const router = new Router().method("square", (n: number) => n * n, {
    params: (raw) => {
      if (!Array.isArray(raw) || typeof raw[0] !== "number") {
        throw new TypeError("expected [number]");
      }
      return raw[0];
    },
  });
  const w = wire(router);
  await w.send('{"jsonrpc":"2.0","id":1,"method":"square","params":["x"]}');
  assert.deepEqual(await w.next(), {
    jsonrpc: "2.0",
    id: 1,
    error: { code: -32602, message: "Invalid params", data: "expected [number]" },
  });
  await w.send('{"jsonrpc":"2.0","id":2,"method":"square","params":[3]}');
  assert.deepEqual(await w.next(), { jsonrpc: "2.0", id: 2, result: 9 });
  await w.close();
});

Deno.test("RpcPeer answers invalid UTF-8 with a parse error", async () => {
  const input = new TransformStream<Uint8Array, Uint8Array>();
  const output = new TransformStream<Uint8Array, Uint8Array>();
  const peer = new RpcPeer(input.readable, output.writable);
  const writer = input.writable.getWriter();
  await writer.write(new Uint8Array([0xff, 0xfe, 10]));
  const reader = output.readable.getReader();
  const line = decoder.decode((await reader.read()).value);
  assert.deepEqual(JSON.parse(line), {
    jsonrpc: "2.0",
    id: null,
    error: { code: -32700, message: "Parse error" },
  });
  await writer.close();
  await peer.close();
  await reader.cancel();
});

Deno.test("RpcPeer matches many concurrent calls answered in any order, both ways", async () => {
  const aToB = new TransformStream<Uint8Array, Uint8Array>();
  const bToA = new TransformStream<Uint8Array, Uint8Array>();
  // B answers after a random delay and, while answering, calls A back.
  let b: RpcPeer<Record<string, never>> | undefined = undefined;
  const bRouter = new Router().method("double", async ([n]: [number]) => {
    await new Promise((r) => setTimeout(r, (n * 7) % 10)); // answers out of order
    const echoed = await b!.call<number>("echo", [n]);
    return echoed * 2;
  });
  const aRouter = new Router().method("echo", ([n]: [number]) => n);
  const a = new RpcPeer(bToA.readable, aToB.writable, { router: aRouter });
  b = new RpcPeer(aToB.readable, bToA.writable, { router: bRouter });
  const results = await Promise.all(
    Array.from({ length: 200 }, (_, i) => a.call<number>("double", [i])),
  );
  assert.deepEqual(results, Array.from({ length: 200 }, (_, i) => i * 2));
  assert.equal(a.pendingCalls, 0);
  await a.close();
  await b.close();
});

Deno.test("RpcPeer rejects a call with the abort reason and ignores its late answer", async () => {
  const protocolErrors: Error[] = [];
  const aToB = new TransformStream<Uint8Array, Uint8Array>();
  const bToA = new TransformStream<Uint8Array, Uint8Array>();
  const slow = new Router().method(
    "slow",
    () => new Promise((r) => setTimeout(() => r("late"), 30)),
  );
  const a = new RpcPeer(bToA.readable, aToB.writable, {
    onProtocolError: (error) => protocolErrors.push(error),
  });
  const b = new RpcPeer(aToB.readable, bToA.writable, { router: slow });
  const controller = new AbortController();
  const call = a.call("slow", [], { signal: controller.signal });
  controller.abort(new Error("changed my mind"));
  await assert.rejects(call, { message: "changed my mind" });
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(protocolErrors, []);
  await a.close();
  await b.close();
});

Deno.test("RpcPeer fails pending calls when the other side closes", async () => {
  const w = wire(new Router());
  const call = w.peer.call("never");
  await w.next(); // the request went out
  await w.end();
  await assert.rejects(call, (e: unknown) => {
    assert.ok(e instanceof RpcClosedError);
    assert.equal(e.message, "The other side closed the connection");
    return true;
  });
  await assert.rejects(w.peer.call("after"), RpcClosedError);
  await w.close();
});

Deno.test("RpcPeer fails the connection on a line over the limit", async () => {
  const w = wire(new Router(), { maxLineLength: 64 });
  const call = w.peer.call("x");
  await w.send("x".repeat(100));
  await assert.rejects(call, /Line exceeds the limit of 64 bytes/);
  await assert.rejects(w.peer.done, RpcClosedError);
  await w.close();
});

const ping = (id: number) => ({ jsonrpc: "2.0", id, method: "ping" });
const pong = (id: number) => ({ jsonrpc: "2.0", id, result: "pong" });

Deno.test("RpcPeer handles a batch and writes its answer 64 messages per event-loop turn", async () => {
  // 2,560 requests: 40 steps to dispatch, 40 to encode the answer, each
  // step in its own macrotask; handled whole, the batch took at most 2.
  let handled = 0;
  const w = wire(new Router().method("ping", () => (handled++, "pong")));
  const ids = Array.from({ length: 2560 }, (_, i) => i + 1);
  let answer: unknown;
  const turns = await turnsDuring(async () => {
    await w.send(JSON.stringify(ids.map(ping)));
    answer = await w.next(10_000);
  });
  assert.deepEqual(answer, ids.map(pong));
  assert.equal(handled, 2560);
  assert.ok(turns >= 78, `the event loop turned ${turns} times`);
  await w.close();
});

Deno.test("RpcPeer settles its calls from a batch of 300 responses, across steps", async () => {
  const w = wire(new Router());
  const calls = Array.from({ length: 300 }, (_, i) => w.peer.call("square", [i]));
  const ids: number[] = [];
  for (let i = 0; i < 300; i++) ids.push((await w.next() as { id: number }).id);
  await w.send(JSON.stringify(ids.map((id) => ({ jsonrpc: "2.0", id, result: (id - 1) ** 2 }))));
  assert.deepEqual(await Promise.all(calls), ids.map((id) => (id - 1) ** 2));
  assert.equal(w.peer.pendingCalls, 0);
  await w.close();
});

Deno.test("RpcPeer answers a batch over maxBatchSize with one error and handles none of it", async () => {
  let handled = 0;
  const errors: string[] = [];
  const w = wire(new Router().method("ping", () => (handled++, "pong")), {
    maxBatchSize: 3,
    onProtocolError: (error) => errors.push(error.message),
  });
  await w.send(JSON.stringify([1, 2, 3].map(ping)));
  assert.deepEqual(await w.next(), [1, 2, 3].map(pong));
  await w.send(JSON.stringify([1, 2, 3, 4].map(ping)));
  assert.deepEqual(await w.next(), {
    jsonrpc: "2.0",
    id: null,
    error: {
      code: -32600,
      message: "Invalid Request",
      data: "The batch holds 4 messages, more than the limit of 3; none was handled",
    },
  });
  assert.equal(await w.next(50), undefined); // nothing more comes
  assert.equal(handled, 3);
  assert.deepEqual(errors, ["Received a batch of 4 messages, more than the limit of 3"]);
  // Commas inside strings and nested values are not batch elements.
  await w.send(JSON.stringify([{ ...ping(5), params: [[1, 2, 3, 4], { a: 1, b: 2 }, ",,,,"] }]));
  assert.deepEqual(await w.next(), [pong(5)]);
  await w.close();
});

Deno.test("RpcPeer fails the connection on a line nested deeper than maxDepth", async (t) => {
  await t.step("at the limit the line is read, one deeper breaks the connection", async () => {
    const w = wire(new Router().method("ping", () => "pong"), { maxDepth: 4 });
    const call = w.peer.call("x");
    assert.deepEqual(await w.next(), { jsonrpc: "2.0", id: 1, method: "x" });
    // The request object is level 1, its params array 2.
    await w.send(JSON.stringify({ ...ping(1), params: [[[1]]] }));
    assert.deepEqual(await w.next(), pong(1));
    // Brackets and escaped quotes inside strings do not nest.
    await w.send(JSON.stringify({ ...ping(2), params: ['\\"[[[[{{{{', "\\", '"[[[['] }));
    assert.deepEqual(await w.next(), pong(2));
    await w.send(JSON.stringify({ ...ping(3), params: [[[[1]]]] }));
    await assert.rejects(call, {
      name: "RpcClosedError",
      message: "The connection failed: Line nests deeper than the limit of 4 levels",
    });
    await assert.rejects(w.peer.done, RpcClosedError);
    assert.equal(await w.next(50), undefined); // nothing more comes
    await w.close();
  });
  await t.step("a 1 MiB line is scanned 16 KiB per event-loop turn", async () => {
    const w = wire(new Router().method("ping", () => "pong"));
    const params = Array.from({ length: 1 << 19 }, () => 0); // "0," × 512 Ki
    let answer: unknown;
    const turns = await turnsDuring(async () => {
      await w.send(JSON.stringify({ ...ping(1), params }));
      answer = await w.next(10_000);
    });
    assert.deepEqual(answer, pong(1));
    assert.ok(turns >= 63, `the event loop turned ${turns} times`);
    await w.close();
  });
  await t.step('with tooDeep "answer": answered with -32600 and skipped', async () => {
    const errors: string[] = [];
    const w = wire(new Router().method("ping", () => "pong"), {
      maxDepth: 4,
      tooDeep: "answer",
      onProtocolError: (error) => errors.push(error.message),
    });
    await w.send(JSON.stringify({ ...ping(1), params: [[[[1]]]] }));
    await w.send(JSON.stringify(ping(2)));
    assert.deepEqual(await w.next(), {
      jsonrpc: "2.0",
      id: null,
      error: {
        code: -32600,
        message: "Invalid Request",
        data: "Line nests deeper than the limit of 4 levels; it was skipped",
      },
    });
    assert.deepEqual(await w.next(), pong(2));
    assert.deepEqual(errors, ["Line nests deeper than the limit of 4 levels; it was skipped"]);
    await w.close();
  });
  await t.step("the default limit is 1,000 levels", async () => {
    const w = wire(new Router().method("ping", () => "pong"));
    const deep = (levels: number) => "[".repeat(levels) + "]".repeat(levels);
    await w.send(`{"jsonrpc":"2.0","id":1,"method":"ping","params":${deep(999)}}`);
    assert.deepEqual(await w.next(10_000), pong(1));
    await w.send(`{"jsonrpc":"2.0","id":2,"method":"ping","params":${deep(1_000_000)}}`);
    await assert.rejects(w.peer.done, {
      message: "The connection failed: Line nests deeper than the limit of 1000 levels",
    });
    await w.close();
  });
});

Deno.test("RpcPeer refuses a maxBatchSize or maxDepth that is not a positive integer", () => {
  const streams = () => [new ReadableStream(), new WritableStream()] as const;
  for (
    const [option, value] of [["maxBatchSize", 0], ["maxDepth", 1.5], ["maxDepth", -1]] as const
  ) {
    assert.throws(() => new RpcPeer(...streams(), { [option]: value }), {
      name: "RangeError",
      message: `Option ${option} must be an integer from 1 to 9007199254740991, got ${value}`,
    });
  }
});

Deno.test("RpcPeer reports responses with unknown ids", async () => {
  const errors: string[] = [];
  const input = new TransformStream<Uint8Array, Uint8Array>();
  const peer = new RpcPeer(input.readable, new WritableStream(), {
    onProtocolError: (error) => errors.push(error.message),
  });
  const writer = input.writable.getWriter();
  await writer.write(encoder.encode('{"jsonrpc":"2.0","id":99,"result":1}\n'));
  await writer.close();
  await peer.done;
  assert.deepEqual(errors, ["Received a response with unknown id 99"]);
  await peer.close();
});

Deno.test("RpcPeer hands scalar and null params to the handler", async (t) => {
  const seen: unknown[] = [];
  const router = new Router().method("echo", (params) => {
    seen.push(params);
    return params ?? "absent";
  });
  const w = wire(router);
  const cases: [string, unknown][] = [
    ["a number", 7],
    ["a big number", 1e300],
    ["a string", "text"],
    ["a boolean", false],
    ["null", null],
  ];
  for (const [id, [name, params]] of cases.entries()) {
    await t.step(name, async () => {
      await w.send(JSON.stringify({ jsonrpc: "2.0", id, method: "echo", params }));
      const expected = params === null ? "absent" : params;
      assert.deepEqual(await w.next(), { jsonrpc: "2.0", id, result: expected });
      assert.equal(seen.at(-1), params);
    });
  }
  await t.step("a notification with a scalar", async () => {
    await w.send('{"jsonrpc":"2.0","method":"echo","params":5}');
    await w.send('{"jsonrpc":"2.0","id":"after","method":"echo","params":6}');
    assert.deepEqual(await w.next(), { jsonrpc: "2.0", id: "after", result: 6 });
    assert.deepEqual(seen.slice(-2), [5, 6]);
  });
  await t.step("still refuses requests that are invalid otherwise", async () => {
    await w.send('{"jsonrpc":"2.0","id":1,"method":5,"params":5}');
    assert.deepEqual(await w.next(), {
      jsonrpc: "2.0",
      id: 1,
      error: { code: -32600, message: "Invalid Request" },
    });
    await w.send('{"jsonrpc":"1.0","id":2,"method":"echo","params":5}');
    assert.deepEqual(await w.next(), {
      jsonrpc: "2.0",
      id: 2,
      error: { code: -32600, message: "Invalid Request" },
    });
    await w.send('{"jsonrpc":"2.0","id":null,"method":"echo","params":5}');
    assert.deepEqual(await w.next(), {
      jsonrpc: "2.0",
      id: null,
      error: { code: -32600, message: "Invalid Request" },
    });
  });
  await w.close();
});

Deno.test("RpcPeer sends any JSON value as params, and omits them only when none are given", async () => {
  const w = wire(new Router());
  const sent = async (params: unknown[]) => {
    const call = (w.peer.call as (...args: unknown[]) => Promise<unknown>)("m", ...params);
    call.catch(() => {});
    return await w.next();
  };
  assert.deepEqual(await sent([3]), { jsonrpc: "2.0", id: 1, method: "m", params: 3 });
  assert.deepEqual(await sent(["s"]), { jsonrpc: "2.0", id: 2, method: "m", params: "s" });
  assert.deepEqual(await sent([null]), { jsonrpc: "2.0", id: 3, method: "m", params: null });
  assert.deepEqual(await sent([true]), { jsonrpc: "2.0", id: 4, method: "m", params: true });
  assert.deepEqual(await sent([[]]), { jsonrpc: "2.0", id: 5, method: "m", params: [] });
  assert.deepEqual(await sent([]), { jsonrpc: "2.0", id: 6, method: "m" });
  assert.deepEqual(await sent([undefined]), { jsonrpc: "2.0", id: 7, method: "m" });
  await w.peer.notify("n", 0);
  assert.deepEqual(await w.next(), { jsonrpc: "2.0", method: "n", params: 0 });
  await w.peer.notify("n");
  assert.deepEqual(await w.next(), { jsonrpc: "2.0", method: "n" });
  await w.close();
});

Deno.test("RpcPeer sends null params when missingParams is null", async () => {
  const input = new TransformStream<Uint8Array, Uint8Array>();
  const output = new TransformStream<Uint8Array, Uint8Array>();
  const peer = new RpcPeer(input.readable, output.writable, { missingParams: "null" });
  const lines = output.readable.pipeThrough(new TextDecoderStream()).getReader();
  peer.call("a").catch(() => {});
  peer.call("b", 1).catch(() => {});
  const notified = peer.notify("c");
  let text = "";
  while (text.split("\n").length < 4) text += (await lines.read()).value;
  assert.deepEqual(text.trim().split("\n").map((line) => JSON.parse(line)), [
    { jsonrpc: "2.0", id: 1, method: "a", params: null },
    { jsonrpc: "2.0", id: 2, method: "b", params: 1 },
    { jsonrpc: "2.0", method: "c", params: null },
  ]);
  await notified;
  assert.throws(
    () => new RpcPeer(input.readable, new WritableStream(), { missingParams: "none" as "null" }),
    TypeError,
  );
  await peer.close();
  await lines.cancel();
});

Deno.test("RpcPeer keeps integers beyond 2^53 exact with largeIntegers bigint", async (t) => {
  const aToB = new TransformStream<Uint8Array, Uint8Array>();
  const bToA = new TransformStream<Uint8Array, Uint8Array>();
  const seen: unknown[] = [];
  const router = new Router().method("echo", (params) => {
    seen.push(params);
    return params;
  });
  const a = new RpcPeer(bToA.readable, aToB.writable, { largeIntegers: "bigint" });
  const b = new RpcPeer(aToB.readable, bToA.writable, { router, largeIntegers: "bigint" });
  const u64 = 18446744073709551615n;
  await t.step("a bigint as params and result", async () => {
    assert.equal(await a.call("echo", u64), u64);
    assert.equal(seen.at(-1), u64);
  });
  await t.step("nested, negative, and safe integers stay numbers", async () => {
    const value = { big: [-(2n ** 63n), 2n ** 53n], small: 42, float: 0.5, huge: 1e300 };
    assert.deepEqual(await a.call("echo", value), value);
  });
  await a.close();
  await b.close();
  await t.step("without it, digits are lost and a bigint cannot be sent", async () => {
    const w = wire(new Router());
    await assert.rejects(w.peer.call("echo", 1n), TypeError);
    await assert.rejects(w.peer.notify("echo", 1n), TypeError);
    const call = w.peer.call("echo", 1);
    await w.next();
    await w.send('{"jsonrpc":"2.0","id":2,"result":18446744073709551615}');
    assert.equal(await call, 18446744073709552000);
    await w.close();
  });
});

Deno.test("RpcPeer survives an onProtocolError that throws, and still answers", async () => {
  const w = wire(new Router().method("ping", () => "pong"), {
    onProtocolError: () => {
      throw new Error("a careless handler");
    },
  });
  await w.send("not json");
  assert.deepEqual(await w.next(), {
    jsonrpc: "2.0",
    id: null,
    error: { code: ErrorCode.ParseError, message: "Parse error" },
  });
  await w.send('{"jsonrpc":"2.0","id":1,"method":"ping"}');
  assert.deepEqual(await w.next(), { jsonrpc: "2.0", id: 1, result: "pong" });
  await w.close();
});
