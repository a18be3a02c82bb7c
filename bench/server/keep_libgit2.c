/* An experiment, not part of slipway: LD_PRELOAD'ed into `slipway server`, it initialises
 * libgit2 once when the process starts, so the git_libgit2_init()/git_libgit2_shutdown() pairs
 * slipway makes around each git operation only move a reference count instead of setting up
 * (and tearing down) the library each time: with libgit2's mbedtls backend, set-up loads and
 * parses the system's CA certificates. `bench/server/bench.py dispatch-keepgit` measures
 * dispatch latency with it, to show what keeping libgit2 initialised in src/ would gain.
 * LD_PRELOAD is removed from the environment at once, so the steps slipway starts do not load
 * the shim (and libgit2) too. */
#include <git2.h>
#include <stdlib.h>

__attribute__((constructor)) static void keep_libgit2_initialised(void) {
  unsetenv("LD_PRELOAD");
  git_libgit2_init();
}
