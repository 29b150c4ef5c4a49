// A small guest kit for wasmi-plugins in AssemblyScript (with
// @assemblyscript/wasi-shim): serves JSON-RPC 2.0 methods to the host over
// stdio, one message per line, and calls the host's methods.
//
// The protocol as this kit implements it:
// - Every message is one line; each is written with one fd_write (nothing
//   is buffered). Blank lines are ignored. Reads block: the host suspends
//   the guest meanwhile.
// - A request's id (number, string or null) is echoed: a number as its
//   original text, a string re-encoded (the same JSON value).
// - A notification (no id) runs its handler and is never answered.
// - A line that is not JSON is answered with -32700 and id null; a message
//   that is not a request object (a batch included) with -32600; an unknown
//   method with -32601 ("Method not found: NAME").
// - `callHost` writes a request with ids 1, 2, 3, ... and reads stdin until
//   the response with its id arrives. Requests from the host arriving
//   meanwhile are handled re-entrantly; responses to other pending calls
//   are kept for them; responses with unknown ids are logged and ignored.
// - `serve` returns when stdin reaches EOF; `_start` then returns (exit 0).
// - `log` writes one line "LEVEL message" to stderr.

import { JSONKind, JSONValue, parse, parseError, writeString } from "./json";

export const PARSE_ERROR: i64 = -32700;
export const INVALID_REQUEST: i64 = -32600;
export const METHOD_NOT_FOUND: i64 = -32601;
export const INVALID_PARAMS: i64 = -32602;
export const INTERNAL_ERROR: i64 = -32603;

/** A method's answer, or a host call's: a result or an error. */
export class Reply {
  isError: bool = false;
  result: JSONValue = JSONValue.null();
  code: i64 = 0;
  message: string = "";
  data: JSONValue | null = null;

  static ok(result: JSONValue): Reply {
    const reply = new Reply();
    reply.result = result;
    return reply;
  }

  static error(
    code: i64,
    message: string,
    data: JSONValue | null = null,
  ): Reply {
    const reply = new Reply();
    reply.isError = true;
    reply.code = code;
    reply.message = message;
    reply.data = data;
    return reply;
  }
}

/** A method handler: `params` is the request's params (null when absent). */
export type Handler = (params: JSONValue | null) => Reply;

/** Writes one line "LEVEL message" to stderr. */
export function log(level: string, message: string): void {
  process.stderr.write(level + " " + message + "\n");
}

/** The params as an array of exactly `count` values, or null. */
export function positional(
  params: JSONValue | null,
  count: i32,
): JSONValue[] | null {
  if (
    params === null || params.kind != JSONKind.Array ||
    params.items.length != count
  ) {
    return null;
  }
  return params.items;
}

// Stdin, split into lines.
class LineReader {
  buffer: Uint8Array = new Uint8Array(65536);
  start: i32 = 0;
  end: i32 = 0;
  eof: bool = false;

  /** The next line without its "\n" (a last line without one counts), or null at EOF. */
  next(): string | null {
    let scanned = this.start;
    while (true) {
      for (let i = scanned; i < this.end; i++) {
        if (this.buffer[i] == 0x0a) {
          const line = this.decode(this.start, i);
          this.start = i + 1;
          return line;
        }
      }
      if (this.eof) {
        if (this.start == this.end) return null;
        const line = this.decode(this.start, this.end);
        this.start = this.end;
        return line;
      }
      const unread = this.end - this.start; // scanned already, no "\n"
      this.fill(); // moves the unread bytes to the front
      scanned = this.start + unread;
    }
  }

  decode(from: i32, to: i32): string {
    return String.UTF8.decodeUnsafe(
      this.buffer.dataStart + <usize> from,
      <usize> (to - from),
    );
  }

