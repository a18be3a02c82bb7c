// Response::File: a file or one byte range of it (RFC 9110 §14), e.g. a slice of a large log.
#include <sys/stat.h>

#include <charconv>

#include "http/http.h"

namespace slipway::http {
namespace {

std::optional<uint64_t> ParseNumber(std::string_view s) {
  uint64_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

struct ByteRange {
  bool satisfiable = true;
  uint64_t first = 0;
  uint64_t length = 0;
};

// One range of "bytes=first-last", "bytes=first-" or "bytes=-suffix" against a file of
// `size`; nullopt when the header is not a single well-formed byte range (then the whole
// file is sent, as the RFC allows).
std::optional<ByteRange> ParseRange(std::string_view header, uint64_t size) {
  constexpr std::string_view kPrefix = "bytes=";
  if (header.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string_view spec = header.substr(kPrefix.size());
  if (spec.find(',') != std::string_view::npos) return std::nullopt;
  const size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
  if (a.empty()) {
    const auto suffix = ParseNumber(b);
    if (!suffix) return std::nullopt;
    if (*suffix == 0 || size == 0) return ByteRange{false};
    const uint64_t n = std::min(*suffix, size);
    return ByteRange{true, size - n, n};
  }
  const auto first = ParseNumber(a);
  if (!first) return std::nullopt;
  std::optional<uint64_t> last = b.empty() ? std::optional<uint64_t>(UINT64_MAX) : ParseNumber(b);
  if (!last || *last < *first) return std::nullopt;
  if (*first >= size) return ByteRange{false};
  return ByteRange{true, *first, std::min(*last, size - 1) - *first + 1};
}

}  // namespace

Response Response::File(const Request& request, const std::string& path, std::string content_type) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return JsonError(404, "not_found", "no such file");
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  Response r;
  r.headers.Set("Content-Type", std::move(content_type));
  r.headers.Set("Accept-Ranges", "bytes");
  r.file = FileRange{path, 0, size};
  if (auto header = request.Header("Range")) {
    if (auto range = ParseRange(*header, size)) {
      if (!range->satisfiable) {
        Response err = JsonError(416, "range_not_satisfiable",
                                 "range outside the file of " + std::to_string(size) + " bytes");
        err.headers.Set("Content-Range", "bytes */" + std::to_string(size));
        return err;
      }
      r.status = 206;
      r.file->offset = range->first;
      r.file->length = range->length;
      r.headers.Set("Content-Range", "bytes " + std::to_string(range->first) + "-" +
                                         std::to_string(range->first + range->length - 1) + "/" +
                                         std::to_string(size));
    }
  }
  return r;
}

}  // namespace slipway::http
