#include "api/log_follow.h"

#include <condition_variable>
#include <map>
#include <optional>
#include <string>

#include "api/json_io.h"
#include "util/base64.h"

namespace slipway::api {

// Wake-ups for sleeping followers: stop, a poke for the attempt they follow, or any client
// leaving (its follower must notice without waiting for the next poll).
struct LogFollowers::Signal {
  std::mutex mutex;
  std::condition_variable changed;
  bool stop = false;
  uint64_t departures = 0;
  struct Watch {
    int followers = 0;
    uint64_t pokes = 0;
  };
  std::map<int64_t, Watch> watched;  // attempt id → its followers
};

namespace {

// Bytes read from the store per event: big enough to catch up fast, small enough that a
// follower never holds much in memory.
constexpr int64_t kChunkBytes = 256 * 1024;

// The length of the longest prefix of `data` that does not end inside a UTF-8 sequence.
size_t Utf8Prefix(std::string_view data) {
  size_t end = data.size();
  // Look back at most 3 bytes for the start of the last sequence.
  for (size_t back = 1; back <= 3 && back <= data.size(); ++back) {
    const auto byte = static_cast<unsigned char>(data[data.size() - back]);
    if ((byte & 0xC0) == 0x80) continue;  // continuation byte
    size_t length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1;
    if (length > back) end = data.size() - back;
    break;
  }
  return end;
}

// Registers a follower of one attempt for pokes while it lives.
class WatchScope {
 public:
  WatchScope(LogFollowers::Signal& signal, int64_t attempt_id)
      : signal_(signal), attempt_id_(attempt_id) {
    std::lock_guard lock(signal_.mutex);
    ++signal_.watched[attempt_id_].followers;
  }
  ~WatchScope() {
    std::lock_guard lock(signal_.mutex);
    auto it = signal_.watched.find(attempt_id_);
    if (--it->second.followers == 0) signal_.watched.erase(it);
  }
  WatchScope(const WatchScope&) = delete;
  WatchScope& operator=(const WatchScope&) = delete;

