/**
 * The answer a plugin gets when it calls a host method the host does not
 * provide: a message that says so and how to provide one, rather than a bare
 * "Method not found" that reads as if the plugin lacked a method.
 *
 * @module
 */

import { ErrorCode, JsonRpcError } from "../rpc/json_rpc_error.ts";
import type { JsonRpcRequest } from "../rpc/messages.ts";
import { Router } from "../rpc/router.ts";

/**
 * The message for a host method the plugin called and the host lacks:
 * `The plugin called host method 'prefix', which this host does not provide; <how>`.
 *
 * @param method The host method the plugin called.
 * @param how How to provide it (an option of the API, a flag of the CLI).
 * @returns one sentence
 */
export function missingHostMethodMessage(method: string, how: string): string {
  return `The plugin called host method '${method}', which this host does not provide; ${how}`;
}

/** How the API provides host methods. */
const API_HINT = "give it in the host option of Plugin.load (a Router with that method)";

/** Dispatches to `inner`, answering a method it lacks with {@linkcode missingHostMethodMessage}. */
export class MissingHostMethod<C> extends Router<C> {
  readonly #inner: Router<C>;
  readonly #how: string;
  /** The last host method a plugin called that the host lacks, if any. */
  missed: string | undefined;

  constructor(inner: Router<C>, how = API_HINT) {
    super();
    this.#inner = inner;
    this.#how = how;
  }

  override has(name: string): boolean {
    return this.#inner.has(name);
  }

  override names(): string[] {
    return this.#inner.names();
  }

  override dispatch(request: JsonRpcRequest, context: C): Promise<unknown> {
    if (!this.#inner.has(request.method)) {
      this.missed = request.method;
      return Promise.reject(
        new JsonRpcError(
          ErrorCode.MethodNotFound,
          missingHostMethodMessage(request.method, this.#how),
        ),
      );
    }
    return this.#inner.dispatch(request, context);
  }
}
