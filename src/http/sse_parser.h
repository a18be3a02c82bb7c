// Client side of Server-Sent Events: turns a byte stream into events, following the
// WHATWG "event stream interpretation" (LF, CRLF or CR line ends; ':' comments; one optional
// space after the colon; several data lines joined with LF; an event is dispatched at a
// blank line when it has at least one data line). Unknown fields (retry) are ignored.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/http.h"

namespace slipway::http::internal {

class SseParser {
 public:
  // Consumes `bytes` (any split) and returns the events completed by them. An event's `id`
  // is the id it carried, empty when it had none.
  std::vector<SseEvent> Feed(std::string_view bytes);

 private:
  void Line(std::string_view line, std::vector<SseEvent>& out);

  std::string line_;      // the incomplete line so far
  bool skip_lf_ = false;  // the previous chunk ended with CR: a leading LF is its pair
  SseEvent event_;
  bool has_data_ = false;
};

}  // namespace slipway::http::internal
