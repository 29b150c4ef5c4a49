/**
 * JSON-RPC 2.0 error objects as an `Error` subclass.
 *
 * @module
 */

/** The error codes the JSON-RPC 2.0 specification reserves. */
export const ErrorCode = {
  /** Invalid JSON was received. */
  ParseError: -32700,
  /** The JSON sent is not a valid request object. */
  InvalidRequest: -32600,
  /** The method does not exist or is not available. */
  MethodNotFound: -32601,
  /** Invalid method parameters. */
  InvalidParams: -32602,
  /** Internal JSON-RPC error. */
  InternalError: -32603,
  /** A handler failed (the first implementation-defined server error). */
  ServerError: -32000,
  /** This framework: the plugin may not call that host method (its manifest does not allow it). */
  NotAllowed: -32001,
} as const;

/** The `error` member of a JSON-RPC response. */
export interface JsonRpcErrorObject {
  /** The error code. */
  code: number;
  /** A short description. */
  message: string;
  /** Additional information, if any. */
  data?: unknown;
}

/**
 * A JSON-RPC error: thrown by handlers to answer with a specific error, and
 * the rejection of a call the other side answered with an error.
 *
 * @example Answer with "invalid params"
 * ```ts
 * import { ErrorCode, JsonRpcError } from "@wasmi-plugins/host/rpc";
 * const error = new JsonRpcError(ErrorCode.InvalidParams, "Expected a number", { got: "x" });
 * if (error.toJSON().code !== -32602) throw new Error("unexpected");
 * ```
 */
export class JsonRpcError extends Error {
  /** The error code. */
  readonly code: number;
  /** Additional information, if any. */
  readonly data: unknown;

  /**
   * Creates the error.
   *
   * @param code The error code (see {@linkcode ErrorCode}).
   * @param message A short description.
   * @param data Additional information.
   */
  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.name = "JsonRpcError";
    this.code = code;
    this.data = data;
  }

  /**
   * The error as the `error` member of a response.
   *
   * @returns the error object
   */
  toJSON(): JsonRpcErrorObject {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }

  /**
   * Converts a received error object.
   *
   * @param error The `error` member of a response.
   * @returns the error
   */
  static from(error: JsonRpcErrorObject): JsonRpcError {
    return new JsonRpcError(error.code, error.message, error.data);
  }
}
