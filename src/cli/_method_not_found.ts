/**
 * What `call` says when the plugin answers -32601 (method not found): the
 * methods it has, when it lists them through `rpc.discover`, and the
 * nearest name to the one asked for.
 *
 * @module
 */

import type { PluginDescription } from "../inspect/discover_methods.ts";
import { truncate } from "../_truncate.ts";

/** Most method names listed in the message. */
const MAX_LISTED = 40;

/** Method names longer than this are shortened in the message. */
const MAX_NAME_LENGTH = 64;

const shortened = (name: string) => truncate(name, MAX_NAME_LENGTH);

/** The Levenshtein distance of `a` and `b`, or `limit + 1` once it exceeds `limit`. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j]! + 1,
        row[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    if (Math.min(...row) > limit) return limit + 1;
    previous = row;
  }
  return previous[b.length]!;
}

/**
 * The name among `names` that `wanted` is most likely a misspelling of:
 * the same but for case, or at most 2 edits away (1 for names of up to 4
 * characters); undefined if there is none.
 *
 * @param wanted The name asked for.
 * @param names The names there are.
 * @returns the nearest name, or undefined
 */
export function nearestName(wanted: string, names: readonly string[]): string | undefined {
  if (wanted.length > MAX_NAME_LENGTH) return undefined;
  const lower = wanted.toLowerCase();
  const limit = wanted.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const name of names) {
    if (name.length > MAX_NAME_LENGTH) continue;
    const d = name.toLowerCase() === lower ? 0 : distance(lower, name.toLowerCase(), limit);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best;
}

/**
 * The message for a method `plugin` does not have: with its methods when
 * it described them (`test_plugin has no method 'nosuch'; its methods are:
 * ping, echo, ... (run 'cli.ts inspect test_plugin.wasm' for their
 * params)`), else with its own error message and what to check.
 *
 * @param plugin The plugin's name.
 * @param method The method asked for.
 * @param answer The message of the plugin's -32601 error.
 * @param description What the plugin said of itself, if anything.
 * @param inspect The command line that lists its methods with their params.
 * @returns one line (control characters are escaped where it is printed)
 */
export function methodNotFoundMessage(
  plugin: string,
  method: string,
  answer: string,
  description: PluginDescription | undefined,
  inspect: string,
): string {
  const missing = `${plugin} has no method '${shortened(method)}'`;
  if (description === undefined) {
    return `${missing} (it answered -32601: ${answer}); check the method's name ` +
      "in the plugin's documentation";
  }
  const names = [...new Set(description.methods.map((m) => m.name))];
  if (names.length === 0) return `${missing}; it lists no methods`;
  const nearest = nearestName(method, names);
  const hint = nearest === undefined ? "" : ` (did you mean '${shortened(nearest)}'?)`;
  const listed = names.slice(0, MAX_LISTED).map(shortened).join(", ");
  const more = names.length > MAX_LISTED ? ` and ${names.length - MAX_LISTED} more` : "";
  return `${missing}${hint}; its methods are: ${listed}${more} (run '${inspect}' for their params)`;
}
