/**
 * `--host FILE`: host methods for the plugin from a TypeScript or JavaScript
 * module, imported with the permissions the CLI runs with.
 *
 * @module
 */

import { MissingHostMethod } from "../plugin/_missing_host_method.ts";
import type { HostContext } from "../plugin/plugin_session.ts";
import { Router } from "../rpc/router.ts";
import { UsageError } from "./_options.ts";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

/** How the CLI provides host methods, for the message of a missing one. */
export const CLI_HOST_HINT =
  "give it with --host FILE, a module whose default export is a Router or an object " +
  "of functions (see examples/hosts/echo.ts)";

/**
 * The host methods of `--host FILE` (none without it), answering a method
 * the plugin calls and the host lacks with a message that names it and
 * `--host`.
 *
 * @param path The module's path (`--host`), or undefined.
 * @returns the router the plugin's host calls go to
 * @throws {UsageError} if the module cannot be imported or its default export is neither
 */
export async function loadHostModule(
  path: string | undefined,
): Promise<MissingHostMethod<HostContext>> {
  if (path === undefined) return new MissingHostMethod(new Router<HostContext>(), CLI_HOST_HINT);
  let module: { default?: unknown };
  try {
    module = await import(fileUrl(path));
  } catch (error) {
    throw new UsageError(
      `--host ${path} cannot be imported: ${(error as Error)?.message ?? error}`,
    );
  }
  return new MissingHostMethod(routerOf(module.default, path), CLI_HOST_HINT);
}

/** A file URL for a path relative to the working directory (a `%` in it is a `%`). */
function fileUrl(path: string): string {
  return pathToFileURL(resolve(path)).href;
}

/** The default export as a Router: itself, or one method per function of a plain object. */
function routerOf(value: unknown, path: string): Router<HostContext> {
  if (value instanceof Router) return value as Router<HostContext>;
  // A Router of another copy of this package (another version, a URL import).
  if (isRouterLike(value)) return value as Router<HostContext>;
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const router = new Router<HostContext>();
    const entries = Object.entries(value);
    for (const [name, handler] of entries) {
      if (typeof handler !== "function") {
        throw new UsageError(
          `--host ${path}: the default export's '${name}' is not a function (each entry is a host method)`,
        );
      }
      router.method(name, handler as (params: unknown, context: HostContext) => unknown);
    }
    return router;
  }
  throw new UsageError(
    `--host ${path} has no usable default export: export default a Router or an object of ` +
      "functions, such as: export default { echo: ([value]) => value };",
  );
}

function isRouterLike(value: unknown): boolean {
  const v = value as Partial<Router<HostContext>> | null;
  return typeof v === "object" && v !== null && typeof v.dispatch === "function" &&
    typeof v.has === "function" && typeof v.names === "function";
}
