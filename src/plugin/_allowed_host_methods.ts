/**
 * A router that lets a plugin call only the host methods it is allowed.
 *
 * @module
 */

import { ErrorCode, JsonRpcError } from "../rpc/json_rpc_error.ts";
import type { JsonRpcRequest } from "../rpc/messages.ts";
import { Router } from "../rpc/router.ts";

/** Dispatches to `inner`, refusing methods outside `allowed`. */
export class AllowedHostMethods<C> extends Router<C> {
  readonly #inner: Router<C>;
  readonly #allowed: ReadonlySet<string>;
  readonly #plugin: string;

  constructor(inner: Router<C>, allowed: readonly string[], plugin: string) {
    super();
    this.#inner = inner;
    this.#allowed = new Set(allowed);
    this.#plugin = plugin;
  }

  override has(name: string): boolean {
    return this.#allowed.has(name) && this.#inner.has(name);
  }

  override names(): string[] {
    return this.#inner.names().filter((name) => this.#allowed.has(name));
  }

  override dispatch(request: JsonRpcRequest, context: C): Promise<unknown> {
    if (!this.#allowed.has(request.method)) {
      return Promise.reject(
        new JsonRpcError(
          ErrorCode.NotAllowed,
          `Host method not allowed: ${request.method} is not in the allowed host methods of ${this.#plugin}`,
        ),
      );
    }
    return this.#inner.dispatch(request, context);
  }
}
