/*
 * The machine's floor: a small JSON request and reply over two FIFOs, in C, with blocking
 * read(2)/write(2) and no parsing beyond finding the newline.
 *
 *   fifo_pingpong server REQ REP            answers each line on REQ with a line on REP
 *   fifo_pingpong client REQ REP N WARMUP   prints {"samples":[us,...],"elapsedMs":ms}
 *   fifo_pingpong bulk-server REQ REP BYTES echoes each BYTES-long message on REQ to REP
 *   fifo_pingpong bulk-client REQ REP N WARMUP BYTES
 *                                           sends N messages of BYTES and reads each echo back,
 *                                           one at a time: the machine's bandwidth floor
 *
 * The server prints {"ready":true} once its pipes are open. Both ends open the FIFOs O_RDWR,
 * which never blocks on Linux and never reports end-of-file, so on Linux each also asks to be
 * terminated when the bench that started it dies.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

static char buf[65536];

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Reads until a newline; returns the line length or -1. */
static ssize_t read_line(int fd) {
  size_t have = 0;
  for (;;) {
    ssize_t n = read(fd, buf + have, sizeof buf - have);
    if (n <= 0) return -1;
    have += (size_t)n;
    if (memchr(buf + have - n, '\n', (size_t)n) != NULL) return (ssize_t)have;
    if (have == sizeof buf) return -1;
  }
}

static int write_all(int fd, const char *p, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n <= 0) return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

static int read_all(int fd, char *p, size_t len) {
  while (len > 0) {
    ssize_t n = read(fd, p, len);
    if (n <= 0) return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

/* Bulk echo: fixed-size messages, no framing beyond the size both ends know. */
static int bulk(int argc, char **argv, int req, int rep) {
  int server = strcmp(argv[1], "bulk-server") == 0;
  size_t bytes = (size_t)atol(argv[server ? 4 : 6]);
  char *msg = malloc(bytes);
  if (msg == NULL) return 1;
  memset(msg, 'b', bytes);
  if (server) {
    printf("{\"ready\":true}\n");
    fflush(stdout);
    while (read_all(req, msg, bytes) == 0) {
      if (write_all(rep, msg, bytes) != 0) return 1;
    }
    return 0;
  }
  long n = atol(argv[4]);
  long warmup = atol(argv[5]);
  double *samples = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
  double t0 = 0;
  for (long i = -warmup; i < n; i++) {
    if (i == 0) t0 = now_us();
    double t = now_us();
    if (write_all(req, msg, bytes) != 0 || read_all(rep, msg, bytes) != 0) return 1;
    if (i >= 0) samples[i] = now_us() - t;
  }
  double elapsed = now_us() - t0;
  printf("{\"samples\":[");
  for (long i = 0; i < n; i++) printf(i == 0 ? "%.1f" : ",%.1f", samples[i]);
  printf("],\"elapsedMs\":%.3f}\n", elapsed / 1e3);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s server|client|bulk-server|bulk-client REQ REP [N WARMUP] [BYTES]\n", argv[0]);
    return 2;
  }
#ifdef __linux__
  prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
  int req = open(argv[2], O_RDWR);
  int rep = open(argv[3], O_RDWR);
  if (req < 0 || rep < 0) {
    perror("open");
    return 1;
  }
  if (strncmp(argv[1], "bulk-", 5) == 0) {
    if (argc < (strcmp(argv[1], "bulk-server") == 0 ? 5 : 7)) return 2;
    return bulk(argc, argv, req, rep);
  }
  if (strcmp(argv[1], "server") == 0) {
    static const char pong[] = "{\"event\":\"pong\",\"id\":1}\n";
    printf("{\"ready\":true}\n");
    fflush(stdout);
    while (read_line(req) > 0) {
      if (write_all(rep, pong, sizeof pong - 1) != 0) return 1;
    }
    return 0;
  }
  if (argc < 6) return 2;
  long n = atol(argv[4]);
  long warmup = atol(argv[5]);
  static const char ping[] = "{\"cmd\":\"ping\",\"id\":1}\n";
  double *samples = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
  double t0 = 0;
  for (long i = -warmup; i < n; i++) {
    if (i == 0) t0 = now_us();
    double t = now_us();
    if (write_all(req, ping, sizeof ping - 1) != 0 || read_line(rep) <= 0) return 1;
    if (i >= 0) samples[i] = now_us() - t;
  }
  double elapsed = now_us() - t0;
  printf("{\"samples\":[");
  for (long i = 0; i < n; i++) printf(i == 0 ? "%.1f" : ",%.1f", samples[i]);
  printf("],\"elapsedMs\":%.3f}\n", elapsed / 1e3);
  free(samples);
  return 0;
}
