// Positional params, checked: an array of exactly the given kinds, or the
// error -32602 (invalid params).
import { RpcError } from "../../src/build/guest.ts";

type Kind = "integer" | "string";
type Value<K> = K extends "integer" ? number : string;

/** The params as `[kinds[0], kinds[1], ...]`, or throws -32602. */
export function checkArgs<K extends Kind[]>(
  params: unknown,
  ...kinds: K
): { [I in keyof K]: Value<K[I]> } {
  if (!Array.isArray(params) || params.length !== kinds.length) {
    throw new RpcError(-32602, `expected an array of ${kinds.length} params`);
  }
  kinds.forEach((kind, i) => {
    const value = params[i];
    const ok = kind === "integer" ? Number.isSafeInteger(value) : typeof value === "string";
    if (!ok) {
      throw new RpcError(
        -32602,
        `param ${i}: expected ${kind === "integer" ? "an integer" : "a string"}`,
      );
    }
  });
  return params as { [I in keyof K]: Value<K[I]> };
}
