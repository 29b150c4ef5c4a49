/**
 * Bounds on the host work of one WASI call, whatever a guest passes: the
 * executor meters guest code in fuel, and a host call is one step of it.
 *
 * @module
 */

/**
 * Most iovecs one `fd_read`, `fd_write`, `fd_pread` or `fd_pwrite` takes
 * (POSIX's `IOV_MAX`, as wasi-libc and Linux have it): more answer
 * `EINVAL`.
 */
export const IOV_MAX = 1024;

/**
 * Bytes `random_get` fills per turn of the event loop: a larger buffer is
 * filled in steps, the guest suspended in between.
 */
export const RANDOM_STEP = 1 << 20;
