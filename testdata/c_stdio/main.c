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
    "  stdout_flood N    write N bytes of 'x' to stdout in 64 KiB chunks\n";

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
  usage();
  return 2;
}
