/**
 * Fuzz target (b): random bytes and mutated JSON-RPC messages into the
 * framing stages (`LineSplitStream`, `JsonLineDecoderStream`) and into a
 * `RpcPeer`.
 *
 * Oracles: the framing stages agree with a simple reference (split at `\n`,
 * a `RangeError` exactly when a line is longer than the cap; strict UTF-8,
 * blank lines skipped, `JSON.parse`); the peer throws nothing uncaught,
 * writes only valid responses, answers every request at most once (valid
 * requests exactly once), never runs a request of a batch over its
 * `maxBatchSize`, and still answers a final request.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  InvalidJsonLine,
  isRequest,
  isResponse,
  JsonLineDecoderStream,
  LineSplitStream,
  Router,
  RpcPeer,
} from "../../src/rpc/mod.ts";
import { Prng } from "./_prng.ts";
import type { Failure, FuzzOptions, FuzzReport } from "./_report.ts";

const encoder = new TextEncoder();
const strict = new TextDecoder("utf-8", { fatal: true });

/** The corpus lines. */
export async function rpcSeeds(): Promise<string[]> {
  const text = await Deno.readTextFile(
    new URL("corpus/rpc/messages.jsonl", import.meta.url),
  );
  return text.split("\n").filter((line) => line !== "");
}

/** Splits `bytes` into 1..8 random chunks. */
function chunks(rng: Prng, bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  const n = 1 + rng.int(8);
  for (let i = 1; i < n; i++) {
    const next = at + rng.int(bytes.length - at + 1);
    out.push(bytes.subarray(at, next));
    at = next;
  }
  out.push(bytes.subarray(at));
  return out;
}

const ODD_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  -0,
  "",
  "x".repeat(1000),
  [],
  {},
  [null],
  { __proto__: 1 },
  "\u2028\ud800",
  Number.MAX_SAFE_INTEGER + 2,
];

const DEEP_MARKER = "\u0000deep";
const DEEP = `${"[".repeat(200_000)}1${"]".repeat(200_000)}`;

/** Mutates a parsed message's structure. */
function mutateValue(rng: Prng, value: unknown): unknown {
  if (rng.chance(0.1)) return rng.pick(ODD_VALUES);
  if (Array.isArray(value)) {
    const copy = value.map((v) => (rng.chance(0.3) ? mutateValue(rng, v) : v));
    if (rng.chance(0.2)) copy.push(mutateValue(rng, rng.pick(ODD_VALUES)));
    return copy;
  }
  if (typeof value === "object" && value !== null) {
    const copy: Record<string, unknown> = { ...value };
    const keys = ["jsonrpc", "id", "method", "params", "result", "error"];
    const key = rng.pick(keys);
    switch (rng.int(4)) {
      case 0:
        delete copy[key];
        break;
      case 1:
        copy[key] = rng.pick(ODD_VALUES);
        break;
      case 2:
        copy[key] = mutateValue(rng, copy[key]);
        break;
      default:
        // Deep nesting (spliced in as text, also by the corpus line with the
        // marker): JSON.parse copes, JSON.stringify
        // of an echo may not.
        if (rng.chance(0.2)) copy.params = [DEEP_MARKER];
    }
    return copy;
  }
  return value;
}

/** Mutates a line's bytes. */
function mutateBytes(rng: Prng, line: Uint8Array): Uint8Array {
  const bytes = line.slice();
  switch (rng.int(4)) {
    case 0:
      for (let i = 0; i < 1 + rng.int(4) && bytes.length > 0; i++) {
        bytes[rng.int(bytes.length)]! ^= 1 << rng.int(8);
      }
      return bytes.map((b) => (b === 10 ? 32 : b));
    case 1:
      return bytes.subarray(0, rng.int(bytes.length + 1));
    case 2:
      return rng.bytes(rng.int(64)).map((b) => (b === 10 ? 0x80 : b));
    default:
      return encoder.encode(`\r ${new TextDecoder().decode(bytes)}\r`);
  }
}

