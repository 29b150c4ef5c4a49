/**
 * Counts the ticks of a 1 ms interval while `body` runs: more than zero
 * means the host's timers fired during it (its event loop kept turning).
 * Only "more than zero" is a verdict that holds on any machine: how many
 * ticks fit in a run moves with the machine's speed and load.
 *
 * @module
 */

/** Runs `body` while a 1 ms interval counts ticks; returns the tick count. */
export async function ticksDuring(body: () => Promise<unknown>): Promise<number> {
  let ticks = 0;
  const interval = setInterval(() => ticks++, 1);
  try {
    await body();
  } finally {
    clearInterval(interval);
  }
  return ticks;
}
