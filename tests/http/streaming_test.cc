// Large bodies both ways without holding them in memory, and file ranges.
#include <fstream>
#include <nlohmann/json.hpp>

#include "http_fixture.h"

namespace slipway::http::testing {
namespace {

constexpr uint64_t kMiB = 1024 * 1024;
constexpr uint64_t kTransferBytes = 200 * kMiB;

// A cheap deterministic byte stream and a checksum both ends can compute piecewise.
char PatternByte(uint64_t offset) {
  return static_cast<char>((offset * 131 + (offset >> 12)) & 0xff);
}

struct Checksum {
  uint64_t bytes = 0;
  uint64_t sum = 0;
  void Add(std::string_view data) {
    for (char c : data) sum = sum * 31 + static_cast<unsigned char>(c) + (bytes++ & 7);
  }
};

Checksum ExpectedChecksum(uint64_t size) {
  Checksum c;
  std::string buf;
  for (uint64_t off = 0; off < size; off += buf.size()) {
    buf.resize(std::min<uint64_t>(size - off, 1 << 16));
    for (size_t i = 0; i < buf.size(); ++i) buf[i] = PatternByte(off + i);
    c.Add(buf);
  }
  return c;
}

Router StreamingRouter() {
  Router r;
  RouteOptions upload;
  upload.streaming_body = true;
  upload.max_body = 1024 * kMiB;  // an OCI blob
  r.Add(
      "PUT", "/blobs/upload",
      [](Request& req) {
        Checksum c;
        std::vector<char> buf(256 * 1024);
        while (true) {
          auto n = req.body_reader->Read(buf.data(), buf.size());
          if (!n.ok()) return Response::FromStatus(n.status());
          if (*n == 0) break;
          c.Add(std::string_view(buf.data(), *n));
        }
        return Response::Json(200, nlohmann::json{{"bytes", c.bytes}, {"sum", c.sum}}.dump());
      },
      upload);
  r.Add("GET", "/blobs/download", [](Request& req) {
    const bool sized = req.Query("sized").has_value();
    Response res =
        Response::Stream("application/octet-stream", [](std::shared_ptr<StreamWriter> w) {
          std::string buf;
          for (uint64_t off = 0; off < kTransferBytes; off += buf.size()) {
            buf.resize(std::min<uint64_t>(kTransferBytes - off, 64 * 1024));
            for (size_t i = 0; i < buf.size(); ++i) buf[i] = PatternByte(off + i);
            if (!w->Write(buf)) return;
          }
        });
    if (sized) res.headers.Set("Content-Length", std::to_string(kTransferBytes));
    return res;
  });
  return r;
}

// ASan keeps freed blocks in a quarantine (256 MiB by default) before reusing them, so under it
// resident memory grows with the bytes allocated and freed, not with the bytes held: the memory
// bounds are checked in the normal builds only; the transfers are checked in both.
#if defined(__SANITIZE_ADDRESS__)
constexpr double kMaxGrowthRatio = 2.0;
#else
constexpr double kMaxGrowthRatio = 0.25;
#endif

// The transfer's peak resident memory above the level before it, as a share of its size.
template <class F>
double PeakGrowthRatio(F&& transfer) {
  const uint64_t before = ProcStatusBytes("VmRSS");
  EXPECT_TRUE(ResetPeakRss());
  transfer();
  const uint64_t peak = ProcStatusBytes("VmHWM");
  return peak > before ? static_cast<double>(peak - before) / kTransferBytes : 0.0;
}

// The measurement itself sees a body held in memory.
TEST(PeakRssTest, DetectsABodyHeldInMemory) {
  std::string held;
  const double ratio = PeakGrowthRatio([&] { held.assign(kTransferBytes, 'x'); });
  EXPECT_GT(ratio, 0.9);
}

class StreamingTest : public ::testing::TestWithParam<bool> {};

TEST_P(StreamingTest, UploadOf200MiBIsReadIncrementally) {
  const bool chunked = GetParam();
  auto server = StartServer(StreamingRouter());
  auto client = ClientFor(*server);
  const Checksum expected = ExpectedChecksum(kTransferBytes);
  Result<ClientResponse> result = Status(StatusCode::kInternal, "not run");
  const double ratio = PeakGrowthRatio([&] {
    uint64_t off = 0;
    result = client->Upload(
        "PUT", "/blobs/upload",
        [&](char* data, size_t size) -> Result<size_t> {
          const size_t n = static_cast<size_t>(std::min<uint64_t>(size, kTransferBytes - off));
          for (size_t i = 0; i < n; ++i) data[i] = PatternByte(off + i);
          off += n;
          return n;
        },
        chunked ? std::nullopt : std::optional<uint64_t>(kTransferBytes));
  });
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->status, 200) << result->body;
  auto j = nlohmann::json::parse(result->body);
  EXPECT_EQ(j["bytes"], kTransferBytes);
  EXPECT_EQ(j["sum"], expected.sum);
  EXPECT_LT(ratio, kMaxGrowthRatio) << "resident memory grew by " << ratio * 100 << "% of the body";
  RecordProperty("peak_rss_growth_percent", static_cast<int>(ratio * 100));
}

TEST_P(StreamingTest, DownloadOf200MiBIsProducedIncrementally) {
  const bool chunked = GetParam();
  auto server = StartServer(StreamingRouter());
  auto client = ClientFor(*server);
  const Checksum expected = ExpectedChecksum(kTransferBytes);
  Checksum got;
  Result<ClientResponse> result = Status(StatusCode::kInternal, "not run");
  const double ratio = PeakGrowthRatio([&] {
    result = client->Download(chunked ? "/blobs/download" : "/blobs/download?sized=1",
                              [&](std::string_view chunk) {
                                got.Add(chunk);
                                return true;
                              });
  });
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->headers.Has("Content-Length"), !chunked);
  EXPECT_EQ(got.bytes, kTransferBytes);
  EXPECT_EQ(got.sum, expected.sum);
  EXPECT_LT(ratio, kMaxGrowthRatio) << "resident memory grew by " << ratio * 100 << "% of the body";
  RecordProperty("peak_rss_growth_percent", static_cast<int>(ratio * 100));
  // The connection is reusable after a streamed body.
  auto again = client->Send("GET", "/nope");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->status, 404);
}

