// One libgit2 initialisation per process (see InitGitLibrary in triggers.h).
#include <git2.h>

#include "triggers/triggers.h"

namespace slipway::triggers {

void InitGitLibrary() {
  // A function-local static is initialised exactly once, even with threads racing to it.
  [[maybe_unused]] static const int initialised = git_libgit2_init();
}

}  // namespace slipway::triggers
