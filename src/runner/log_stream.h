// LogStream: turns the raw output chunks of a step into masked lines.
//
// Output arrives in arbitrary chunks (a secret may be split across two writes), so LogStream
// cuts it into lines first and masks whole lines: a line is masked and handed to the sink only
// once its '\n' arrived (or at Flush). The sink gets each line without its '\n' and without
// one trailing '\r'.
//
// A line `::mask::VALUE` (also GitHub's `::add-mask::VALUE`) registers VALUE (trimmed of
// spaces) with the Masker before the line itself is masked and emitted, so it shows as
// `::mask::***` and every later line — of any stream sharing the Masker — masks VALUE too.
//
// A line longer than max_line is emitted in pieces of at most max_line bytes of text (masks
// count as their text's length). Secrets that straddle a cut stay masked: a piece is cut only
// where at least max-pattern-length - 1 further bytes have arrived, and those last bytes before
// the cut are kept as context for the next piece, so a match is always seen whole.
//
// Thread-compatibility: one LogStream is fed from one thread (the step's); the Masker it uses
// may be shared with other streams and threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runner/masker.h"

namespace slipway::runner {

struct LogStreamOptions {
  size_t max_line = 1 << 20;  // bytes; longer lines are emitted in pieces
};

class LogStream {
 public:
  using LineSink = std::function<void(std::string_view line)>;

  // `masker` must outlive the stream.
  LogStream(Masker* masker, LineSink sink, LogStreamOptions options = {});
  LogStream(const LogStream&) = delete;
  LogStream& operator=(const LogStream&) = delete;

  // Emits every line completed by `chunk`; keeps the unfinished rest for the next call.
  void Feed(std::string_view chunk);
  // Emits the unfinished last line, if any.
  void Flush();

 private:
  void RefreshPatterns();
  void Append(std::string_view data);  // to pending_, emitting long-line pieces as needed
  void EmitPending();                  // the line in pending_ is complete
  void EmitLongPieces();               // while enough text is pending
  void EmitPiece(size_t end);          // pending_[context_, end), masked
  void EmitLine(std::string_view line);
  void Reset();

  Masker* masker_;
  LineSink sink_;
  LogStreamOptions options_;
  std::shared_ptr<const MaskSet> patterns_;
  uint64_t patterns_version_ = 0;
  // An unfinished line. Its first context_ bytes were emitted already (as the end of the
  // previous piece) and are kept only so that a secret straddling the cut is seen whole.
  std::string pending_;
  size_t context_ = 0;
  bool continuation_ = false;        // pieces of the pending line were emitted already
  bool piece_ended_masked_ = false;  // the last piece ended inside a masked range
  std::string masked_;               // scratch for masked text
  std::vector<MaskRange> ranges_;    // scratch for long lines
};

}  // namespace slipway::runner
