// Example plugin in AssemblyScript on the small kit in ./plugin.ts: the
// scenario every plugin under examples/ implements (see examples/README.md).

import { JSONKind, JSONValue } from "./json";
import { callHost, INVALID_PARAMS, log, method, positional, Reply, serve } from "./plugin";

function ping(_params: JSONValue | null): Reply {
  return Reply.ok(JSONValue.fromString("pong"));
}

function add(params: JSONValue | null): Reply {
  const args = positional(params, 2);
  if (args === null || !args[0].isInteger || !args[1].isInteger) {
    return Reply.error(
      INVALID_PARAMS,
      "Invalid params: expected [integer, integer]",
    );
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

function logMessage(params: JSONValue | null): Reply {
  const args = positional(params, 1);
  if (args === null || !args[0].isString()) {
    return Reply.error(INVALID_PARAMS, "Invalid params: expected [string]");
  }
  log("INFO", args[0].text);
  return Reply.ok(JSONValue.null());
}

function fail(_params: JSONValue | null): Reply {
  return Reply.error(-32000, "failed on purpose");
}

function exit(params: JSONValue | null): Reply {
  const args = positional(params, 1);
  if (args === null || !args[0].isInteger) {
    return Reply.error(INVALID_PARAMS, "Invalid params: expected [integer]");
  }
  process.exit(<i32> args[0].int);
  return Reply.ok(JSONValue.null()); // not reached
}

method("ping", ping);
method("add", add);
method("greet", greet);
method("log", logMessage);
method("fail", fail);
method("exit", exit);
serve(); // until stdin reaches EOF; then _start returns: exit status 0
