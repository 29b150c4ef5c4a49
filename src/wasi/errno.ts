/**
 * WASI preview1 error numbers this package answers with.
 *
 * @module
 */

/** WASI preview1 `errno` values. */
export const Errno = {
  SUCCESS: 0,
  BADF: 8,
  FAULT: 21,
  INVAL: 28,
  NOSYS: 52,
  NOTDIR: 54,
  NOTSOCK: 57,
  PIPE: 64,
  SPIPE: 70,
} as const;