 private:
  LogFollowers::Signal& signal_;
  int64_t attempt_id_;
};

// The event carrying the log bytes that end at `end_offset`. SSE cannot carry a CR (it would
// arrive as a line break), so a chunk holding one goes as base64.
http::SseEvent LogEvent(int64_t end_offset, std::string data) {
  if (data.find('\r') == std::string::npos) {
    return {.id = std::to_string(end_offset), .event = "log", .data = std::move(data)};
  }
  return {.id = std::to_string(end_offset), .event = "log-base64", .data = Base64Encode(data)};
}

bool SendError(http::StreamWriter& writer, const Status& status) {
  Json error = {{"code", http::StatusCodeToErrorCode(status.code())},
                {"message", status.message()}};
  return writer.Send({.id = "", .event = "error", .data = Dump(error)});
}

// The attempt `number` of `job_id`, nullopt when it has not started.
Result<std::optional<store::Attempt>> FindAttempt(store::Store& store, int64_t job_id, int number) {
  SLIPWAY_ASSIGN_OR_RETURN(std::vector<store::Attempt> attempts, store.ListAttempts(job_id));
  for (auto& attempt : attempts) {
    if (attempt.number == number) return std::optional<store::Attempt>(std::move(attempt));
  }
  return std::optional<store::Attempt>();
}

}  // namespace

LogFollowers::LogFollowers(store::Store* store, std::chrono::milliseconds poll, int max_followers)
    : store_(store),
      poll_(poll),
      max_followers_(max_followers),
      signal_(std::make_shared<Signal>()) {}

LogFollowers::~LogFollowers() {
  {
    std::lock_guard lock(signal_->mutex);
    signal_->stop = true;
  }
  signal_->changed.notify_all();
  std::lock_guard lock(list_mutex_);
  for (Follower& follower : followers_) follower.thread.join();
}

bool LogFollowers::HasRoom() {
  std::lock_guard lock(list_mutex_);
  ReapFinished();
  return static_cast<int>(followers_.size()) < max_followers_;
}

void LogFollowers::ReapFinished() {
  for (auto it = followers_.begin(); it != followers_.end();) {
    if (it->finished.load()) {
      it->thread.join();
      it = followers_.erase(it);
    } else {
      ++it;
    }
  }
}

void LogFollowers::Start(FollowRequest request, std::shared_ptr<http::StreamWriter> writer) {
  std::weak_ptr<Signal> weak = signal_;
  writer->OnClientGone([weak] {
    if (auto signal = weak.lock()) {
      {
        std::lock_guard lock(signal->mutex);
        ++signal->departures;
      }
      signal->changed.notify_all();
    }
  });
  std::lock_guard lock(list_mutex_);
  ReapFinished();
  Follower& follower = followers_.emplace_back();
  follower.thread = std::thread([this, &follower, request, writer = std::move(writer)] {
    Follow(request, *writer);
    writer->Close();
    follower.finished = true;
  });
}

void LogFollowers::Poke(int64_t attempt_id) {
  {
    std::lock_guard lock(signal_->mutex);
    auto it = signal_->watched.find(attempt_id);
    if (it == signal_->watched.end()) return;
    ++it->second.pokes;
  }
  signal_->changed.notify_all();
}

void LogFollowers::Follow(const FollowRequest& request, http::StreamWriter& writer) {
  Signal& signal = *signal_;
  int64_t offset = request.offset;
  std::optional<store::Attempt> attempt;
  std::optional<WatchScope> watch;
  while (!writer.client_gone()) {
    uint64_t departures = 0, pokes = 0;
    {
      std::lock_guard lock(signal.mutex);
      if (signal.stop) return;
      departures = signal.departures;
      if (attempt) pokes = signal.watched[attempt->id].pokes;
    }
    if (!attempt) {
      // Read the job before its attempts: a job that is final has all the attempts it will
      // ever have.
      auto job = store_->GetJob(request.job_id);
      if (!job.ok()) return (void)SendError(writer, job.status());
      auto found = FindAttempt(*store_, request.job_id, request.attempt);
      if (!found.ok()) return (void)SendError(writer, found.status());
      if (found->has_value()) {
        attempt = std::move(**found);
        watch.emplace(signal, attempt->id);
        continue;
      }
      if (store::IsFinal(job->status)) {
        // The job ended without this attempt (skipped, cancelled, fewer retries).
        Json end = {{"attempt", request.attempt}, {"size", 0}};
        writer.Send({.id = "", .event = "end", .data = Dump(end)});
        return;
      }
    } else {
      // The attempt's state before the log's: once it has ended, no byte is added after it.
      auto state = store_->GetAttempt(attempt->id);
      if (!state.ok()) return (void)SendError(writer, state.status());
      const bool ended = state->finished || state->lost;
      auto slice = store_->ReadLog(attempt->id, offset, kChunkBytes);
      if (!slice.ok()) return (void)SendError(writer, slice.status());
      const bool complete = slice->complete || ended;
      if (!slice->data.empty()) {
        const bool reaches_end = offset + static_cast<int64_t>(slice->data.size()) == slice->size;
        const size_t length =
            complete && reaches_end ? slice->data.size() : Utf8Prefix(slice->data);
        if (length > 0) {
          slice->data.resize(length);
          offset += static_cast<int64_t>(length);
          if (!writer.Send(LogEvent(offset, std::move(slice->data)))) return;
          continue;  // there may be more right away
        }
      }
      if (complete && offset == slice->size) {
        Json end = {{"attempt", request.attempt}, {"size", offset}};
        writer.Send({.id = std::to_string(offset), .event = "end", .data = Dump(end)});
        return;
      }
    }
    std::unique_lock lock(signal.mutex);
    signal.changed.wait_for(lock, poll_, [&] {
      return signal.stop || signal.departures != departures ||
             (attempt && signal.watched[attempt->id].pokes != pokes);
    });
  }
}

}  // namespace slipway::api
