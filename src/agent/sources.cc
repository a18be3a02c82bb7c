#include "agent/sources.h"

#include <stdlib.h>

#include <algorithm>
#include <list>
#include <mutex>

#include "agent/mirrors.h"
#include "agent/sweeper.h"
#include "engine/engine.h"
#include "util/fs.h"

namespace slipway::agent {
namespace {

namespace fs = std::filesystem;

// A checked-out tree. Its directory is removed once the cache dropped it and no job copies
// from it any more.
struct Snapshot {
  Snapshot(fs::path dir, Sweeper* sweeper) : dir(std::move(dir)), sweeper(sweeper) {}
  ~Snapshot() { sweeper->Remove(dir); }
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  const fs::path dir;
  Sweeper* const sweeper;
};

}  // namespace

struct SourceSnapshots::State {
  State(fs::path root, RepositoryMirrors* mirrors, Sweeper* sweeper, size_t capacity)
      : root(std::move(root)), mirrors(mirrors), sweeper(sweeper), capacity(capacity) {}

  struct Entry {
    std::string key;  // repo, commit and subdir, NUL-separated
    std::shared_ptr<const Snapshot> snapshot;
  };

  // The snapshot of `key`, made the most recently used; null when there is none. Call with
  // `mutex` held.
  std::shared_ptr<const Snapshot> Find(const std::string& key) {
    auto found = std::find_if(entries.begin(), entries.end(),
                              [&](const Entry& entry) { return entry.key == key; });
    if (found == entries.end()) return nullptr;
    entries.splice(entries.begin(), entries, found);
    return found->snapshot;
  }

  const fs::path root;
  RepositoryMirrors* const mirrors;
  Sweeper* const sweeper;
  const size_t capacity;
  std::mutex mutex;          // guards what follows
  fs::path dir;              // this object's directory under root; empty until the first checkout
  size_t made = 0;           // checkouts started, also their directory names
  std::list<Entry> entries;  // most recently used first
};

SourceSnapshots::SourceSnapshots(fs::path root, RepositoryMirrors* mirrors, Sweeper* sweeper,
                                 size_t capacity)
    : state_(std::make_unique<State>(std::move(root), mirrors, sweeper,
                                     std::max<size_t>(capacity, 1))) {}

SourceSnapshots::~SourceSnapshots() {
  std::lock_guard lock(state_->mutex);
  state_->entries.clear();  // the last holders: each snapshot's directory goes to the sweeper
  if (!state_->dir.empty()) state_->sweeper->Remove(state_->dir);
}

Status SourceSnapshots::CopyInto(const std::string& repo, const std::string& commit,
                                 const std::string& subdir, const fs::path& workspace) {
  std::string key = repo + '\0' + commit + '\0' + subdir;
  std::shared_ptr<const Snapshot> snapshot;
  fs::path dir;
  {
    std::lock_guard lock(state_->mutex);
    snapshot = state_->Find(key);
    if (snapshot == nullptr) {
      if (state_->dir.empty()) {
        // A directory of its own: agents sharing a work directory never touch each other's.
        std::error_code ec;
        fs::create_directories(state_->root, ec);
        std::string pattern = (state_->root / "XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) {
          return ErrnoStatus("cannot create a directory in " + state_->root.string(), errno);
        }
        state_->dir = pattern;
      }
      dir = state_->dir / std::to_string(++state_->made);
    }
  }
  if (snapshot == nullptr) {
    // Checked out without the lock: a fetch or a large checkout holds up no other job.
    SLIPWAY_ASSIGN_OR_RETURN(fs::path mirror, state_->mirrors->Ensure(repo, commit));
    auto made = std::make_shared<const Snapshot>(dir, state_->sweeper);  // removed on failure
    SLIPWAY_RETURN_IF_ERROR(engine::CheckoutCommit(mirror, commit, subdir, dir));
    std::lock_guard lock(state_->mutex);
    snapshot = state_->Find(key);  // another job's checkout of the same commit may have won
    if (snapshot == nullptr) {
      state_->entries.push_front(State::Entry{std::move(key), made});
      while (state_->entries.size() > state_->capacity) state_->entries.pop_back();
      snapshot = std::move(made);
    }
  }
  Status copied = CopyTree(snapshot->dir, workspace);
  if (!copied.ok()) {
    // Perhaps the snapshot was damaged from outside: the next job checks the commit out again.
    std::lock_guard lock(state_->mutex);
    std::erase_if(state_->entries,
                  [&](const State::Entry& entry) { return entry.snapshot == snapshot; });
  }
  return copied;
}

size_t SourceSnapshots::checkouts() const {
  std::lock_guard lock(state_->mutex);
  return state_->made;
}

}  // namespace slipway::agent
