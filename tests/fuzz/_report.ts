/**
 * What every fuzz target takes and reports.
 *
 * @module
 */

/** Options of one fuzz run. */
export interface FuzzOptions {
  /** The run's seed: with it, every input can be reproduced. */
  seed: number;
  /** How long to run. */
  seconds: number;
  /** At most this many inputs (default: until time is up). */
  iterations?: number;
  /** The first iteration number (to replay one input: from = n, iterations = 1). */
  from?: number;
}

/** One input that broke the oracle. */
export interface Failure {
  /** Its iteration number: replay with the same seed. */
  iteration: number;
  /** What went wrong. */
  message: string;
  /** How the input was made. */
  input: string;
  /** The input's bytes, when it is binary. */
  bytes?: Uint8Array;
}

/** The result of one fuzz run. */
export interface FuzzReport {
  target: string;
  seed: number;
  executions: number;
  outcomes: Record<string, number>;
  failures: Failure[];
  notes: string[];
}

/** One line per report, for logs. */
export function formatReport(report: FuzzReport): string {
  const outcomes = Object.entries(report.outcomes).sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`).join(" ");
  const lines = [
    `fuzz ${report.target}: seed ${report.seed}, ${report.executions} executions, ` +
    `${report.failures.length} failures; ${outcomes}`,
    ...report.notes.map((note) => `  ${note}`),
    ...report.failures.slice(0, 10).map((f) =>
      `  FAIL iteration ${f.iteration} (${f.input}): ${f.message}`
    ),
  ];
  return lines.join("\n");
}

/**
 * An error (or anything thrown) as one line for a fuzz report.
 *
 * @param error What was thrown.
 * @returns `Name: message`, or the value as text
 */
export function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
