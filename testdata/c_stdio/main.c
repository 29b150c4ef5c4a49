/*
 * Test guest for the WASI host: a C program on wasi-libc's stdio, built for
 * wasm32-wasip1 by scripts/build_guests.sh. The first argument picks the
 * behaviour (the same commands and output formats as testdata/rust_stdio,
 * with `abort` in place of `panic`).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

extern char **environ;

static const char usage_text[] =
    "usage: c_stdio <command> [arg]\n"
    "commands:\n"
    "  echo              copy stdin to stdout until EOF\n"
    "  lines             print `got: <line>` for each stdin line, flushing each\n"
    "  args              print each argv element (argv[0] included) on its own line\n"
    "  env               print every environment variable as K=V\n"
    "  sleep MS          sleep MS milliseconds, then print `slept MS`\n"
    "  clocks            print `realtime <ns>` and `monotonic_ok <bool>`\n"
    "  random N          print N random bytes as lowercase hex\n"
    "  exit N            exit with status N\n"
    "  stderr TEXT       write TEXT and a newline to stderr\n"
    "  abort             call abort()\n"
    "  stdout_flood N    write N bytes of 'x' to stdout in 64 KiB chunks\n"
    "  stdio_kinds       print isatty() and the fdstat/filestat of fds 0-2\n"
    "  write_lines N     write N numbered lines, one write() each\n"
    "  write_forever     write lines, one write() each, until a write fails:\n"
    "                    exit 32 on EPIPE, 1 on another error\n";

static void usage(void) {
  fputs(usage_text, stderr);
  exit(2);
}

static unsigned long long number_arg(int argc, char **argv) {
  char *end;
  unsigned long long n;
  if (argc < 3 || argv[2][0] == '\0' || argv[2][0] == '-') usage();
  errno = 0;
  n = strtoull(argv[2], &end, 10);
  if (errno != 0 || *end != '\0') usage();
  return n;
}

static int echo(void) {
  static char buf[4096];
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n == 0) return 0;
    if (n < 0) {
      perror("read");
      return 1;
    }
    for (ssize_t done = 0; done < n;) {
      ssize_t w = write(1, buf + done, (size_t)(n - done));
      if (w < 0) {
        perror("write");
        return 1;
      }
      done += w;
    }
  }
}

static int lines(void) {
  static char line[65536];
  while (fgets(line, sizeof line, stdin) != NULL) {
    size_t len = strlen(line);
    if (len > 0 && line[len - 1] == '\n') line[--len] = '\0';
    if (len > 0 && line[len - 1] == '\r') line[--len] = '\0';
    printf("got: %s\n", line);
    fflush(stdout);
  }
  return 0;
}

static long long ns_of(const struct timespec *ts) {
  return (long long)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static int clocks(void) {
  struct timespec real, start, end;
  struct timespec pause = {0, 5 * 1000000L};
  if (clock_gettime(CLOCK_REALTIME, &real) != 0) {
    perror("clock_gettime");
    return 1;
  }
  printf("realtime %lld\n", ns_of(&real));
  clock_gettime(CLOCK_MONOTONIC, &start);
  nanosleep(&pause, NULL);
  clock_gettime(CLOCK_MONOTONIC, &end);
  printf("monotonic_ok %s\n",
         ns_of(&end) - ns_of(&start) >= 5000000LL ? "true" : "false");
  return 0;
}

static int random_hex(unsigned long long n) {
  unsigned char buf[256];
  while (n > 0) {
    size_t len = n < sizeof buf ? (size_t)n : sizeof buf;
    if (getentropy(buf, len) != 0) {
      perror("getentropy");
      return 1;
    }
    for (size_t i = 0; i < len; i++) printf("%02x", buf[i]);
    n -= len;
  }
  putchar('\n');
  return 0;
}

static int stdout_flood(unsigned long long n) {
  static char chunk[64 * 1024];
  memset(chunk, 'x', sizeof chunk);
  while (n > 0) {
    size_t len = n < sizeof chunk ? (size_t)n : sizeof chunk;
    if (fwrite(chunk, 1, len, stdout) != len) {
      perror("fwrite");
      return 1;
    }
    n -= len;
  }
  return fflush(stdout) == 0 ? 0 : 1;
}

static int stdio_kinds(void) {
  for (int fd = 0; fd < 3; fd++) {
    __wasi_fdstat_t st;
    __wasi_filestat_t fst;
    __wasi_errno_t e1 = __wasi_fd_fdstat_get(fd, &st);
    __wasi_errno_t e2 = __wasi_fd_filestat_get(fd, &fst);
    printf("fd %d isatty %d fdstat %u filetype %u flags %u base 0x%llx "
           "inheriting 0x%llx filestat %u filetype %u\n",
           fd, isatty(fd), e1, st.fs_filetype, st.fs_flags,
           (unsigned long long)st.fs_rights_base,
           (unsigned long long)st.fs_rights_inheriting, e2, fst.filetype);
  }
  return 0;
}

/* Counts up the decimal digits at the end of line[0..len) (before '\n'). */
static int next_line(char *line, int len) {
  int i = len - 2;
  while (i >= 5 && line[i] == '9') line[i--] = '0';
  if (i >= 5) {
    line[i]++;
    return len;
  }
  /* All nines: one digit more. */
  line[5] = '1';
  line[len - 1] = '0';
  line[len] = '\n';
  return len + 1;
}

static int write_lines(unsigned long long n) {
  char line[32] = "line 0\n";
  int len = 7;
  for (unsigned long long i = 0; i < n; i++) {
    if (write(1, line, (size_t)len) != len) {
      perror("write");
      return 1;
    }
    len = next_line(line, len);
  }
  return 0;
}

static int write_forever(void) {
  char line[32] = "line 0\n";
  int len = 7;
  for (;;) {
    if (write(1, line, (size_t)len) < 0) {
      int error = errno;
      fprintf(stderr, "write: %s\n", strerror(error));
      return error == EPIPE ? 32 : 1;
    }
    len = next_line(line, len);
  }
}

int main(int argc, char **argv) {
  const char *cmd = argc > 1 ? argv[1] : "";
  if (strcmp(cmd, "echo") == 0) return echo();
  if (strcmp(cmd, "lines") == 0) return lines();
  if (strcmp(cmd, "args") == 0) {
    for (int i = 0; i < argc; i++) puts(argv[i]);
    return 0;
  }
  if (strcmp(cmd, "env") == 0) {
    for (char **e = environ; e != NULL && *e != NULL; e++) puts(*e);
    return 0;
  }
  if (strcmp(cmd, "sleep") == 0) {
    unsigned long long ms = number_arg(argc, argv);
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
    printf("slept %llu\n", ms);
    return 0;
  }
  if (strcmp(cmd, "clocks") == 0) return clocks();
  if (strcmp(cmd, "random") == 0) return random_hex(number_arg(argc, argv));
  if (strcmp(cmd, "exit") == 0) exit((int)number_arg(argc, argv));
  if (strcmp(cmd, "stderr") == 0) {
    fprintf(stderr, "%s\n", argc > 2 ? argv[2] : "");
    return 0;
  }
  if (strcmp(cmd, "abort") == 0) abort();
  if (strcmp(cmd, "stdout_flood") == 0)
    return stdout_flood(number_arg(argc, argv));
  if (strcmp(cmd, "stdio_kinds") == 0) return stdio_kinds();
  if (strcmp(cmd, "write_lines") == 0) return write_lines(number_arg(argc, argv));
  if (strcmp(cmd, "write_forever") == 0) return write_forever();
  usage();
  return 2;
}
