/* The dispatch benchmark's step: prints the wall clock in nanoseconds since the epoch and
 * exits. Built static by bench.py so that the step's own start-up (no dynamic loader, no
 * locale files, as `date` has) adds as little as possible to what is measured. */
#include <stdio.h>
#include <time.h>

int main(void) {
  struct timespec now;
  if (clock_gettime(CLOCK_REALTIME, &now) != 0) return 1;
  printf("%lld%09ld\n", (long long)now.tv_sec, now.tv_nsec);
  return 0;
}
