/**
 * JSON-RPC 2.0 message shapes and checks.
 *
 * @module
 */

import { isObject } from "../_json_object.ts";
import type { JsonRpcErrorObject } from "./json_rpc_error.ts";

/** A request or notification id. */
export type JsonRpcId = string | number;

/** A request (with `id`) or a notification (without). */
export interface JsonRpcRequest {
  /** Always "2.0". */
  jsonrpc: "2.0";
  /** The method to call. */
  method: string;
  /**
   * Parameters: by position (array) or by name (object), as JSON-RPC 2.0
   * says; any other JSON value (a number, a string, `null`, ...) is
   * accepted too, as plugins of the original Rust framework send them.
   */
  params?: unknown;
  /** Absent for notifications. */
  id?: JsonRpcId;
}

/** A response: `result` on success, `error` otherwise. */
export type JsonRpcResponse =
  | { jsonrpc: "2.0"; id: JsonRpcId | null; result: unknown }
  | { jsonrpc: "2.0"; id: JsonRpcId | null; error: JsonRpcErrorObject };

/** Any single message. */
export type JsonRpcMessage = JsonRpcRequest | JsonRpcResponse;

/**
 * Tells whether `value` is a valid request or notification: an object with
 * `jsonrpc: "2.0"`, a string `method` and, if present, a string or number
 * `id`. Unlike JSON-RPC 2.0, which wants `params` to be an array or an
 * object, any `params` is accepted (scalars and `null` included): the
 * method's handler decides whether it can use them.
 *
 * @param value A parsed message.
 * @returns true for a valid request
 */
export function isRequest(value: unknown): value is JsonRpcRequest {
  if (!isObject(value) || value.jsonrpc !== "2.0" || typeof value.method !== "string") return false;
  return !("id" in value) || isId(value.id);
}

/**
 * Tells whether `value` is a response (with `result` or a valid `error`).
 *
 * @param value A parsed message.
 * @returns true for a response
 */
export function isResponse(value: unknown): value is JsonRpcResponse {
  if (!isObject(value) || value.jsonrpc !== "2.0" || "method" in value) return false;
  if (!(isId(value.id) || value.id === null)) return false;
  if ("result" in value) return !("error" in value);
  const error = value.error;
  return isObject(error) && typeof error.code === "number" && typeof error.message === "string";
}

function isId(id: unknown): id is JsonRpcId {
  return typeof id === "string" || (typeof id === "number" && Number.isFinite(id));
}

/**
 * The id of a message that looks like a request, for error answers.
 *
 * @param value A parsed message.
 * @returns its id, or null
 */
export function idOf(value: unknown): JsonRpcId | null {
  return isObject(value) && isId(value.id) ? value.id : null;
}
