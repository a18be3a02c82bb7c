// Server-Sent Events: the frame format (server) and its parser (client).
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

std::vector<SseEvent> SseParser::Feed(std::string_view bytes) {
  std::vector<SseEvent> out;
  for (char c : bytes) {
    if (skip_lf_) {
      skip_lf_ = false;
      if (c == '\n') continue;
    }
    if (c == '\r' || c == '\n') {
      skip_lf_ = c == '\r';
      Line(line_, out);
      line_.clear();
    } else {
      line_ += c;
    }
  }
  return out;
}

void SseParser::Line(std::string_view line, std::vector<SseEvent>& out) {
  if (line.empty()) {
    if (has_data_) {
      if (!event_.data.empty()) event_.data.pop_back();  // the LF after the last data line
      out.push_back(std::move(event_));
    }
    event_ = SseEvent();
    has_data_ = false;
    return;
  }
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
    if (value.find('\0') == std::string_view::npos) event_.id = std::string(value);
  }
}

}  // namespace internal
}  // namespace slipway::http
