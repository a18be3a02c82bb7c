// The queue between a streaming response's producer (any thread) and its connection (one
// strand). Producers block in Write() while `high_water` bytes are queued or in flight, so a
// stream's memory is bounded whatever the client's speed.
//
// Flush protocol: the connection owns a "flush scheduled" token. Write()/Close() call `wake`
// (which must only post to the strand) when the token is free and take it; the strand then
// calls Take() until it returns nothing, which frees the token. The token starts taken: the
// connection frees it by its first Take(), after the response head is written.
//
// `wake` holds a reference to the connection: an idle stream (the producer will write later)
// must keep it alive. The state drops `wake` once the stream ends or is gone, which breaks
// the cycle connection → state → wake → connection.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace slipway::http::internal {

class StreamState {
 public:
  StreamState(size_t high_water, std::function<void()> wake);

  // Producer side (StreamWriter).
  bool Write(std::string_view data);
  void Close();
  bool gone() const;
  void OnGone(std::function<void()> callback);

  // Connection side. Enqueue ignores the high-water mark (keep-alive comments); it returns
  // true when the caller took the flush token and must flush.
  bool Enqueue(std::string data);
  struct Batch {
    std::string data;   // queued chunks, concatenated
    size_t bytes = 0;   // data.size(), for Sent()
    bool last = false;  // the producer closed and this is everything
    bool empty() const { return bytes == 0 && !last; }
  };
  Batch Take();
  void Sent(size_t bytes);
  // The client went away, a write failed or the server stops the stream: writers unblock
  // and get false, callbacks run (on the calling thread), wake is never called again.
  void MarkGone();
  // MarkGone, and the response must not end normally: Take() never reports `last`, so the
  // client sees a broken body instead of a complete one (the producer failed).
  void Abort();

 private:
  mutable std::mutex mu_;
  std::condition_variable drained_;
  const size_t high_water_;
  std::function<void()> wake_;
  std::deque<std::string> queue_;
  size_t unsent_ = 0;  // queued plus in flight
  bool closed_ = false;
  bool last_taken_ = false;
  bool gone_ = false;
  bool aborted_ = false;
  bool flush_scheduled_ = true;
  std::vector<std::function<void()>> on_gone_;
};

}  // namespace slipway::http::internal
