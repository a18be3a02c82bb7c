// Client side of Server-Sent Events: turns a byte stream into events, following the WHATWG
// "event stream interpretation":
//  - a line ends at LF, CRLF or a lone CR, wherever the stream is cut (a CRLF split across two
//    reads is one line end, not two);
//  - one leading U+FEFF (byte order mark) is ignored;
//  - ':' starts a comment; one optional space after a field's colon is dropped;
//  - several data lines are joined with LF; an event is dispatched at a blank line when it has
//    at least one data line;
//  - `id` sets the last event ID (ignored when it contains NUL; `id` with no value clears it),
//    which persists across events and becomes the resume point at the next blank line, also
//    for a block that carries no data;
//  - unknown fields (retry) are ignored.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/http.h"

namespace slipway::http::internal {

class SseParser {
 public:
  // `last_event_id`: where the stream resumes (a reconnection keeps the id it had).
  explicit SseParser(std::string last_event_id = {})
      : id_buffer_(last_event_id), last_event_id_(std::move(last_event_id)) {}

  // Consumes `bytes` (any split) and returns the events completed by them. Each event's `id`
  // is the last event ID when it was dispatched (an event without an id field keeps the one
  // before it).
  std::vector<SseEvent> Feed(std::string_view bytes);

  // Where a reconnecting client resumes (its Last-Event-ID): the last event ID as of the last
  // blank line, so an event cut off by a broken connection is asked for again.
  const std::string& last_event_id() const { return last_event_id_; }

 private:
  void Byte(char c, std::vector<SseEvent>& out);
  void Line(std::string_view line, std::vector<SseEvent>& out);
  void Dispatch(std::vector<SseEvent>& out);

  bool started_ = false;   // the stream's first bytes were checked for a BOM
  std::string head_;       // the first bytes while they may still be a BOM
  std::string line_;       // the incomplete line so far
  bool skip_lf_ = false;   // the previous byte was a CR: an LF right after it is its pair
  std::string id_buffer_;  // the id fields seen so far (the spec's "last event ID buffer")
  std::string last_event_id_;
  SseEvent event_;
  bool has_data_ = false;
};

}  // namespace slipway::http::internal
