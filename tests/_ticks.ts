/**
 * Counts the ticks of a 1 ms interval while `body` runs: more than zero
 * means the host's timers fired during it (its event loop kept turning).
 * Only "more than zero" is a verdict that holds on any machine: how many
 * ticks fit in a run moves with the machine's speed and load.
 * Or counts event-loop turns, independent of speed.
 *
 * @module
 */

import { setImmediate } from "node:timers";

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

/**
 * Counts the event-loop turns (macrotasks of a `setImmediate` chain) while
 * `body` runs: code that yields to the event loop K times lets the chain
 * run at least K times, however fast the machine is; code that holds the
 * loop lets it run at most once or twice.
 */
export async function turnsDuring(body: () => Promise<unknown>): Promise<number> {
  let turns = 0;
  let running = true;
  const turn = () => {
    if (!running) return;
    turns++;
    setImmediate(turn);
  };
  setImmediate(turn);
  try {
    await body();
  } finally {
    running = false;
  }
  return turns;
}