interface PeerInput {
  lines: Uint8Array[];
  /** Ids we gave requests that are valid on their own line: exactly one answer each. */
  valid: Set<string>;
  /** Every id we gave out: at most one answer each. */
  given: Set<string>;
  /** Requests in batches over the limit: never answered one by one. */
  refused: Set<string>;
  how: string[];
}

/** The fuzzed peer's `maxBatchSize` (small, so that batches over it are cheap). */
const MAX_BATCH = 64;

/** The lines of iteration `i`. */
export function peerInput(seeds: readonly string[], seed: number, i: number): PeerInput {
  const rng = Prng.for(seed, i);
  const input: PeerInput = {
    lines: [],
    valid: new Set(),
    given: new Set(),
    refused: new Set(),
    how: [],
  };
  const count = 1 + rng.int(20);
  for (let n = 0; n < count; n++) {
    if (rng.chance(0.05)) {
      // A batch of echo requests around the peer's batch limit: one over it
      // is answered with one -32600 and none of its requests is run.
      const size = MAX_BATCH - 4 + rng.int(9);
      const ids = Array.from({ length: size }, (_, k) => `q${i}.${n}.b${k}`);
      const batch = ids.map((id) => ({ jsonrpc: "2.0", id, method: "echo", params: [id] }));
      for (const id of ids) {
        input.given.add(id);
        (size > MAX_BATCH ? input.refused : input.valid).add(id);
      }
      input.lines.push(encoder.encode(JSON.stringify(batch)));
      input.how.push(`batch of ${size}`);
      continue;
    }
    const text = rng.pick(seeds);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      input.lines.push(mutateBytes(rng, encoder.encode(text)));
      input.how.push("bytes");
      continue;
    }
    if (rng.chance(0.5)) value = mutateValue(rng, value);
    // Unique ids for requests, so that answers can be counted.
    const stamp = (message: unknown) => {
      if (typeof message !== "object" || message === null || Array.isArray(message)) return;
      const m = message as Record<string, unknown>;
      if ("method" in m && "id" in m && rng.chance(0.8)) {
        m.id = `q${i}.${n}.${input.given.size}`;
        input.given.add(m.id as string);
      }
    };
    if (Array.isArray(value)) value.forEach(stamp);
    else stamp(value);
    const deep = rng.chance(0.2) ? DEEP : "[1]";
    const json = JSON.stringify(value);
    // A line nested deeper than the peer's maxDepth is answered with id null.
    const tooDeep = deep === DEEP && json.includes(JSON.stringify(DEEP_MARKER));
    if (
      isRequest(value) && typeof value.id === "string" && value.id.startsWith("q") && !tooDeep
    ) {
      input.valid.add(value.id);
    }
    let line: Uint8Array = encoder.encode(json.replaceAll(JSON.stringify(DEEP_MARKER), deep));
    if (rng.chance(0.15)) {
      line = mutateBytes(rng, line);
      input.valid.clear(); // the mutation may have broken any of them
      input.how.push("value+bytes");
    } else {
      input.how.push("value");
    }
    input.lines.push(line);
  }
  return input;
}

