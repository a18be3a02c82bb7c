// Internal to util/tree_archive*: the format's constants and a pull parser of entries, shared by
// Verify and Extract so both refuse exactly the same archives.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "util/sha256.h"
#include "util/tree_archive.h"

namespace slipway::tree_archive::internal {

inline constexpr char kMagic[8] = {'S', 'L', 'W', 'T', 'R', 'E', 'E', '\x01'};
inline constexpr char kDirectory = 'd';
inline constexpr char kFile = 'f';
inline constexpr char kSymlink = 'l';
inline constexpr char kTrailer = 'z';
inline constexpr uint32_t kMaxMode = 0777;

struct Entry {
  char kind = kFile;
  std::string path;
  uint32_t mode = 0;
  int64_t mtime_ns = 0;  // files
  uint64_t size = 0;     // files
  std::string target;    // symlinks
};

// Reads entries in order, hashing what it reads, and checks every header as it comes.
class EntryReader {
 public:
  EntryReader(const ByteSource& source, const Limits& limits);

  // The next entry, or nullopt once the trailer has been read and checked (digest, count,
  // end of stream). A file's data must be read with ReadData (to its end) before Next.
  Result<std::optional<Entry>> Next();
  // Up to `size` bytes of the current file's data; 0 at its end.
  Result<size_t> ReadData(char* data, size_t size);

  const Summary& summary() const { return summary_; }

 private:
  // Exactly `size` bytes, hashed unless `hash` is false; a short stream is kInvalidArgument.
  Status ReadExact(void* data, size_t size, bool hash = true);
  Result<uint64_t> ReadInt(int bytes);
  Result<std::string> ReadText(const char* what);
  Status Fill();  // refills buffer_ when it is empty; leaves it empty at the end
  Status ReadTrailer();

  const ByteSource& source_;
  const Limits limits_;
  Sha256 hash_;
  std::string buffer_;
  size_t begin_ = 0, end_ = 0;  // unread bytes of buffer_
  bool started_ = false, finished_ = false;
  uint64_t data_left_ = 0;  // of the current file
  Summary summary_;
};

}  // namespace slipway::tree_archive::internal