  /** Reads more bytes: moves unread data to the front, grows when full. */
  fill(): void {
    if (this.start > 0) {
      this.buffer.copyWithin(0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
    if (this.end == this.buffer.length) {
      const bigger = new Uint8Array(this.buffer.length * 2);
      bigger.set(this.buffer);
      this.buffer = bigger;
    }
    const n = process.stdin.read(this.buffer.buffer, this.end);
    if (n == 0) this.eof = true;
    this.end += n;
  }
}

class Wait {
  response: JSONValue | null = null;
  constructor(public id: i64) {}
}

const input = new LineReader();
const methods = new Map<string, Handler>();
const waiting: Wait[] = [];
let nextId: i64 = 0;

function send(message: string): void {
  process.stdout.write(message + "\n");
}

function answer(id: JSONValue | null, reply: Reply): void {
  const parts: string[] = [
    '{"jsonrpc":"2.0","id":',
    id === null ? "null" : id.stringify(),
  ];
  if (reply.isError) {
    parts.push(',"error":{"code":' + reply.code.toString() + ',"message":');
    writeString(parts, reply.message);
    const data = reply.data;
    if (data !== null) parts.push(',"data":' + data.stringify());
    parts.push("}}");
  } else {
    parts.push(',"result":' + reply.result.stringify() + "}");
  }
  send(parts.join(""));
}

function handleLine(line: string): void {
  if (line.trim().length == 0) return;
  const msg = parse(line);
  if (msg === null) {
    answer(null, Reply.error(PARSE_ERROR, "Parse error: " + parseError));
    return;
  }
  const id = msg.get("id");
  const method = msg.get("method");
  const version = msg.get("jsonrpc");
  let validId = true;
  if (id !== null) {
    validId = id.kind == JSONKind.Number || id.kind == JSONKind.String ||
      id.kind == JSONKind.Null;
  }
  let validVersion = false;
  if (version !== null) {
    validVersion = version.isString() && version.text == "2.0";
  }
  if (msg.kind != JSONKind.Object || !validId || !validVersion) {
    answer(
      msg.kind == JSONKind.Object && validId ? id : null,
      Reply.error(INVALID_REQUEST, "Invalid Request"),
    );
    return;
  }
  if (
    method === null && id !== null &&
    (msg.get("result") !== null || msg.get("error") !== null)
  ) {
    // A response: find the host call waiting for it.
    for (let i = waiting.length - 1; i >= 0; i--) {
      const w = waiting[i];
      if (
        id.kind == JSONKind.Number && id.isInteger && id.int == w.id &&
        w.response === null
      ) {
        w.response = msg;
        return;
      }
    }
    log("WARN", "ignoring a response with unknown id " + id.stringify());
    return;
  }
  if (method === null || !method.isString()) {
    answer(id, Reply.error(INVALID_REQUEST, "Invalid Request"));
    return;
  }
  let reply: Reply;
  if (methods.has(method.text)) {
    const handler = methods.get(method.text);
    reply = handler(msg.get("params"));
  } else {
    reply = Reply.error(METHOD_NOT_FOUND, "Method not found: " + method.text);
  }
  if (id !== null) {
    answer(id, reply);
  } else if (reply.isError) {
    log("WARN", "notification " + method.text + " failed: " + reply.message);
  }
}

/**
 * Calls host method `method` with `params` (an array or object; null for
 * none) and waits for its response: its result, or its error unchanged
 * (-32603 when stdin closes first).
 */
export function callHost(method: string, params: JSONValue | null): Reply {
  nextId++;
  const wait = new Wait(nextId);
  const parts: string[] = [
    '{"jsonrpc":"2.0","id":' + wait.id.toString() + ',"method":',
  ];
  writeString(parts, method);
  if (params !== null) parts.push(',"params":' + params.stringify());
  parts.push("}");
  send(parts.join(""));
  waiting.push(wait);
  while (wait.response === null) {
    const line = input.next();
    if (line === null) break;
    handleLine(line);
  }
  waiting.splice(waiting.indexOf(wait), 1);
  const response = wait.response;
  if (response === null) {
    return Reply.error(
      INTERNAL_ERROR,
      "stdin closed while waiting for host method " + method,
    );
  }
  const error = response.get("error");
  if (error !== null) {
    const code = error.get("code");
    const message = error.get("message");
    return Reply.error(
      code !== null && code.isInteger ? code.int : INTERNAL_ERROR,
      message !== null && message.isString() ? message.text : "",
      error.get("data"),
    );
  }
  const result = response.get("result");
  return Reply.ok(result !== null ? result : JSONValue.null());
}

/** Registers a method. */
export function method(name: string, handler: Handler): void {
  methods.set(name, handler);
}

/** Serves the registered methods until stdin reaches EOF. */
export function serve(): void {
  while (true) {
    const line = input.next();
    if (line === null) return;
    handleLine(line);
  }
}
