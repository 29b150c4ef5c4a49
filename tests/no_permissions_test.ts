import assert from "node:assert/strict";

Deno.test("mod.ts runs a guest from bytes under deno run with no permission flags", async () => {
  const script = new URL("./fixtures/no_permissions.ts", import.meta.url).pathname;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(new TextDecoder().decode(stderr), "");
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(stdout)), { code: 0, stdout: "hello\n" });
});
