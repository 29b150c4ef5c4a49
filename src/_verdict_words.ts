/**
 * The words for `inspect`'s verdicts, one wording for the CLI and the
 * playground.
 *
 * @module
 */

/** What each verdict of `inspectModule` reads as. */
export const VERDICT_WORDS: Record<"runs" | "limited" | "will-not-run", string> = {
  runs: "runs here",
  limited: "runs here, limited",
  "will-not-run": "will not run here",
};
