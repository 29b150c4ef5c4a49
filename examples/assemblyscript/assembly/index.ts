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

// The OpenRPC 1.3.2 document rpc.discover answers: the methods above. The
// result schema of fail matches no value (it never succeeds); exit has no
// result (it never answers).
const OPENRPC = '{"openrpc": "1.3.2", ' +
  '"info": {"title": "assemblyscript-example", ' +
  '"description": "The example plugin in AssemblyScript: ' +
  'the methods every plugin under examples/ serves", ' +
  '"version": "0.1.0"}, ' +
  '"methods": [' +
  '{"name": "ping", "summary": "Answers pong", "params": [], ' +
  '"result": {"name": "pong", "schema": {"type": "string", "const": "pong"}}, ' +
  '"paramStructure": "by-position"}, ' +
  '{"name": "add", "summary": "Adds two integers", "params": [' +
  '{"name": "a", "schema": {"type": "integer"}, "required": true}, ' +
  '{"name": "b", "schema": {"type": "integer"}, "required": true}], ' +
  '"result": {"name": "sum", "schema": {"type": "integer"}}, ' +
  '"paramStructure": "by-position"}, ' +
  '{"name": "greet", ' +
  '"summary": "Answers the result of the host method greeting with ! appended", ' +
  '"description": "Calls the host method greeting with [name]; passes its error on unchanged", ' +
  '"params": [{"name": "name", "schema": {"type": "string"}, "required": true}], ' +
  '"result": {"name": "greeting", "schema": {"type": "string"}}, ' +
  '"paramStructure": "by-position"}, ' +
  '{"name": "log", "summary": "Writes INFO and the message as one line to stderr", ' +
  '"params": [{"name": "message", "schema": {"type": "string"}, "required": true}], ' +
  '"result": {"name": "nothing", "schema": {"type": "null"}}, ' +
  '"paramStructure": "by-position"}, ' +
  '{"name": "fail", "summary": "Answers the error -32000 every time", "params": [], ' +
  '"result": {"name": "none", "schema": {"not": {}}}, ' +
  '"errors": [{"code": -32000, "message": "failed on purpose"}], ' +
  '"paramStructure": "by-position"}, ' +
  '{"name": "exit", "summary": "Exits with the given code at once", ' +
  '"description": "Ends the plugin without answering, so it has no result", ' +
  '"params": [{"name": "code", "schema": {"type": "integer"}, "required": true}], ' +
  '"paramStructure": "by-position"}' +
  "]}";

function discover(params: JSONValue | null): Reply {
  // No params: absent, null or [].
  if (
    params !== null && params.kind != JSONKind.Null &&
    positional(params, 0) === null
  ) {
    return Reply.error(INVALID_PARAMS, "Invalid params: expected none");
  }
  return Reply.ok(JSONValue.raw(OPENRPC));
}

method("ping", ping);
method("add", add);
method("greet", greet);
method("log", logMessage);
method("fail", fail);
method("exit", exit);
method("rpc.discover", discover);
serve(); // until stdin reaches EOF; then _start returns: exit status 0
