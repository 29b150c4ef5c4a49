/**
 * WASI preview1 error numbers this package answers with.
 *
 * @module
 */

/** WASI preview1 `errno` values. */
export const Errno = {
  SUCCESS: 0,
  BADF: 8,
  BUSY: 10,
  EXIST: 20,
  FAULT: 21,
  ILSEQ: 25,
  INVAL: 28,
  ISDIR: 31,
  NAMETOOLONG: 37,
  NOENT: 44,
  NOSPC: 51,
  NOSYS: 52,
  NOTDIR: 54,
  NOTEMPTY: 55,
  NOTSOCK: 57,
  NOTSUP: 58,
  PERM: 63,
  PIPE: 64,
  SPIPE: 70,
  NOTCAPABLE: 76,
} as const;
