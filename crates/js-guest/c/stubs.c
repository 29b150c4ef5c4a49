/* Symbols Rust's std and QuickJS link on wasm32-wasip1 that Debian's 2022
 * wasi-libc lacks. A plugin has no threads and no filesystem: these are
 * never reached in a working plugin, and fail cleanly if they are.
 * (No pthread.h: this wasi-libc has none; pthread_t is a pointer-sized value.) */
#include <errno.h>

#define STUB_ENOSYS 52 /* ENOSYS, as wasi-libc numbers it */

int pthread_join(unsigned long thread, void **value) { (void)thread; (void)value; return STUB_ENOSYS; }
int pthread_detach(unsigned long thread) { (void)thread; return STUB_ENOSYS; }
int chmod(const char *path, unsigned mode) { (void)path; (void)mode; errno = STUB_ENOSYS; return -1; }
int *__errno_location(void) { return &errno; }
