#include "cli/console.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

namespace slipway::cli {
namespace {

constexpr size_t kFlushBytes = 64 << 10;
constexpr const char* kColors[] = {"\033[36m", "\033[33m", "\033[35m",
                                   "\033[32m", "\033[34m", "\033[91m"};
constexpr const char* kReset = "\033[0m";

void WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the console went away: nothing useful to do with the output
    text.remove_prefix(static_cast<size_t>(n));
  }
}

// "build.log", "test@linux,18.log": the job's name (which cannot hold '@' or ','), then the
// matrix values with anything but [A-Za-z0-9._-] replaced by '_'.
std::string BaseFileName(const spec::JobInstance& instance) {
  std::string name = instance.job != nullptr ? instance.job->name : instance.id;
  for (size_t i = 0; i < instance.matrix.size(); ++i) {
    name += i == 0 ? '@' : ',';
    for (char c : instance.matrix[i].second) {
      const bool keep =
          std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
      name += keep ? c : '_';
    }
  }
  return name;
}

// One attempt's output: buffered lines, written to the console (prefixed) and the log file.
class JobLog final : public runner::LogSink {
 public:
  JobLog(ConsoleObserver* console, std::string prefix, int file_fd)
      : console_(console), prefix_(std::move(prefix)), file_fd_(file_fd) {}
  ~JobLog() override {
    EndOfChunk();
    if (file_fd_ >= 0) ::close(file_fd_);
  }
  JobLog(const JobLog&) = delete;
  JobLog& operator=(const JobLog&) = delete;

  void Line(std::string_view line) override {
    console_buffer_ += prefix_;
    console_buffer_ += line;
    console_buffer_ += '\n';
    if (file_fd_ >= 0) {
      file_buffer_ += line;
      file_buffer_ += '\n';
    }
    if (console_buffer_.size() >= kFlushBytes) EndOfChunk();
  }

  void EndOfChunk() override {
    if (!console_buffer_.empty()) {
      console_->Write(console_buffer_);
      console_buffer_.clear();
    }
    if (!file_buffer_.empty()) {
      WriteAll(file_fd_, file_buffer_);
      file_buffer_.clear();
    }
  }

 private:
  ConsoleObserver* console_;
  const std::string prefix_;
  const int file_fd_;
  std::string console_buffer_, file_buffer_;
};

}  // namespace

ConsoleObserver::ConsoleObserver(int fd, std::filesystem::path log_dir, bool color)
    : fd_(fd), log_dir_(std::move(log_dir)), color_(color) {}

std::string ConsoleObserver::PrefixFor(const std::string& instance_id) {
  std::lock_guard lock(mutex_);
  auto it = prefixes_.find(instance_id);
  if (it != prefixes_.end()) return it->second;
  std::string prefix = "[" + instance_id + "] ";
  if (color_) {
    const size_t color = prefixes_.size() % std::size(kColors);
    prefix = kColors[color] + prefix + kReset;
  }
  prefixes_.emplace(instance_id, prefix);
  return prefix;
}

std::string ConsoleObserver::LogPath(const spec::JobInstance& instance) {
  if (log_dir_.empty()) return "";
  std::lock_guard lock(mutex_);
  auto it = log_files_.find(instance.id);
  if (it == log_files_.end()) {
    // Two instances whose values differ only in replaced characters get "~2", "~3", ...
    const std::string base = BaseFileName(instance);
    std::string name = base + ".log";
    for (int n = 2; used_log_files_.count(name) != 0; ++n) {
      name = base + "~" + std::to_string(n) + ".log";
    }
    used_log_files_.insert(name);
    it = log_files_.emplace(instance.id, name).first;
  }
  return (log_dir_ / it->second).string();
}

std::unique_ptr<runner::LogSink> ConsoleObserver::OpenLog(const spec::JobInstance& instance,
                                                          int attempt) {
  int file_fd = -1;
  if (!log_dir_.empty()) {
    const std::string path = LogPath(instance);
    const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (attempt == 1 ? O_TRUNC : O_APPEND);
    file_fd = ::open(path.c_str(), flags, 0644);
    if (file_fd < 0) {
      Write("slipway: warning: cannot write " + path + ": " + std::strerror(errno) + "\n");
    } else if (attempt > 1) {
      WriteAll(file_fd, "── attempt " + std::to_string(attempt) + " ──\n");
    }
  }
  return std::make_unique<JobLog>(this, PrefixFor(instance.id), file_fd);
}

void ConsoleObserver::JobFinished(const engine::JobResult& result) {
  if (!result.attempts.empty()) return;  // the job's own log already said how it ended
  const char* mark = result.outcome == runner::Outcome::kSkipped ? "○" : "✘";
  Write(PrefixFor(result.id) + mark + " " + runner::OutcomeName(result.outcome) + ": " +
        result.reason + "\n");
}

void ConsoleObserver::Write(std::string_view text) {
  std::lock_guard lock(mutex_);
  WriteAll(fd_, text);
}

}  // namespace slipway::cli
