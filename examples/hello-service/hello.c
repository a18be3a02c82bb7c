/* hello-service: a tiny HTTP/1.0 service used by slipway's example pipeline and demos.
 *
 *   GET /         200 "hello from <version>\n"  (slowed by HELLO_DELAY_MS, fails at
 *                 HELLO_ERROR_RATE with 500 "error\n")
 *   GET /healthz  200 "ok\n"                     (never slowed, never fails)
 *   other paths   404; other methods 405
 *
 * Environment (all optional):
 *   HELLO_ADDR        IPv4 address to listen on        (default 127.0.0.1)
 *   HELLO_PORT        TCP port; 0 picks a free one     (default 8080)
 *   HELLO_VERSION     version to report                (default: the compiled-in VERSION)
 *   HELLO_DELAY_MS    extra latency of GET /, in ms    (default 0)
 *   HELLO_ERROR_RATE  share of GET / answered 500, 0..1 (default 0)
 *
 * On start it prints one line to stdout: "hello-service <version> listening on ADDR:PORT".
 * Each connection is served by a forked child; SIGTERM/SIGINT stop the service.
 */
#define _XOPEN_SOURCE 700 /* drand48, srand48 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#ifndef VERSION
#define VERSION "dev"
#endif

struct config {
  const char *addr;
  long port;
  const char *version;
  long delay_ms;
  double error_rate;
};

static int parse_config(struct config *c) {
  const char *s;
  char *end;
  c->addr = getenv("HELLO_ADDR") ? getenv("HELLO_ADDR") : "127.0.0.1";
  c->version = getenv("HELLO_VERSION") && *getenv("HELLO_VERSION") ? getenv("HELLO_VERSION")
                                                                      : VERSION;
  c->port = 8080;
  c->delay_ms = 0;
  c->error_rate = 0.0;
  if ((s = getenv("HELLO_PORT")) && *s) {
    c->port = strtol(s, &end, 10);
    if (*end || c->port < 0 || c->port > 65535) {
      fprintf(stderr, "hello-service: HELLO_PORT must be 0..65535, got '%s'\n", s);
      return -1;
    }
  }
  if ((s = getenv("HELLO_DELAY_MS")) && *s) {
    c->delay_ms = strtol(s, &end, 10);
    if (*end || c->delay_ms < 0) {
      fprintf(stderr, "hello-service: HELLO_DELAY_MS must be >= 0, got '%s'\n", s);
      return -1;
    }
  }
  if ((s = getenv("HELLO_ERROR_RATE")) && *s) {
    c->error_rate = strtod(s, &end);
    if (*end || !(c->error_rate >= 0.0 && c->error_rate <= 1.0)) {
      fprintf(stderr, "hello-service: HELLO_ERROR_RATE must be 0..1, got '%s'\n", s);
      return -1;
    }
  }
  return 0;
}

static void write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    p += w;
    n -= (size_t)w;
  }
}

static void respond(int fd, int status, const char *reason, const char *version,
                    const char *body) {
  char head[512];
  int n = snprintf(head, sizeof head,
                   "HTTP/1.0 %d %s\r\n"
                   "Content-Type: text/plain; charset=utf-8\r\n"
                   "Content-Length: %zu\r\n"
                   "X-Hello-Version: %s\r\n"
                   "Connection: close\r\n\r\n",
                   status, reason, strlen(body), version);
  if (n > 0 && (size_t)n < sizeof head) write_all(fd, head, (size_t)n);
  write_all(fd, body, strlen(body));
}

/* Reads until the end of the request head (or 8 KiB, or 10 s of silence). */
static int read_request_line(int fd, char *method, size_t msize, char *target, size_t tsize) {
  char buf[8192];
  size_t len = 0;
  struct timeval tv = {10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  while (len < sizeof buf - 1) {
    ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    len += (size_t)r;
    buf[len] = '\0';
    if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n")) break;
  }
  buf[len] = '\0';
  char fmt[32];
  snprintf(fmt, sizeof fmt, "%%%zus %%%zus", msize - 1, tsize - 1);
  return sscanf(buf, fmt, method, target) == 2 ? 0 : -1;
}

static void serve(int fd, const struct config *c) {
  char method[16], target[1024];
  if (read_request_line(fd, method, sizeof method, target, sizeof target) != 0) {
    respond(fd, 400, "Bad Request", c->version, "bad request\n");
    return;
  }
  char *query = strchr(target, '?');
  if (query) *query = '\0';
  if (strcmp(method, "GET") != 0) {
    respond(fd, 405, "Method Not Allowed", c->version, "method not allowed\n");
  } else if (strcmp(target, "/healthz") == 0) {
    respond(fd, 200, "OK", c->version, "ok\n");
  } else if (strcmp(target, "/") == 0) {
    if (c->delay_ms > 0) {
      struct timespec ts = {c->delay_ms / 1000, (c->delay_ms % 1000) * 1000000L};
      while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
      }
    }
    /* drand48 is seeded per child in main, so children draw independent numbers. */
    if (c->error_rate > 0.0 && drand48() < c->error_rate) {
      respond(fd, 500, "Internal Server Error", c->version, "error\n");
    } else {
      char body[256];
      snprintf(body, sizeof body, "hello from %s\n", c->version);
      respond(fd, 200, "OK", c->version, body);
    }
  } else {
    respond(fd, 404, "Not Found", c->version, "not found\n");
  }
}

static volatile sig_atomic_t stopping = 0;
static void on_stop(int sig) {
  (void)sig;
  stopping = 1;
}

int main(void) {
  struct config c;
  if (parse_config(&c) != 0) return 2;

  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((unsigned short)c.port);
  if (inet_pton(AF_INET, c.addr, &sa.sin_addr) != 1) {
    fprintf(stderr, "hello-service: HELLO_ADDR must be an IPv4 address, got '%s'\n", c.addr);
    return 2;
  }
  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, 128) != 0) {
    fprintf(stderr, "hello-service: cannot listen on %s:%ld: %s\n", c.addr, c.port,
            strerror(errno));
    return 1;
  }
  socklen_t salen = sizeof sa;
  getsockname(lfd, (struct sockaddr *)&sa, &salen);
  printf("hello-service %s listening on %s:%u\n", c.version, c.addr, ntohs(sa.sin_port));
  fflush(stdout);

  struct sigaction stop;
  memset(&stop, 0, sizeof stop);
  stop.sa_handler = on_stop; /* no SA_RESTART: accept() returns EINTR */
  sigaction(SIGTERM, &stop, NULL);
  sigaction(SIGINT, &stop, NULL);
  signal(SIGCHLD, SIG_IGN); /* children are reaped automatically */
  signal(SIGPIPE, SIG_IGN);

  unsigned long served = 0;
  while (!stopping) {
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0) continue; /* EINTR on stop, or a transient error */
    served++;
    pid_t pid = fork();
    if (pid == 0) {
      close(lfd);
      signal(SIGTERM, SIG_DFL);
      signal(SIGINT, SIG_DFL);
      srand48((long)getpid() ^ (long)time(NULL) ^ (long)served);
      serve(fd, &c);
      shutdown(fd, SHUT_WR);
      close(fd);
      _exit(0);
    }
    close(fd);
  }
  close(lfd);
  return 0;
}
