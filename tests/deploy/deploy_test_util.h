// Helpers for the deploy tests that run real processes: temp dirs, polling with deadlines, and
// a tiny HTTP server (python3) that instances run.
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>

#include "util/fs.h"

namespace slipway::deploy::testing {

// A private temp directory removed with everything in it when the object goes.
class TempDir {
 public:
  TempDir() : path_(*MakeTempDir("deploy_test")) {}
  ~TempDir() { (void)RemoveTree(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Polls `condition` every 20 ms until it holds or `timeout` passes; returns its last value.
// Deadlines are generous: the build machine is loaded, and a passing test returns early.
inline bool WaitUntil(const std::function<bool()>& condition,
                      std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

inline void WriteText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

inline std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// An HTTP server on 127.0.0.1:<argv[1]> answering "<SLIPWAY_REVISION> <pid>" to every GET;
// /healthz answers 500 while a file `unhealthy` exists in its directory, /never always 503.
// It answers HTTP/1.0 and closes each connection, or with $HTTP_KEEP_ALIVE=1 in its
// environment, HTTP/1.1 and keeps connections open.
inline constexpr char kServerPy[] = R"(import http.server, os, sys
class Handler(http.server.BaseHTTPRequestHandler):
    if os.environ.get("HTTP_KEEP_ALIVE") == "1":
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body are two writes
    def do_GET(self):
        code = 200
        if self.path == "/never" or (self.path == "/healthz" and os.path.exists("unhealthy")):
            code = 503 if self.path == "/never" else 500
        body = ("%s %d" % (os.environ.get("SLIPWAY_REVISION", ""), os.getpid())).encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
)";

// An artifact directory holding server.py.
inline std::filesystem::path MakeServerArtifact(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  WriteText(dir / "server.py", kServerPy);
  return dir;
}

}  // namespace slipway::deploy::testing
