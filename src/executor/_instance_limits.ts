/**
 * What an instance's tables may hold, the same on both engines: the Wasmi
 * engine has the same numbers (crates/wasmi-wasm/src/limits.rs), and
 * `tests/faults_test.ts` checks that both engines refuse alike.
 *
 * @module
 */

/** Bytes a table entry counts for against `maxMemory` and a memory budget. */
export const TABLE_ENTRY_BYTES = 8;
/** Most entries one table may have, at instantiation or after growing. */
export const MAX_TABLE_ENTRIES = 2 ** 20;

/**
 * Why a module with tables of these initial sizes cannot load, if it
 * cannot (the Wasmi engine says the same, in the same words).
 *
 * @param tables The initial entries of every table.
 * @returns a sentence naming the first table over the cap, or undefined
 */
export function tableProblem(tables: readonly number[]): string | undefined {
  const index = tables.findIndex((entries) => entries > MAX_TABLE_ENTRIES);
  if (index === -1) return undefined;
  return `Table ${index} has ${tables[index]} initial entries, ` +
    `more than the ${MAX_TABLE_ENTRIES} a table may have`;
}