/** The framing stages against the reference. */
async function fuzzFraming(rng: Prng, bytes: Uint8Array): Promise<void> {
  const max = rng.pick([1, 4, 16, 64, 1 << 20]);
  const expected: Uint8Array[] = [];
  let start = 0;
  for (;;) {
    const newline = bytes.indexOf(10, start);
    if (newline === -1) break;
    expected.push(bytes.subarray(start, newline));
    start = newline + 1;
  }
  if (start < bytes.length) expected.push(bytes.subarray(start));
  const tooLong = expected.findIndex((line) => line.length > max);

  const lines: Uint8Array[] = [];
  let error: unknown;
  try {
    for await (
      const line of ReadableStream.from(chunks(rng, bytes)).pipeThrough(
        new LineSplitStream({ maxLineLength: max }),
      )
    ) lines.push(line.slice());
  } catch (e) {
    error = e;
  }
  if (tooLong === -1) {
    assert.equal(error, undefined, `LineSplitStream failed: ${error}`);
    assert.deepEqual(lines, expected.map((l) => l.slice()));
  } else {
    assert.ok(error instanceof RangeError, `expected RangeError, got ${error}`);
    assert.ok(lines.length <= tooLong, "a line past the long one was emitted");
    assert.deepEqual(lines, expected.slice(0, lines.length).map((l) => l.slice()));
  }

  // The decoder, line by line, against strict UTF-8 + JSON.parse.
  const values = await Array.fromAsync(
    ReadableStream.from(expected).pipeThrough(new JsonLineDecoderStream()),
  );
  const reference: unknown[] = [];
  for (const line of expected) {
    let text: string;
    try {
      text = strict.decode(line);
    } catch {
      reference.push("invalid");
      continue;
    }
    if (text.trim() === "") continue;
    try {
      reference.push(JSON.parse(text));
    } catch {
      reference.push("invalid");
    }
  }
  // Compared as text: deepEqual would overflow the stack on deep nesting.
  const summary = (v: unknown) => {
    try {
      return JSON.stringify(v);
    } catch {
      return "too deep to compare";
    }
  };
  assert.deepEqual(
    values.map((v) => (v instanceof InvalidJsonLine ? "invalid" : summary(v))),
    reference.map((v) => (v === "invalid" ? v : summary(v))),
  );
}

/** One peer, fed one input; throws on a broken oracle. */
async function fuzzPeer(rng: Prng, input: PeerInput): Promise<void> {
  const toPeer = new TransformStream<Uint8Array, Uint8Array>();
  const fromPeer = new TransformStream<Uint8Array, Uint8Array>();
  const router = new Router()
    .method("echo", (params) => params)
    .method("fail", () => {
      throw new Error("failed on purpose");
    })
    .method("slow", async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return "slow";
    })
    .method("nothing", () => undefined)
    // Results JSON cannot hold: answered with -32603 (c92bb34 crashed here).
    .method("bigint", () => 1n)
    .method("cycle", () => {
      const cycle: Record<string, unknown> = {};
      cycle.self = cycle;
      return cycle;
    })
    .method("checked", ([n]: [number]) => n * 2, {
      params: (raw) => {
        if (!Array.isArray(raw) || typeof raw[0] !== "number") throw new Error("want [number]");
        return raw as [number];
      },
    });
  const peer = new RpcPeer(toPeer.readable, fromPeer.writable, {
    router,
    maxLineLength: 1 << 20,
    // Lines too deep are answered and skipped, so the final request still is.
    tooDeep: "answer",
    maxBatchSize: MAX_BATCH,
  });
  const ours = [peer.call("remote", [1]), peer.call("remote", [2])].map((p) =>
    p.then(() => "resolved", () => "rejected")
  );
  const writer = toPeer.writable.getWriter();
  const parts = [...input.lines, encoder.encode(SENTINEL)];
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    all[at + part.length] = 10;
    at += part.length + 1;
  }
  const writing = (async () => {
    for (const chunk of chunks(rng, all)) await writer.write(chunk);
  })();
  writing.catch(() => {});

  const answers = new Map<string, number>();
  let sentinel = 0;
  const reader = fromPeer.readable.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const count = (response: unknown) => {
    if (isRequest(response) && response.method === "remote") return; // our own calls
    assert.ok(isResponse(response), `not a response: ${JSON.stringify(response).slice(0, 200)}`);
    const id = (response as { id: unknown }).id;
    if (id === "sentinel") {
      sentinel++;
      assert.deepEqual((response as { result: unknown }).result, ["ok"]);
    } else if (typeof id === "string") {
      answers.set(id, (answers.get(id) ?? 0) + 1);
    }
  };
  let sawSentinel!: () => void;
  const sentinelSeen = new Promise<void>((resolve) => sawSentinel = resolve);
  // Read all the time, so that the peer's output never backs up.
  const reading = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffered += value;
      let newline;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const message = JSON.parse(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        if (Array.isArray(message)) {
          assert.ok(message.length > 0, "an empty batch answer");
          message.forEach(count);
        } else {
          count(message);
        }
        if (sentinel > 0) sawSentinel();
      }
    }
  })();
  reading.catch(() => {});
  await withWatchdog(Promise.race([sentinelSeen, reading]), "the final request was not answered");
  // Let slow handlers answer, then close and read the rest.
  await new Promise((resolve) => setTimeout(resolve, 3));
  await withWatchdog(writer.close().catch(() => {}), "our input did not close");
  await withWatchdog(peer.close(), "the peer did not close");
  await withWatchdog(reading, "the peer's output did not end");
  assert.equal(sentinel, 1, "the final request was answered more than once");
  for (const [id, n] of answers) {
    // Ids we did not stamp (corpus ids, mutated ones) may repeat on purpose.
    if (input.given.has(id)) assert.ok(n <= 1, `request ${id} answered ${n} times`);
  }
  for (const id of input.valid) assert.equal(answers.get(id), 1, `request ${id} not answered`);
  for (const id of input.refused) {
    assert.equal(answers.get(id), undefined, `request ${id} of a batch over the limit was run`);
  }
  const settled = await withWatchdog(Promise.all(ours), "our calls did not settle at close");
  assert.equal(settled.length, 2);
  await writing.catch(() => {});
}