INSTANTIATE_TEST_SUITE_P(Framing, StreamingTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Chunked" : "Sized"; });

class FileRangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/slipway_http_file_" + std::to_string(getpid());
    std::ofstream out(path_, std::ios::binary);
    for (uint64_t i = 0; i < kSize; ++i) out.put(PatternByte(i));
    out.close();
    Router r;
    r.Add("GET", "/log", [this](Request& req) { return Response::File(req, path_, "text/plain"); });
    r.Add("GET", "/missing", [](Request& req) { return Response::File(req, "/nonexistent/x"); });
    server_ = StartServer(std::move(r));
    client_ = ClientFor(*server_);
  }
  void TearDown() override { std::remove(path_.c_str()); }

  std::string Slice(uint64_t first, uint64_t length) {
    std::string s;
    for (uint64_t i = first; i < first + length; ++i) s += PatternByte(i);
    return s;
  }

  static constexpr uint64_t kSize = 3 * kMiB + 123;
  std::string path_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(FileRangeTest, WholeFileAndRanges) {
  auto whole = client_->Send("GET", "/log");
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_EQ(whole->status, 200);
  EXPECT_EQ(whole->headers.Get("Accept-Ranges").value_or(""), "bytes");
  EXPECT_EQ(whole->body, Slice(0, kSize));

  auto mid = client_->Send("GET", "/log", "", {{"Range", "bytes=1000000-1000009"}});
  ASSERT_TRUE(mid.ok());
  EXPECT_EQ(mid->status, 206);
  EXPECT_EQ(mid->headers.Get("Content-Range").value_or(""),
            "bytes 1000000-1000009/" + std::to_string(kSize));
  EXPECT_EQ(mid->body, Slice(1000000, 10));

  auto tail = client_->Send("GET", "/log", "", {{"Range", "bytes=-5"}});
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(tail->status, 206);
  EXPECT_EQ(tail->body, Slice(kSize - 5, 5));

  auto open_ended = client_->Send("GET", "/log", "", {{"Range", "bytes=3145700-"}});
  ASSERT_TRUE(open_ended.ok());
  EXPECT_EQ(open_ended->body, Slice(3145700, kSize - 3145700));

  auto beyond = client_->Send("GET", "/log", "", {{"Range", "bytes=99999999-"}});
  ASSERT_TRUE(beyond.ok());
  EXPECT_EQ(beyond->status, 416);
  EXPECT_EQ(beyond->headers.Get("Content-Range").value_or(""), "bytes */" + std::to_string(kSize));

  auto multi = client_->Send("GET", "/log", "", {{"Range", "bytes=0-1,5-6"}});
  ASSERT_TRUE(multi.ok());
  EXPECT_EQ(multi->status, 200);  // multi-range is not supported: the whole file

  auto head = client_->Send("HEAD", "/log");
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->headers.Get("Content-Length").value_or(""), std::to_string(kSize));
  EXPECT_TRUE(head->body.empty());

  auto missing = client_->Send("GET", "/missing");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
}

}  // namespace
}  // namespace slipway::http::testing
