import assert from "node:assert/strict";
import { readOpenRpc } from "../inspect/_openrpc.ts";
import { methodNotFoundMessage, nearestName } from "./_method_not_found.ts";

const described = (...names: string[]) =>
  readOpenRpc({ methods: names.map((name) => ({ name, params: [] })) });

Deno.test("methodNotFoundMessage lists the plugin's methods and where their params are", () => {
  assert.equal(
    methodNotFoundMessage(
      "p",
      "nosuch",
      "Method not found",
      described("ping", "add"),
      "cli.ts inspect p.wasm",
    ),
    "p has no method 'nosuch'; its methods are: ping, add (run 'cli.ts inspect p.wasm' for their params)",
  );
  assert.equal(
    methodNotFoundMessage("p", "Add", "", described("ping", "add", "add"), "i"),
    "p has no method 'Add' (did you mean 'add'?); its methods are: ping, add (run 'i' for their params)",
  );
  assert.equal(
    methodNotFoundMessage("p", "x", "", described(), "i"),
    "p has no method 'x'; it lists no methods",
  );
});

Deno.test("methodNotFoundMessage without a description quotes the plugin's answer", () => {
  assert.equal(
    methodNotFoundMessage("compat", "x", "Method not found", undefined, "i"),
    "compat has no method 'x' (it answered -32601: Method not found); " +
      "check the method's name in the plugin's documentation",
  );
});

Deno.test("methodNotFoundMessage shortens long names and long lists", () => {
  const names = Array.from({ length: 45 }, (_, i) => `m${i}`);
  const message = methodNotFoundMessage("p", "y".repeat(100), "", described(...names), "i");
  assert.match(message, /^p has no method 'y{63}…'; its methods are: m0, m1, /);
  assert.match(message, /, m39 and 5 more \(run 'i' for their params\)$/);
});

Deno.test("nearestName finds a misspelt name, or none", () => {
  assert.equal(nearestName("prime_seive", ["ping", "prime_sieve"]), "prime_sieve");
  assert.equal(nearestName("PING", ["ping", "pong"]), "ping");
  assert.equal(nearestName("pnig", ["ping"]), undefined); // two edits on a short name
  assert.equal(nearestName("echo", ["ecoh", "echo2"]), "echo2");
  assert.equal(nearestName("nosuch", ["ping", "add"]), undefined);
  assert.equal(nearestName("x", []), undefined);
});