const SENTINEL = '{"jsonrpc":"2.0","id":"sentinel","method":"echo","params":["ok"]}';

async function withWatchdog<T>(promise: Promise<T>, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`hang: ${message}`)), 10_000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Fuzzes the framing stages and the peer for `options.seconds`. */
export async function fuzzRpc(options: FuzzOptions): Promise<FuzzReport> {
  const seeds = await rpcSeeds();
  const outcomes: Record<string, number> = { framing: 0, peer: 0 };
  const failures: Failure[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (event: PromiseRejectionEvent) => {
    unhandled.push(event.reason);
    event.preventDefault();
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  const deadline = performance.now() + options.seconds * 1000;
  const first = options.from ?? 0;
  let i = first;
  try {
    for (; performance.now() < deadline && (options.iterations ?? Infinity) > i - first; i++) {
      const rng = Prng.for(options.seed, i);
      const input = peerInput(seeds, options.seed, i);
      const framed = rng.chance(0.5);
      const how = `${framed ? "framing" : "peer"}: ${input.how.join(", ")}`;
      try {
        if (framed) {
          const random = rng.chance(0.3);
          const bytes = random ? rng.bytes(rng.int(512)) : joinLines(input.lines);
          await fuzzFraming(rng, bytes);
          outcomes.framing!++;
        } else {
          await fuzzPeer(rng, input);
          outcomes.peer!++;
        }
      } catch (error) {
        failures.push({
          iteration: i,
          message: (error as Error).message.slice(0, 500),
          input: how,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (unhandled.length > 0) {
        const reason = unhandled.splice(0).map(String).join("; ");
        failures.push({ iteration: i, message: `unhandled rejection: ${reason}`, input: how });
      }
    }
  } finally {
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
  }
  return {
    target: "rpc",
    seed: options.seed,
    executions: i - first,
    outcomes,
    failures,
    notes: [],
  };
}

function joinLines(lines: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(lines.reduce((n, l) => n + l.length + 1, 0));
  let at = 0;
  for (const line of lines) {
    out.set(line, at);
    out[at + line.length] = 10;
    at += line.length + 1;
  }
  return out;
}
