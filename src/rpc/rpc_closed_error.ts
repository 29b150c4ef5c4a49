/**
 * The error pending calls fail with when their connection closes.
 *
 * @module
 */

/**
 * A call could not complete because the connection closed (the other side
 * ended its output, the stream failed, or the peer was closed).
 *
 * @example
 * ```ts
 * import { RpcClosedError } from "@wasmi-plugins/host/rpc";
 * const error = new RpcClosedError("The peer closed");
 * if (error.name !== "RpcClosedError") throw new Error("unexpected");
 * ```
 */
export class RpcClosedError extends Error {
  /**
   * Creates the error.
   *
   * @param message What closed.
   * @param options The underlying cause, if any.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RpcClosedError";
  }
}
