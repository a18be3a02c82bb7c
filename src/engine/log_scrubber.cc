// LogScrubber: the server's second look at log chunks (engine.h). The rules for one chunk are
// in chunk_scrub.cc; this file keeps each attempt's context, looks tokens up and stores.
#include <algorithm>
#include <map>
#include <mutex>

#include "engine/chunk_scrub.h"
#include "engine/engine.h"
#include "util/token.h"

namespace slipway::engine {

struct LogScrubber::Impl {
  // The stored bytes just before an attempt's next chunk (the common case: chunks arrive in
  // order, so no store read is needed).
  struct Context {
    int64_t end = 0;    // offset after `tail`
    std::string tail;   // at most patterns.context_bytes(), as stored (masked)
    uint64_t used = 0;  // for dropping the least recently used
  };

  Impl(store::Store* s, Options o) : store(s), options(std::move(o)) {}

  std::shared_ptr<const SecretPatterns> Patterns() {
    std::lock_guard lock(mutex);
    return patterns;
  }

  // The context for a chunk at `offset`: kept, or read back from the store.
  Result<std::string> ContextFor(int64_t attempt_id, int64_t offset, size_t bytes) {
    {
      std::lock_guard lock(mutex);
      auto it = contexts.find(attempt_id);
      if (it != contexts.end() && it->second.end == offset) {
        it->second.used = ++clock;
        const std::string& tail = it->second.tail;
        return tail.substr(tail.size() - std::min(tail.size(), bytes));
      }
    }
    const int64_t from = std::max<int64_t>(0, offset - static_cast<int64_t>(bytes));
    SLIPWAY_ASSIGN_OR_RETURN(store::LogSlice slice,
                             store->ReadLog(attempt_id, from, offset - from));
    return std::move(slice.data);
  }

  void Remember(int64_t attempt_id, int64_t end, std::string tail) {
    std::lock_guard lock(mutex);
    Context& context = contexts[attempt_id];
    context = {.end = end, .tail = std::move(tail), .used = ++clock};
    if (contexts.size() <= options.max_attempts) return;
    auto oldest = std::min_element(
        contexts.begin(), contexts.end(),
        [](const auto& a, const auto& b) { return a.second.used < b.second.used; });
    contexts.erase(oldest);
  }

  // Whether `token` is one the store knows; past the lookup budget, or when the store cannot
  // say, it counts as one (masking a non-token is the safe mistake).
  bool IsToken(std::string_view token, int* lookups) {
    if ((*lookups)++ >= options.max_token_lookups) return true;
    auto found = store->FindToken(TokenHash(token));
    return found.ok() || found.status().code() != StatusCode::kNotFound;
  }

  store::Store* const store;
  const Options options;
  runner::Masker masker;
  mutable std::mutex mutex;
  std::shared_ptr<const SecretPatterns> patterns;  // guarded by mutex; never null
  std::map<int64_t, Context> contexts;             // guarded by mutex; by attempt id
  uint64_t clock = 0;                              // guarded by mutex
  uint64_t masked = 0;                             // guarded by mutex
};

LogScrubber::LogScrubber(store::Store* store, Options options)
    : impl_(std::make_unique<Impl>(store, std::move(options))) {
  impl_->patterns = std::make_shared<const SecretPatterns>(
      SecretPatterns{.set = impl_->masker.patterns(), .forms = {}});
}

LogScrubber::~LogScrubber() = default;

void LogScrubber::AddSecret(std::string_view value) {
  // One caller at a time, so the compiled set and the list of forms always agree.
  std::lock_guard lock(impl_->mutex);
  impl_->masker.AddSecret(value);
  impl_->patterns = std::make_shared<const SecretPatterns>(
      SecretPatterns{.set = impl_->masker.patterns(), .forms = impl_->masker.forms()});
}

Status LogScrubber::Append(int64_t attempt_id, int64_t offset, std::string_view data) {
  const std::shared_ptr<const SecretPatterns> patterns = impl_->Patterns();
  const size_t context_bytes = patterns->context_bytes();
  auto context = impl_->ContextFor(attempt_id, offset, context_bytes);
  // A chunk past the end of the log has no context: the store refuses it below (a gap).
  std::string before = context.ok() ? std::move(*context) : std::string();
  int lookups = 0;
  ScrubbedChunk checked = ScrubChunk(before, data, *patterns, [&](std::string_view token) {
    return impl_->IsToken(token, &lookups);
  });
  SLIPWAY_RETURN_IF_ERROR(impl_->store->AppendLog(attempt_id, offset, checked.data));
  if (checked.found > 0) {
    {
      std::lock_guard lock(impl_->mutex);
      impl_->masked += static_cast<uint64_t>(checked.found);
    }
    if (impl_->options.report) {
      impl_->options.report("log of attempt " + std::to_string(attempt_id) + ": the agent sent " +
                            std::to_string(checked.found) +
                            " unmasked secret(s) (or the start of one) in the chunk at offset " +
                            std::to_string(offset) + "; masked before storing");
    }
  }
  before += checked.data;
  impl_->Remember(attempt_id, offset + static_cast<int64_t>(data.size()),
                  before.substr(before.size() - std::min(before.size(), context_bytes)));
  return Status::Ok();
}

void LogScrubber::Forget(int64_t attempt_id) {
  std::lock_guard lock(impl_->mutex);
  impl_->contexts.erase(attempt_id);
}

uint64_t LogScrubber::masked() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->masked;
}

}  // namespace slipway::engine
