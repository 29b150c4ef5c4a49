/*
 * Example plugin in C on the single-header kit plugin.h: the scenario every
 * plugin under examples/ implements (see examples/README.md).
 */
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

static void log_message(const pl_value *params, pl_reply *reply) {
  const char *message;
  if (!pl_params(params, reply, "s", &message)) return;
  pl_log("INFO", "%s", message);
  pl_reply_null(reply);
}

static void fail(const pl_value *params, pl_reply *reply) {
  (void)params;
  pl_reply_error(reply, -32000, "failed on purpose");
}

static void exit_now(const pl_value *params, pl_reply *reply) {
  long long code;
  if (!pl_params(params, reply, "i", &code)) return;
  exit((int)code);
}

/* The OpenRPC 1.3.2 document rpc.discover answers: the methods above. The
 * result schema of fail matches no value (it never succeeds); exit has no
 * result (it never answers). */
static const char openrpc[] = PL_JSON({
  "openrpc": "1.3.2",
  "info": {
    "title": "c-example",
    "description": "The example plugin in C: the methods every plugin under examples/ serves",
    "version": "0.1.0"
  },
  "methods": [
    {
      "name": "ping",
      "summary": "Answers pong",
      "params": [],
      "result": { "name": "pong", "schema": { "type": "string", "const": "pong" } },
      "paramStructure": "by-position"
    },
    {
      "name": "add",
      "summary": "Adds two integers",
      "params": [
        { "name": "a", "schema": { "type": "integer" }, "required": true },
        { "name": "b", "schema": { "type": "integer" }, "required": true }
      ],
      "result": { "name": "sum", "schema": { "type": "integer" } },
      "paramStructure": "by-position"
    },
    {
      "name": "greet",
      "summary": "Answers the result of the host method greeting with ! appended",
      "description": "Calls the host method greeting with [name]; passes its error on unchanged",
      "params": [{ "name": "name", "schema": { "type": "string" }, "required": true }],
      "result": { "name": "greeting", "schema": { "type": "string" } },
      "paramStructure": "by-position"
    },
    {
      "name": "log",
      "summary": "Writes INFO and the message as one line to stderr",
      "params": [{ "name": "message", "schema": { "type": "string" }, "required": true }],
      "result": { "name": "nothing", "schema": { "type": "null" } },
      "paramStructure": "by-position"
    },
    {
      "name": "fail",
      "summary": "Answers the error -32000 every time",
      "params": [],
      "result": { "name": "none", "schema": { "not": {} } },
      "errors": [{ "code": -32000, "message": "failed on purpose" }],
      "paramStructure": "by-position"
    },
    {
      "name": "exit",
      "summary": "Exits with the given code at once",
      "description": "Ends the plugin without answering, so it has no result",
      "params": [{ "name": "code", "schema": { "type": "integer" }, "required": true }],
      "paramStructure": "by-position"
    }
  ]
});

/* rpc.discover: no params (absent, null or []). */
static void discover(const pl_value *params, pl_reply *reply) {
  if (params != NULL && params->type != PL_NULL && !pl_params(params, reply, "")) return;
  pl_reply_json(reply, openrpc);
}

int main(void) {
  static const pl_method methods[] = {
      {"ping", ping}, {"add", add}, {"greet", greet}, {"log", log_message}, {"fail", fail},
      {"exit", exit_now}, {"rpc.discover", discover}, {NULL, NULL},
  };
  return pl_serve(methods);
}
