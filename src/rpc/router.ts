/**
 * A table of named methods with typed parameters and results.
 *
 * @module
 */

import { ErrorCode, JsonRpcError } from "./json_rpc_error.ts";
import type { JsonRpcRequest } from "./messages.ts";

/** A method implementation: typed params in, a result (or promise) out. */
export type Handler<P, R, C> = (params: P, context: C) => R | Promise<R>;

/** Options for {@linkcode Router.method}. */
export interface MethodOptions<P> {
  /**
   * Checks and converts the raw params; throwing makes the call fail with
   * "Invalid params" (-32602), with the thrown error's message as `data`.
   */
  params?: (raw: unknown) => P;
}

interface Entry<C> {
  handler: Handler<unknown, unknown, C>;
  parse: ((raw: unknown) => unknown) | undefined;
}

/**
 * Methods by name. Lookup uses `Object.hasOwn`, so names like `toString`
 * or `__proto__` are never dispatched unless registered. A handler that
 * throws a {@linkcode JsonRpcError} answers with it; any other exception
 * answers with code -32000 and the exception's message. A handler gets the
 * request's `params` as sent: an array, an object, a scalar or `null` (all
 * accepted, see `isRequest`), or `undefined` when the member is absent;
 * check them (or give a `params` checker) before relying on a shape.
 *
 * @typeParam C The context handlers receive with each call.
 *
 * @example
 * ```ts
 * import { Router } from "@wasmi-plugins/host/rpc";
 * const router = new Router().method("add", ([a, b]: [number, number]) => a + b);
 * const result = await router.dispatch({ jsonrpc: "2.0", method: "add", params: [1, 2] }, {});
 * if (result !== 3) throw new Error("unexpected");
 * ```
 */
export class Router<C = Record<string, never>> {
  readonly #methods: Record<string, Entry<C>> = {};

  /**
   * Registers a method (replacing one of the same name).
   *
   * @param name The method name.
   * @param handler The implementation.
   * @param options A params checker.
   * @returns this router
   */
  method<P = unknown, R = unknown>(
    name: string,
    handler: Handler<P, R, C>,
    options: MethodOptions<P> = {},
  ): this {
    Object.defineProperty(this.#methods, name, {
      value: { handler, parse: options.params },
      enumerable: true,
      configurable: true,
    });
    return this;
  }

  /**
   * Tells whether a method is registered.
   *
   * @param name The method name.
   * @returns true if registered
   */
  has(name: string): boolean {
    return Object.hasOwn(this.#methods, name);
  }

  /**
   * The registered method names.
   *
   * @returns the names
   */
  names(): string[] {
    return Object.keys(this.#methods);
  }

  /**
   * Runs the method a request names.
   *
   * @param request The request.
   * @param context Passed to the handler.
   * @returns the handler's result
   * @throws {JsonRpcError} for unknown methods, invalid params and failures.
   */
  async dispatch(request: JsonRpcRequest, context: C): Promise<unknown> {
    if (!Object.hasOwn(this.#methods, request.method)) {
      throw new JsonRpcError(ErrorCode.MethodNotFound, "Method not found");
    }
    const { handler, parse } = this.#methods[request.method]!;
    let params: unknown = request.params;
    if (parse !== undefined) {
      try {
        params = parse(params);
      } catch (error) {
        throw new JsonRpcError(ErrorCode.InvalidParams, "Invalid params", messageOf(error));
      }
    }
    try {
      return await handler(params, context);
    } catch (error) {
      if (error instanceof JsonRpcError) throw error;
      throw new JsonRpcError(ErrorCode.ServerError, messageOf(error));
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
