#include "agent/pipeline_cache.h"

#include <algorithm>
#include <list>
#include <mutex>

#include "util/sha256.h"

namespace slipway::agent {

const spec::JobInstance* ParsedPipeline::Find(const std::string& instance_id) const {
  for (const auto& instance : instances) {
    if (instance.id == instance_id) return &instance;
  }
  return nullptr;
}

struct PipelineCache::State {
  struct Entry {
    std::string key;  // file name, a newline, SHA-256 of the text
    std::shared_ptr<const ParsedPipeline> pipeline;
  };
  size_t capacity = 0;
  mutable std::mutex mutex;  // guards what follows
  std::list<Entry> entries;  // most recently used first; a handful, so searched in order
  uint64_t parses = 0;
};

namespace {

template <typename Entries>
auto FindEntry(Entries& entries, const std::string& key) {
  return std::find_if(entries.begin(), entries.end(),
                      [&](const auto& entry) { return entry.key == key; });
}

}  // namespace

PipelineCache::PipelineCache(size_t capacity) : state_(std::make_unique<State>()) {
  state_->capacity = std::max<size_t>(capacity, 1);
}

PipelineCache::~PipelineCache() = default;

std::shared_ptr<const ParsedPipeline> PipelineCache::Get(const std::string& file,
                                                         const std::string& yaml) {
  std::string key = file + "\n" + Sha256Hex(yaml);
  {
    std::lock_guard lock(state_->mutex);
    auto& entries = state_->entries;
    if (auto found = FindEntry(entries, key); found != entries.end()) {
      entries.splice(entries.begin(), entries, found);
      return found->pipeline;
    }
    ++state_->parses;
  }
  // Parsed without the lock, so a worker parsing a large pipeline holds up no other worker.
  // Two workers missing at once both parse; the first to finish is kept.
  auto parsed = std::make_shared<ParsedPipeline>();
  parsed->loaded = spec::ParsePipeline(yaml, file);
  if (parsed->loaded.ok()) parsed->instances = spec::ExpandPipeline(*parsed->loaded.pipeline);
  std::lock_guard lock(state_->mutex);
  auto& entries = state_->entries;
  if (auto found = FindEntry(entries, key); found != entries.end()) return found->pipeline;
  entries.push_front(State::Entry{std::move(key), parsed});
  while (entries.size() > state_->capacity) entries.pop_back();
  return parsed;
}

size_t PipelineCache::size() const {
  std::lock_guard lock(state_->mutex);
  return state_->entries.size();
}

uint64_t PipelineCache::parses() const {
  std::lock_guard lock(state_->mutex);
  return state_->parses;
}

}  // namespace slipway::agent
