/**
 * Why a valid module cannot run here, in sentences with the next step:
 * imports this host does not provide, or no `_start` (not a wasip1
 * command).
 *
 * @module
 */

import { type GuestModule, importProblem } from "../executor/guest_module.ts";

const WASI = "wasi_snapshot_preview1";

/** `a`, `a` and `b`, or `a`, `b` and 3 more (each in backticks). */
function list(names: string[]): string {
  const shown = names.slice(0, 2).map((name) => `\`${name}\``);
  if (names.length > 3) return `${shown.join(", ")} and ${names.length - 2} more`;
  const all = names.map((name) => `\`${name}\``);
  return all.length === 1 ? all[0]! : `${all.slice(0, -1).join(", ")} and ${all.at(-1)}`;
}

/**
 * The reasons `module` cannot run here, each the rest of a sentence whose
 * subject is the module (`imports \`env::foo\`, which this host does not
 * provide ...; build it for wasm32-wasip1 ...`), grouped by kind: imports
 * from modules other than wasi_snapshot_preview1, imports that are not
 * preview1 functions, imports with the wrong signature, and a missing
 * `_start` (a reactor or a library, not a command). Empty if it can run.
 *
 * @param module A compiled module.
 * @returns the problems, each with its next step
 *
 * @example
 * ```ts ignore
 * linkProblems(module); // ["is not a wasip1 command (it exports no `_start` function); ..."]
 * ```
 */
export function linkProblems(module: GuestModule): string[] {
  const errors = module.linkErrors();
  if (errors.length === 0) return [];
  const named = { foreign: [] as string[], unknown: [] as string[], mistyped: [] as string[] };
  for (const i of module.imports) {
    const problem = importProblem(i);
    if (problem !== undefined) named[problem].push(`${i.module}::${i.name}`);
  }
  const { foreign, unknown, mistyped } = named;
  const problems: string[] = [];
  const toolchain = "build it with a wasm32-wasip1 toolchain";
  if (foreign.length > 0) {
    problems.push(
      `imports ${list(foreign)}, which this host does not provide (it provides ` +
        `${WASI} functions only); build it for wasm32-wasip1 with no other imports`,
    );
  }
  if (unknown.length > 0) {
    problems.push(
      `imports ${list(unknown)}, which ${
        unknown.length === 1 ? "is not a WASI preview1 function" : "are not WASI preview1 functions"
      }; ${toolchain}`,
    );
  }
  if (mistyped.length > 0) {
    problems.push(`imports ${list(mistyped)} with another signature than WASI's; ${toolchain}`);
  }
  const start = module.exports.find((e) => e.name === "_start");
  if (start === undefined || start.kind !== "func") {
    const reactor = module.exports.some((e) => e.name === "_initialize" && e.kind === "func");
    problems.push(
      reactor
        ? "is a WASI reactor (it exports `_initialize`, not `_start`), not a wasip1 command; " +
          "build it as a program with a `main` function"
        : "is not a wasip1 command (it exports no `_start` function); " +
          "build it as a program with a `main` function, not as a library",
    );
  }
  // Should the checks above ever miss one of the module's own reasons.
  return problems.length > 0 ? problems : errors.map((error) => `cannot run here: ${error}`);
}
