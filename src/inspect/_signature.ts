/**
 * A described method's signature: its params with their types and its
 * result's type, as `inspect` and the playground show them.
 *
 * @module
 */

import { truncate } from "../_truncate.ts";
import type { DescribedMethod } from "./discover_methods.ts";
import { schemaType } from "./_schema_type.ts";

/**
 * `(a: integer, b?: string) -> integer`: by-name params in braces, optional
 * ones marked `?`, and no arrow for a method without a result (it does not
 * answer). Param names longer than 32 characters are cut with `…`.
 *
 * @param method The method.
 * @param show Applied to every name and type (e.g. to escape control
 * characters for a terminal); by default the text as it is.
 * @returns the signature, without the method's name
 */
export function signature(
  method: DescribedMethod,
  show: (text: string) => string = (text) => text,
): string {
  const params = method.params.map((p) =>
    `${truncate(show(p.name), 32)}${p.required ? "" : "?"}: ${show(schemaType(p.schema))}`
  ).join(", ");
  const list = method.paramStructure === "by-name" ? `{${params}}` : params;
  const result = method.result === undefined ? "" : ` -> ${show(schemaType(method.result.schema))}`;
  return `(${list})${result}`;
}
