/**
 * A memory budget shared by many guests.
 *
 * @module
 */

/**
 * Bytes of linear memory and tables that the guests given this budget may
 * hold together, on top of each guest's own `maxMemory`. A guest whose
 * growth would cross it is refused (its run fails with kind `memory`); the
 * others are not affected. Guests give their bytes back when they end.
 *
 * @example Two plugins share 1 GiB
 * ```ts ignore
 * import { MemoryBudget, Plugin } from "@wasmi-plugins/host";
 * const memoryBudget = new MemoryBudget(1 << 30);
 * const a = await Plugin.load("a.wasm", { memoryBudget });
 * const b = await Plugin.load("b.wasm", { memoryBudget });
 * ```
 */
export class MemoryBudget {
  /** The budget in bytes. */
  readonly limit: number;
  #used = 0;

  /**
   * Creates a budget.
   *
   * @param limit The budget in bytes (a non-negative integer).
   * @throws {RangeError} if `limit` is not a non-negative safe integer.
   */
  constructor(limit: number) {
    if (!(Number.isSafeInteger(limit) && limit >= 0)) {
      throw new RangeError(`MemoryBudget limit must be a non-negative integer, got ${limit}`);
    }
    this.limit = limit;
  }

  /** Bytes reserved now. */
  get used(): number {
    return this.#used;
  }

  /**
   * Reserves `bytes` if they fit.
   *
   * @param bytes How many bytes.
   * @returns whether they were reserved
   */
  tryReserve(bytes: number): boolean {
    if (this.#used + bytes > this.limit) return false;
    this.#used += bytes;
    return true;
  }

  /**
   * Gives back bytes reserved earlier.
   *
   * @param bytes How many bytes.
   */
  release(bytes: number): void {
    this.#used = Math.max(0, this.#used - bytes);
  }
}
