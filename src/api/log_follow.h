// Log follow streams (GET …/logs?follow=1): Server-Sent Events carrying one job attempt's log
// from an offset to its end.
//
// Each follower runs on a thread of its own, owned by LogFollowers, that sleeps between polls
// of the store: a follow lasts as long as the job, and holding one of the HTTP server's handler
// threads for it would let a few followers stall the API. A thread per follower (rather than
// one thread for all) because StreamWriter::Write blocks while a client reads slowly: one slow
// client then delays only its own stream. Followers are people watching jobs (tens, not
// thousands); their number is capped (ApiContext::max_log_followers).
//
// Stream contract (docs/api.md):
//   event: log         id: <offset after this chunk>   data: the chunk's text
//   event: log-base64  id: <offset after this chunk>   data: the chunk in base64
//   event: end         data: {"attempt": N, "size": S}   once the log is complete and all sent
//   event: error       data: {"code": …, "message": …}   when the store fails; the stream ends
// Chunks start exactly where the previous one ended (or at the requested offset) and never
// split a UTF-8 sequence while the log can still grow, so a client that resumes from the last
// id it saw gets every byte once. SSE cannot carry a CR (CR and CRLF would arrive as line
// breaks), so a chunk that holds one is sent as log-base64: a client gets the exact bytes.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

#include "http/http.h"
#include "store/store.h"

namespace slipway::api {

struct FollowRequest {
  int64_t job_id = 0;
  int attempt = 1;     // the attempt's number; it may not have started yet
  int64_t offset = 0;  // the first byte to send
};

class LogFollowers {
 public:
  LogFollowers(store::Store* store, std::chrono::milliseconds poll, int max_followers);
  ~LogFollowers();  // ends every stream and joins the threads
  LogFollowers(const LogFollowers&) = delete;
  LogFollowers& operator=(const LogFollowers&) = delete;

  // Whether another follower may start (checked before the response head is sent).
  bool HasRoom();
  // Streams `request` into `writer` on a new thread; returns at once.
  void Start(FollowRequest request, std::shared_ptr<http::StreamWriter> writer);
  // Bytes were appended to the attempt's log, or it ended: wakes its followers now instead of
  // at their next poll.
  void Poke(int64_t attempt_id);

  struct Signal;  // shared with client-gone callbacks, which may outlive this object

 private:
  struct Follower {
    std::thread thread;
    std::atomic<bool> finished{false};
  };
  void Follow(const FollowRequest& request, http::StreamWriter& writer);
  void ReapFinished();  // joins followers whose thread is done; list_mutex_ held

  store::Store* store_;
  const std::chrono::milliseconds poll_;
  const int max_followers_;
  std::shared_ptr<Signal> signal_;
  std::mutex list_mutex_;
  std::list<Follower> followers_;
};

}  // namespace slipway::api
