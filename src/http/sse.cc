// Server-Sent Events: the frame format (server) and its parser (client).
#include <utility>

#include "http/sse_parser.h"

namespace slipway::http {
namespace {

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

}  // namespace

std::string FormatSseEvent(const SseEvent& event) {
  std::string out;
  out.reserve(event.data.size() + event.id.size() + event.event.size() + 24);
  if (!event.id.empty() && !HasLineBreak(event.id)) out.append("id: ").append(event.id) += '\n';
  if (!event.event.empty() && !HasLineBreak(event.event)) {
    out.append("event: ").append(event.event) += '\n';
  }
  // Every line of data becomes one "data:" field; CRLF and lone CR end lines too.
  std::string_view data = event.data;
  while (true) {
    const size_t end = data.find_first_of("\r\n");
    out.append("data: ").append(data.substr(0, end)) += '\n';
    if (end == std::string_view::npos) break;
    const size_t next =
        (data[end] == '\r' && end + 1 < data.size() && data[end + 1] == '\n') ? end + 2 : end + 1;
    data.remove_prefix(next);
  }
  out += '\n';
  return out;
}

namespace internal {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

}  // namespace

std::vector<SseEvent> SseParser::Feed(std::string_view bytes) {
  std::vector<SseEvent> out;
  for (char c : bytes) {
    if (started_) {
      Byte(c, out);
      continue;
    }
    // Hold the stream's first bytes while they may be a BOM (it may arrive split, too).
    head_ += c;
    if (head_ == kBom) {
      started_ = true;
      head_.clear();
    } else if (!kBom.starts_with(head_)) {
      started_ = true;
      for (char held : std::exchange(head_, {})) Byte(held, out);
    }
  }
  return out;
}

void SseParser::Byte(char c, std::vector<SseEvent>& out) {
  if (skip_lf_) {
    skip_lf_ = false;
    if (c == '\n') return;  // the LF of a CRLF whose CR ended the line already
  }
  if (c == '\r' || c == '\n') {
    skip_lf_ = c == '\r';
    Line(line_, out);
    line_.clear();
  } else {
    line_ += c;
  }
}

void SseParser::Dispatch(std::vector<SseEvent>& out) {
  last_event_id_ = id_buffer_;
  if (has_data_) {
    event_.data.pop_back();  // the LF after the last data line
    event_.id = last_event_id_;
    out.push_back(std::move(event_));
  }
  event_ = SseEvent();
  has_data_ = false;
}

void SseParser::Line(std::string_view line, std::vector<SseEvent>& out) {
  if (line.empty()) return Dispatch(out);
  if (line.front() == ':') return;  // comment (keep-alive)
  const size_t colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    event_.data.append(value) += '\n';
    has_data_ = true;
  } else if (field == "event") {
    event_.event = std::string(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) id_buffer_ = std::string(value);
  }
}

}  // namespace internal
}  // namespace slipway::http
