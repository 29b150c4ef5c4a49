import assert from "node:assert/strict";
import { ManifestError, parseManifest, verifySha256 } from "./plugin_manifest.ts";

Deno.test("parseManifest reads JSONC with comments and trailing commas", () => {
  const manifest = parseManifest(`{
    // the module
    "wasm": "p.wasm",
    "limits": { "fuel": 1000, "timeout": 50, },
    "env": { "A": "1=2" },
    "args": ["x"],
    "hostMethods": ["echo"],
    "missingParams": "null",
  }`);
  assert.deepEqual(manifest, {
    wasm: "p.wasm",
    limits: { fuel: 1000, timeout: 50 },
    env: { A: "1=2" },
    args: ["x"],
    hostMethods: ["echo"],
    missingParams: "null",
  });
});

Deno.test("parseManifest reports syntax errors with line and column", () => {
  assert.throws(() => parseManifest('{\n  "wasm": "p.wasm"\n  "name": "x"\n}', "m.jsonc"), {
    name: "ManifestError",
    message: "m.jsonc:3:3: not a JSONC manifest: ',' was expected (found '\"'); a manifest is " +
      'a JSON object (comments and trailing commas allowed), such as { "wasm": "plugin.wasm" }',
  });
  // A file that is not a manifest at all (a README) is said to be one.
  assert.throws(() => parseManifest("# Title\n", "README.md"), {
    name: "ManifestError",
    message: /^README\.md:1:1: not a JSONC manifest: unexpected character \(found '#'\); /,
  });
  assert.throws(() => parseManifest('{"wasm": "p"', "m.jsonc"), {
    message: /^m\.jsonc:1:13: not a JSONC manifest: '}' was expected \(found the end\); /,
  });
});

Deno.test("parseManifest names the field that is wrong", () => {
  const cases: [string, string][] = [
    ["{}", 'manifest: "wasm" must be a non-empty string'],
    ['{"wasm": "p", "limit": {}}', 'manifest: "limit" must be one of the known fields'],
    [
      '{"wasm": "p", "limits": {"fuel": -1}}',
      'manifest: "limits.fuel" must be an integer from 1 to 9007199254740991',
    ],
    ['{"wasm": "p", "limits": {"cpu": 1}}', 'manifest: "limits.cpu" must be one of fuel'],
    ['{"wasm": "p", "env": {"A": 1}}', 'manifest: "env" must be an object of strings'],
    ['{"wasm": "p", "hostMethods": "echo"}', 'manifest: "hostMethods" must be an array of strings'],
    ['{"wasm": "p", "sha256": "ABC"}', 'manifest: "sha256" must be 64 hex digits'],
    ['{"wasm": "p", "sha256": 12}', 'manifest: "sha256" must be 64 hex digits'],
    ["[]", 'manifest: "(top level)" must be an object'],
    ['{"wasm": "p", "missingParams": null}', 'manifest: "missingParams" must be "omit" or "null"'],
    ['{"wasm": "p", "engine": "v9"}', 'manifest: "engine" must be "wasmi", "v8" or "auto"'],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseManifest(text), (e: unknown) => {
      assert.ok(e instanceof ManifestError);
      assert.ok(e.message.startsWith(message), e.message);
      return true;
    });
  }
});

Deno.test("parseManifest checks the range of every limit", () => {
  const cases: [string, string][] = [
    ['"fuel": 0', '"limits.fuel" must be an integer from 1 to 9007199254740991'],
    ['"fuel": 1.5', '"limits.fuel" must be an integer from 1 to 9007199254740991'],
    ['"fuel": 9007199254740992', '"limits.fuel" must be an integer from 1 to 9007199254740991'],
    ['"fuelSlice": 0', '"limits.fuelSlice" must be an integer from 1 to 9007199254740991'],
    ['"timeout": -1', '"limits.timeout" must be a number from 0 to 2147483647'],
    ['"timeout": 2147483648', '"limits.timeout" must be a number from 0 to 2147483647'],
    ['"timeout": "5"', '"limits.timeout" must be a number from 0 to 2147483647'],
    ['"maxMemory": 4294967296', '"limits.maxMemory" must be an integer from 0 to 4294901760'],
    ['"maxMemory": -1', '"limits.maxMemory" must be an integer from 0 to 4294901760'],
    ['"maxMemory": 1e400', '"limits.maxMemory" must be an integer from 0 to 4294901760'],
  ];
  for (const [limit, message] of cases) {
    assert.throws(() => parseManifest(`{"wasm": "p", "limits": {${limit}}}`), {
      name: "ManifestError",
      message: `manifest: ${message}`,
    });
  }
  const valid = parseManifest(
    '{"wasm": "p", "limits": {"fuel": 1, "timeout": 0.5, "maxMemory": 4294901760}}',
  );
  assert.deepEqual(valid.limits, { fuel: 1, timeout: 0.5, maxMemory: 4294901760 });
});

Deno.test("verifySha256 accepts matching bytes in either case and never says the actual hash", async () => {
  const bytes = new TextEncoder().encode("abc");
  const sha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  await verifySha256(bytes, sha);
  await verifySha256(bytes, sha.toUpperCase());
  await verifySha256(bytes, undefined);
  await assert.rejects(verifySha256(bytes, "0".repeat(64)), (e: unknown) => {
    assert.ok(e instanceof ManifestError);
    assert.equal(
      e.message,
      `The module's SHA-256 does not match the manifest's sha256 ${"0".repeat(64)}`,
    );
    assert.ok(!e.message.includes(sha));
    return true;
  });
});
