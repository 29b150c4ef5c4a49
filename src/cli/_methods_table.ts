/**
 * A plugin's methods as `inspect` prints them: one line each with its
 * signature (params with their types, the result's type) and its summary,
 * aligned like the imports table.
 *
 * @module
 */

import { escapeControlCharacters } from "../_escape_control.ts";
import type { ContentDescriptor, DescribedMethod } from "../inspect/discover_methods.ts";
import { schemaType } from "../inspect/_schema_type.ts";

/** Widest signature column; longer signatures push their summary right. */
const MAX_SIGNATURE_WIDTH = 56;

/** `text` with its control characters escaped, at most `max` characters. */
function shown(text: string, max: number): string {
  const escaped = escapeControlCharacters(text);
  return escaped.length > max ? `${escaped.slice(0, max - 1)}…` : escaped;
}

function param(descriptor: ContentDescriptor): string {
  const optional = descriptor.required ? "" : "?";
  return `${shown(descriptor.name, 32)}${optional}: ${schemaType(descriptor.schema)}`;
}

/**
 * A method's signature: `add(a: integer, b: integer) -> integer`, by name
 * `greet({name: string}) -> string`, optional params marked `?`, and no
 * arrow for a method without a result (it does not answer).
 *
 * @param method The method.
 * @returns the signature, control characters escaped
 */
export function signature(method: DescribedMethod): string {
  const params = method.params.map(param).join(", ");
  const list = method.paramStructure === "by-name" ? `{${params}}` : params;
  const result = method.result === undefined ? "" : ` -> ${schemaType(method.result.schema)}`;
  return `${shown(method.name, 64)}(${list})${result}`;
}

/**
 * The lines of a methods table: two spaces, the signature padded to the
 * widest one (up to a limit), two spaces, the summary.
 *
 * @param methods The methods, in the order to print them.
 * @returns one line per method, control characters escaped
 */
export function methodsTable(methods: readonly DescribedMethod[]): string[] {
  const signatures = methods.map(signature);
  const width = Math.min(
    Math.max(0, ...signatures.filter((s) => s.length <= MAX_SIGNATURE_WIDTH).map((s) => s.length)),
    MAX_SIGNATURE_WIDTH,
  );
  return methods.map((method, i) => {
    const summary = method.summary === undefined ? "" : shown(method.summary, 100);
    return `  ${summary === "" ? signatures[i] : `${signatures[i]!.padEnd(width)}  ${summary}`}`;
  });
}
