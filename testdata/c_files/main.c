/*
 * Test guest for the WASI host's opt-in directory (`files`): a C program on
 * wasi-libc's POSIX file functions, built for wasm32-wasip1 by
 * scripts/build_guests.sh. It runs the operations its arguments name, in
 * turn, one output line each.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static const char usage_text[] =
    "usage: c_files OP ARGS... [OP ARGS...]...\n"
    "operations (one output line each; errors as `OP P: errno N`):\n"
    "  cat P             print the file's bytes\n"
    "  write P TEXT      create or truncate P and write TEXT\n"
    "  append P TEXT     append TEXT to P (created if missing)\n"
    "  fill P N          append N bytes of 'x' in 64 KiB writes\n"
    "  ls P              list the directory (without . and ..; directories end in /)\n"
    "  stat P            print `dir` or `file` and the size\n"
    "  mkdir P, rmdir P, rm P, mv A B\n"
    "  raw P             path_open on fd 3 with P as given: `raw P: errno N`\n";

static void usage(void) {
  fputs(usage_text, stderr);
  exit(2);
}

static int fail(const char *op, const char *path) {
  printf("%s %s: errno %d\n", op, path, errno);
  return 1;
}

static int fs_cat(const char *path) {
  char buf[4096];
  int fd = open(path, O_RDONLY);
  if (fd < 0) return fail("cat", path);
  printf("cat %s: ", path);
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      putchar('\n');
      close(fd);
      return fail("read", path);
    }
    if (n == 0) break;
    fwrite(buf, 1, (size_t)n, stdout);
  }
  putchar('\n');
  close(fd);
  return 0;
}

static int fs_write(const char *path, const char *text, int flags) {
  int fd = open(path, O_WRONLY | O_CREAT | flags, 0644);
  if (fd < 0) return fail(flags & O_APPEND ? "append" : "write", path);
  size_t len = strlen(text);
  if (write(fd, text, len) != (ssize_t)len) {
    close(fd);
    return fail("write", path);
  }
  if (close(fd) != 0) return fail("close", path);
  printf("%s %s: %zu bytes\n", flags & O_APPEND ? "append" : "write", path, len);
  return 0;
}

static int fs_ls(const char *path) {
  DIR *dir = opendir(path);
  if (dir == NULL) return fail("ls", path);
  printf("ls %s:", path);
  struct dirent *entry;
  while ((entry = readdir(dir)) != NULL) {
    if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
    printf(" %s%s", entry->d_name, entry->d_type == DT_DIR ? "/" : "");
  }
  putchar('\n');
  closedir(dir);
  return 0;
}

static int fs_fill(const char *path, const char *count) {
  static char chunk[64 * 1024];
  unsigned long long n = strtoull(count, NULL, 10);
  memset(chunk, 'x', sizeof chunk);
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return fail("fill", path);
  while (n > 0) {
    size_t len = n < sizeof chunk ? (size_t)n : sizeof chunk;
    if (write(fd, chunk, len) != (ssize_t)len) {
      close(fd);
      return fail("fill", path);
    }
    n -= len;
  }
  close(fd);
  printf("fill %s: %s bytes\n", path, count);
  return 0;
}

static int fs_stat(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return fail("stat", path);
  printf("stat %s: %s %lld bytes\n", path, S_ISDIR(st.st_mode) ? "dir" : "file",
         (long long)st.st_size);
  return 0;
}

static int fs_raw(const char *path) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(3, 0, path, 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd);
  printf("raw %s: errno %u\n", path, e);
  if (e == 0) (void)!__wasi_fd_close(fd);
  return e == 0 ? 0 : 1;
}

/* Runs the operations in argv[1..]; exits 1 if any failed. */
int main(int argc, char **argv) {
  int status = 0;
  if (argc < 2) usage();
  for (int i = 1; i < argc;) {
    const char *op = argv[i++];
    int two = strcmp(op, "write") == 0 || strcmp(op, "append") == 0 || strcmp(op, "mv") == 0 ||
              strcmp(op, "fill") == 0;
    if (i + two >= argc) usage();
    const char *a = argv[i++];
    const char *b = two ? argv[i++] : NULL;
    int r = 0;
    if (strcmp(op, "cat") == 0) r = fs_cat(a);
    else if (strcmp(op, "write") == 0) r = fs_write(a, b, O_TRUNC);
    else if (strcmp(op, "append") == 0) r = fs_write(a, b, O_APPEND);
    else if (strcmp(op, "ls") == 0) r = fs_ls(a);
    else if (strcmp(op, "stat") == 0) r = fs_stat(a);
    else if (strcmp(op, "fill") == 0) r = fs_fill(a, b);
    else if (strcmp(op, "raw") == 0) r = fs_raw(a);
    else if (strcmp(op, "mkdir") == 0)
      r = mkdir(a, 0755) == 0 ? (printf("mkdir %s: ok\n", a), 0) : fail("mkdir", a);
    else if (strcmp(op, "rmdir") == 0)
      r = rmdir(a) == 0 ? (printf("rmdir %s: ok\n", a), 0) : fail("rmdir", a);
    else if (strcmp(op, "rm") == 0)
      r = unlink(a) == 0 ? (printf("rm %s: ok\n", a), 0) : fail("rm", a);
    else if (strcmp(op, "mv") == 0)
      r = rename(a, b) == 0 ? (printf("mv %s %s: ok\n", a, b), 0) : fail("mv", a);
    else usage();
    if (r != 0) status = 1;
  }
  return status;
}
