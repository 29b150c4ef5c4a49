// The JSON-RPC model of a JavaScript plugin: the globals `plugin`, `host`,
// `console` and `RpcError`, and the message loop the runtime (main.rs) drives
// through `handleLine(line)`, `answer`, `fail`, `ready()` and `finish()`
// (called only while `pending` holds host calls). The same model as the
// Rust kit (crates/pdk): see docs there and README's "Plugins in TypeScript".
(() => {
  "use strict";
  const native = globalThis.__native;
  delete globalThis.__native;
  Math.random = native.random;

  const PARSE_ERROR = -32700;
  const INVALID_REQUEST = -32600;
  const METHOD_NOT_FOUND = -32601;
  const INVALID_PARAMS = -32602;
  const INTERNAL_ERROR = -32603;
  const METHOD_FAILED = -32000;

  /** True while the script's top level runs (at build time when pre-initialised). */
  let topLevel = true;
  /** What the top level did that it may not (reported by `ready`). */
  let topLevelFault;

  class RpcError extends Error {
    constructor(code, message, data) {
      super(message);
      this.name = "RpcError";
      this.code = code;
      if (data !== undefined) this.data = data;
    }
  }

  // ---- JSON with exact large integers ----------------------------------
  // Integers outside the safe range (2^53) are read as BigInt and BigInt
  // values are written with all their digits. The runtime hands over lines
  // with a run of 16 digits (the only ones that can hold such an integer) as
  // { exact: text }, for parseExact; others take the native parser.
  const WS = /[ \t\n\r]*/y;
  // deno-lint-ignore no-control-regex -- JSON strings exclude the control characters
  const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
  const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
  const LITERAL = /true|false|null/y;

  function parseExact(text) {
    let at = 0;
    const fail = () => {
      throw new SyntaxError(`unexpected ${at < text.length ? "input" : "end"} at position ${at}`);
    };
    const skip = () => {
      WS.lastIndex = at;
      WS.exec(text);
      at = WS.lastIndex;
    };
    const token = (pattern) => {
      pattern.lastIndex = at;
      const match = pattern.exec(text);
      if (match === null) fail();
      at = pattern.lastIndex;
      return match;
    };
    const expect = (char) => {
      skip();
      if (text[at] !== char) fail();
      at++;
    };
    const more = (close) => {
      skip();
      if (text[at] === ",") return at++, true;
      if (text[at] === close) return at++, false;
      fail();
    };
    const value = () => {
      skip();
      const char = text[at];
      if (char === "{") {
        at++;
        const object = {};
        skip();
        if (text[at] === "}") return at++, object;
        do {
          skip();
          const key = JSON.parse(token(STRING)[0]);
          expect(":");
          Object.defineProperty(object, key, {
            value: value(),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        } while (more("}"));
        return object;
      }
      if (char === "[") {
        at++;
        const array = [];
        skip();
        if (text[at] === "]") return at++, array;
        do array.push(value()); while (more("]"));
        return array;
      }
      if (char === '"') return JSON.parse(token(STRING)[0]);
      if (char === "t" || char === "f" || char === "n") return JSON.parse(token(LITERAL)[0]);
      const number = token(NUMBER);
      const n = Number(number[0]);
      if (number[1] === undefined && number[2] === undefined && !Number.isSafeInteger(n)) {
        return BigInt(number[0]);
      }
      return n;
    };
    const result = value();
    skip();
    if (at !== text.length) fail();
    return result;
  }

  function stringify(value) {
    try {
      return JSON.stringify(value);
    } catch (error) {
      // BigInt is not JSON to the native serializer.
      if (error instanceof TypeError) return stringifyExact(value);
      throw error;
    }
  }

  function stringifyExact(root) {
    const open = [];
    const write = (value, key) => {
      if (value !== null && (typeof value === "object" || typeof value === "bigint")) {
        if (typeof value.toJSON === "function") value = value.toJSON(key);
      }
      switch (typeof value) {
        case "bigint":
          return value.toString();
        case "string":
        case "number":
        case "boolean":
          return JSON.stringify(value);
        case "object": {
          if (value === null) return "null";
          if (open.includes(value)) throw new TypeError("the value is circular");
          open.push(value);
          let text;
          if (Array.isArray(value)) {
            text = `[${value.map((v, i) => write(v, String(i)) ?? "null").join(",")}]`;
          } else {
            const members = [];
            for (const k of Object.keys(value)) {
              const v = write(value[k], k);
              if (v !== undefined) members.push(`${JSON.stringify(k)}:${v}`);
            }
            text = `{${members.join(",")}}`;
          }
          open.pop();
          return text;
        }
        default:
          return undefined;
      }
    };
    return write(root, "");
  }

  // ---- Logging: one line per record on stderr ---------------------------
  function format(args) {
    return args
      .map((arg) => {
        if (typeof arg === "string") return arg;
        if (arg instanceof Error) return arg.stack ? `${arg}\n${arg.stack}`.trimEnd() : String(arg);
        try {
          return stringify(arg) ?? String(arg);
        } catch {
          return String(arg);
        }
      })
      .join(" ");
  }
  const log = (level) => (...args) => native.writeErr(`${level} ${format(args)}`);
  const console = {
    log: log("INFO"),
    info: log("INFO"),
    debug: log("DEBUG"),
    warn: log("WARN"),
    error: log("ERROR"),
  };

  // ---- Sending ----------------------------------------------------------
  function send(message) {
    native.writeOut(stringify(message));
  }

  function errorObject(error) {
    if (error instanceof RpcError) {
      const object = { code: error.code, message: String(error.message) };
      if (error.data !== undefined) object.data = error.data;
      return object;
    }
    if (error instanceof Error) return { code: METHOD_FAILED, message: error.message };
    return { code: METHOD_FAILED, message: typeof error === "string" ? error : format([error]) };
  }

  const failure = (id, error) => ({ jsonrpc: "2.0", id, error: errorObject(error) });
  const success = (id, result) => ({ jsonrpc: "2.0", id, result: result ?? null });

  /** A response as a line; a result that is not JSON answers -32603. */
  function line(response) {
    try {
      return stringify(response);
    } catch (error) {
      const message = `the result is not JSON: ${error.message}`;
      return stringify(failure(response.id, new RpcError(INTERNAL_ERROR, message)));
    }
  }

  // ---- Registrations and rpc.discover -----------------------------------
  const methods = new Map();
  const about = { title: "unnamed plugin", version: "unknown" };

  const UNDESCRIBED =
    "The request's params as a whole; not described (the method was registered without schemas)";

  function descriptor(given, fallbackName) {
    if (typeof given === "string") return { name: given, schema: {} };
    if (given !== null && typeof given === "object" && typeof given.name === "string") {
      return { schema: {}, ...given };
    }
    // A bare schema.
    return { name: fallbackName, schema: given ?? {} };
  }

  function methodObject(name, options) {
    const object = { name };
    if (options.summary !== undefined) object.summary = String(options.summary);
    if (options.description !== undefined) object.description = String(options.description);
    if (Array.isArray(options.params)) {
      object.params = options.params.map((p, i) => descriptor(p, `param${i}`));
      object.paramStructure = options.paramStructure ?? "by-position";
    } else {
      object.params = [{ name: "params", description: UNDESCRIBED, schema: {} }];
    }
    object.result = options.result === undefined
      ? { name: "result", schema: {} }
      : descriptor(options.result, "result");
    return object;
  }

  function discover(params) {
    if (!(params === undefined || params === null || (Array.isArray(params) && !params.length))) {
      throw new RpcError(INVALID_PARAMS, "Invalid params: rpc.discover takes no params");
    }
    const info = { title: about.title, version: about.version };
    if (about.description !== undefined) info.description = about.description;
    const list = [];
    for (const [name, entry] of methods) list.push(methodObject(name, entry.options));
    return { openrpc: "1.3.2", info, methods: list };
  }

  const plugin = {
    /** Registers (or replaces) method `name`. */
    method(name, handler, options = {}) {
      if (typeof name !== "string") throw new TypeError("plugin.method: the name must be a string");
      if (typeof handler !== "function") {
        throw new TypeError(`plugin.method("${name}"): the handler must be a function`);
      }
      methods.set(name, { handler, options: options ?? {} });
      // The runtime answers plain requests for it without dispatch (main.rs's fast_call).
      native.register(name, handler);
      return plugin;
    },
    /** `info.title`, `info.version` and `info.description` of rpc.discover. */
    info({ title, version, description } = {}) {
      if (title !== undefined) about.title = String(title);
      if (version !== undefined) about.version = String(version);
      if (description !== undefined) about.description = String(description);
      return plugin;
    },
    /** Ends the plugin at once with exit status `code`, answering nothing more. */
    exit(code = 0) {
      native.exit(code | 0);
    },
    RpcError,
  };

  // ---- Calling the host -------------------------------------------------
  let nextId = 1;
  /** Host calls waiting for their response: id -> { method, settle(response) }. */
  const pending = new Map();
  let stdinClosed = false;

  function refuseTopLevel(what) {
    if (!topLevel) return;
    const message = `${what} at the top level of the script: the host is not there ` +
      `while the plugin is built; call it from a method's handler`;
    topLevelFault ??= message;
    throw new Error(message);
  }

  function request(id, method, params) {
    if (typeof method !== "string") throw new TypeError("host.call: the method must be a string");
    const message = id === undefined ? { jsonrpc: "2.0", method } : { jsonrpc: "2.0", id, method };
    if (params !== undefined) message.params = params;
    return message;
  }

  function closedError(method) {
    return new RpcError(INTERNAL_ERROR, `stdin closed before the host answered ${method}`);
  }

  const host = {
    /** Calls host method `method`; the promise settles with its result or RpcError. */
    call(method, params) {
      refuseTopLevel(`host.call("${method}")`);
      if (stdinClosed) return Promise.reject(closedError(method));
      const id = nextId++;
      const message = request(id, method, params);
      return new Promise((resolve, reject) => {
        pending.set(id, { method, resolve, reject });
        send(message);
      });
    },
    /** Calls host method `method` and blocks until it answers (handling other messages meanwhile). */
    callSync(method, params) {
      refuseTopLevel(`host.callSync("${method}")`);
      if (stdinClosed) throw closedError(method);
      const id = nextId++;
      let outcome;
      pending.set(id, {
        method,
        resolve: (value) => (outcome = { value }),
        reject: (error) => (outcome = { error }),
      });
      send(request(id, method, params));
      while (outcome === undefined) {
        const next = native.readLine();
        if (next === null) {
          stdinClosed = true;
          pending.delete(id);
          throw closedError(method);
        }
        handleLine(next);
      }
      if ("error" in outcome) throw outcome.error;
      return outcome.value;
    },
    /** Sends the host a notification (no answer). */
    notify(method, params) {
      refuseTopLevel(`host.notify("${method}")`);
      send(request(undefined, method, params));
    },
  };

  function settle(response) {
    const entry = pending.get(response.id);
    if (entry === undefined) {
      console.warn(`a response with an unknown id: ${format([response.id])}`);
      return;
    }
    pending.delete(response.id);
    if ("error" in response) {
      const e = response.error ?? {};
      entry.reject(new RpcError(e.code ?? INTERNAL_ERROR, e.message ?? "", e.data));
    } else {
      entry.resolve(response.result);
    }
  }

  // ---- Serving ------------------------------------------------------------
  const has = (object, key) => Object.prototype.hasOwnProperty.call(object, key);

  /** Runs `handler(params)`, then `done(error, result)` (at once, or when its promise settles). */
  function run(handler, params, done) {
    let result;
    try {
      result = handler(params);
    } catch (error) {
      return done(error);
    }
    if (result !== null && typeof result === "object" && typeof result.then === "function") {
      Promise.resolve(result).then((value) => done(undefined, value), (error) => done(error));
    } else {
      done(undefined, result);
    }
  }

  /** Handles one message; `reply(response | undefined)` once, maybe later. */
  function dispatch(message, reply) {
    if (message === null || typeof message !== "object" || Array.isArray(message)) {
      return reply(failure(null, new RpcError(INVALID_REQUEST, "Invalid Request")));
    }
    // Parsed JSON has no undefined members: undefined is absent.
    const { id, method: name } = message;
    const hasId = id !== undefined;
    if (name === undefined && hasId && (has(message, "result") || has(message, "error"))) {
      settle(message);
      return reply(undefined);
    }
    const validId = id === null || typeof id === "number" || typeof id === "string" ||
      typeof id === "bigint";
    if (message.jsonrpc !== "2.0" || typeof name !== "string" || (hasId && !validId)) {
      return reply(
        failure(validId ? (id ?? null) : null, new RpcError(INVALID_REQUEST, "Invalid Request")),
      );
    }
    const entry = methods.get(name);
    const handler = entry?.handler ?? (name === "rpc.discover" ? discover : undefined);
    if (!hasId) {
      if (handler === undefined) return reply(undefined);
      return run(handler, message.params, (error) => {
        if (error !== undefined) console.error(`notification ${name} failed: ${format([error])}`);
        reply(undefined);
      });
    }
    if (handler === undefined) {
      return reply(failure(id, new RpcError(METHOD_NOT_FOUND, `Method not found: ${name}`)));
    }
    let result;
    try {
      result = handler(message.params);
    } catch (error) {
      return reply(failure(id, error));
    }
    respond(id, result, reply);
  }

  /** Replies to request `id` with what its handler returned (at once, or when its promise settles). */
  function respond(id, result, reply) {
    if (result !== null && typeof result === "object" && typeof result.then === "function") {
      Promise.resolve(result).then(
        (value) => reply(success(id, value)),
        (error) => reply(failure(id, error)),
      );
    } else {
      reply(success(id, result));
    }
  }

  // The runtime's fast path (main.rs's fast_call) ran a request's handler
  // itself; these answer what it leaves to the prelude.
  /** Answers request `id` with `result` (a promise, or a value JSON.stringify did not write). */
  const answer = (id, result) => respond(id, result, replyOne);
  /** Answers request `id` with the error its handler threw. */
  const fail = (id, error) => replyOne(failure(id, error));

  /** Writes the response to a single message (none for notifications). */
  function replyOne(response) {
    if (response !== undefined) native.writeOut(line(response));
  }

  function handleBatch(messages) {
    if (messages.length === 0) {
      return send(failure(null, new RpcError(INVALID_REQUEST, "Invalid Request: an empty batch")));
    }
    const responses = new Array(messages.length);
    let left = messages.length;
    messages.forEach((message, i) => {
      dispatch(message, (response) => {
        responses[i] = response;
        if (--left === 0) {
          const answered = responses.filter((r) => r !== undefined);
          if (answered.length) native.writeOut(`[${answered.map(line).join(",")}]`);
        }
      });
    });
  }

  /** Handles one line: a string, `{ exact }` (see parseExact) or `false` (not UTF-8). */
  function handleLine(input) {
    if (input === false) {
      return send(failure(null, new RpcError(PARSE_ERROR, "Parse error: the line is not UTF-8")));
    }
    const exact = typeof input === "object";
    const text = exact ? input.exact : input;
    // Blank lines are ignored (only they can start with white space and be blank).
    if (text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim() === "")) return;
    let message;
    try {
      message = exact ? parseExact(text) : JSON.parse(text);
    } catch (error) {
      return send(failure(null, new RpcError(PARSE_ERROR, `Parse error: ${error.message}`)));
    }
    if (Array.isArray(message)) return handleBatch(message);
    dispatch(message, replyOne);
  }

  /** The script's top level has run: refuse what it must not have done. */
  function ready() {
    topLevel = false;
    if (topLevelFault !== undefined) throw new Error(topLevelFault);
  }

  /** stdin closed: host calls still waiting fail, so their handlers answer. */
  function finish() {
    stdinClosed = true;
    for (const [id, entry] of pending) {
      pending.delete(id);
      entry.reject(closedError(entry.method));
    }
  }

  Object.assign(globalThis, { plugin, host, console, RpcError });
  return { handleLine, answer, fail, ready, finish, pending };
})();
