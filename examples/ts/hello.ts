// Example plugin in TypeScript: the scenario every plugin under examples/
// implements (see examples/README.md), on the JavaScript plugin runtime.
// Build it with `deno run -A cli.ts build examples/ts/hello.ts -o hello.wasm`.
import { host, plugin, RpcError } from "../../src/build/guest.ts";
import { checkArgs } from "./args.ts";

plugin
  .info({ title: "ts-example", version: "0.1.0", description: "The example plugin in TypeScript" })
  .method("ping", () => "pong", {
    summary: 'Answers "pong"',
    params: [],
    result: { type: "string", const: "pong" },
  })
  .method("add", (params: unknown) => {
    const [a, b] = checkArgs(params, "integer", "integer");
    return a + b;
  }, {
    summary: "Adds two integers",
    params: [
      { name: "a", schema: { type: "integer" }, required: true },
      { name: "b", schema: { type: "integer" }, required: true },
    ],
    result: { type: "integer" },
  })
  // Async: awaits the host's answer; the host's error (a rejected promise)
  // is answered unchanged.
  .method("greet", async (params: unknown) => {
    const [name] = checkArgs(params, "string");
    const greeting = await host.call<string | null>("greeting", [name]);
    if (typeof greeting !== "string") {
      throw new RpcError(-32603, "host method greeting returned no string");
    }
    return `${greeting}!`;
  }, {
    summary: "Greets through the host's greeting method",
    params: [{ name: "name", schema: { type: "string" }, required: true }],
    result: { type: "string" },
  })
  // console.log writes "INFO <message>" to stderr, never to stdout.
  .method("log", (params: unknown) => {
    const [message] = checkArgs(params, "string");
    console.log(message);
    return null;
  }, {
    summary: "Writes INFO <message> to the log",
    params: [{ name: "message", schema: { type: "string" }, required: true }],
    result: { type: "null" },
  })
  .method("fail", () => {
    throw new RpcError(-32000, "failed on purpose");
  }, { summary: "Always fails with -32000", params: [], result: { not: {} } })
  .method("exit", (params: unknown) => {
    const [code] = checkArgs(params, "integer");
    plugin.exit(code);
  }, {
    summary: "Exits at once with the given code, without answering",
    params: [{ name: "code", schema: { type: "integer" }, required: true }],
  });
