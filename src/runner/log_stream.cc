#include "runner/log_stream.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace slipway::runner {
namespace {

constexpr std::string_view kMask = "***";

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The value of a `::mask::VALUE` or `::add-mask::VALUE` line; empty when the line is not one.
std::string_view MaskCommandValue(std::string_view line) {
  for (std::string_view prefix : {std::string_view("::mask::"), std::string_view("::add-mask::")}) {
    if (line.starts_with(prefix)) return TrimBlanks(line.substr(prefix.size()));
  }
  return {};
}

}  // namespace

LogStream::LogStream(Masker* masker, LineSink sink, LogStreamOptions options)
    : masker_(masker), sink_(std::move(sink)), options_(options) {
  options_.max_line = std::max<size_t>(options_.max_line, 1);
  RefreshPatterns();
}

void LogStream::RefreshPatterns() {
  const uint64_t version = masker_->version();
  if (patterns_ != nullptr && version == patterns_version_) return;
  patterns_version_ = version;
  patterns_ = masker_->patterns();
}

void LogStream::Feed(std::string_view chunk) {
  RefreshPatterns();
  while (!chunk.empty()) {
    const void* newline = std::memchr(chunk.data(), '\n', chunk.size());
    if (newline == nullptr) {
      Append(chunk);
      return;
    }
    const size_t length = static_cast<size_t>(static_cast<const char*>(newline) - chunk.data());
    const std::string_view line = chunk.substr(0, length);
    chunk.remove_prefix(length + 1);
    if (pending_.empty() && !continuation_ && line.size() <= options_.max_line) {
      EmitLine(line);  // the common case: a whole line inside the chunk, no copy
      continue;
    }
    Append(line);
    EmitPending();
  }
}

void LogStream::Flush() {
  RefreshPatterns();
  if (pending_.size() > context_) EmitPending();
  Reset();
}

void LogStream::Reset() {
  pending_.clear();
  context_ = 0;
  continuation_ = false;
  piece_ended_masked_ = false;
}

void LogStream::Append(std::string_view data) {
  // In slices, so pending_ stays below about twice max_line whatever the chunk size.
  while (!data.empty()) {
    const size_t take = std::min(data.size(), options_.max_line);
    pending_.append(data.substr(0, take));
    data.remove_prefix(take);
    if (pending_.size() - context_ > options_.max_line) EmitLongPieces();
  }
}

void LogStream::EmitPending() {
  if (pending_.size() - context_ > options_.max_line) EmitLongPieces();
  if (!continuation_) {
    EmitLine(pending_);
  } else {
    if (pending_.size() > context_ && pending_.back() == '\r') pending_.pop_back();
    // After pieces of a long line, an empty rest is no line of its own.
    if (pending_.size() > context_) EmitPiece(pending_.size());
  }
  Reset();
}

void LogStream::EmitLongPieces() {
  const size_t max_length = patterns_->max_length();
  const size_t keep = max_length > 0 ? max_length - 1 : 0;
  while (pending_.size() - context_ > options_.max_line) {
    // A match starting before `cut` ends within pending_ (at most max_length - 1 bytes
    // follow its start), so it is seen whole now, and again with the context next time.
    if (pending_.size() <= keep) return;  // wait for more text
    const size_t cut = std::min(context_ + options_.max_line, pending_.size() - keep);
    if (cut <= context_) return;
    EmitPiece(cut);
    const size_t next_context = std::min(keep, cut);
    pending_.erase(0, cut - next_context);
    context_ = next_context;
    continuation_ = true;
  }
}

void LogStream::EmitPiece(size_t end) {
  ranges_.clear();
  const size_t window = std::min(pending_.size(), end + patterns_->max_length());
  patterns_->FindRanges(std::string_view(pending_).substr(0, window), &ranges_);
  masked_.clear();
  size_t copied = context_;
  bool ends_masked = false;
  for (const MaskRange& range : ranges_) {
    if (range.end <= context_) continue;  // emitted with the previous piece
    if (range.begin >= end) break;
    const size_t begin = std::max(range.begin, context_);
    masked_.append(pending_, copied, begin - copied);
    // A range that continues one the previous piece ended in is part of that `***`.
    if (range.begin >= context_ || !piece_ended_masked_) masked_.append(kMask);
    copied = std::min(range.end, end);
    ends_masked = range.end >= end;
  }
  masked_.append(pending_, copied, end - copied);
  piece_ended_masked_ = ends_masked;
  sink_(masked_);
}

void LogStream::EmitLine(std::string_view line) {
  if (line.ends_with('\r')) line.remove_suffix(1);
  if (line.starts_with("::")) {
    const std::string_view value = MaskCommandValue(line);
    if (!value.empty()) {
      masker_->AddSecret(value);
      RefreshPatterns();
    }
  }
  if (patterns_->MaskIfNeeded(line, &masked_)) {
    sink_(masked_);
  } else {
    sink_(line);
  }
}

}  // namespace slipway::runner
