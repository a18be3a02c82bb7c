// Reading tree archives: path rules, the entry parser, Verify and file sources.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "util/tree_archive_entries.h"

namespace slipway::tree_archive {
namespace {

using internal::Entry;

constexpr size_t kBufferBytes = 64 * 1024;

// A malformed archive: kInvalidArgument, saying so (the source's own errors pass unchanged).
Status Bad(const std::string& problem) { return InvalidArgument("malformed archive: " + problem); }

std::string Quoted(std::string_view text) {
  std::string out = "'";
  for (char c : text.substr(0, 200)) out += (c == '\0' ? '?' : c);
  return out + (text.size() > 200 ? "…'" : "'");
}

}  // namespace

Status CheckArchivePath(std::string_view path) {
  if (path.empty()) return InvalidArgument("an empty path");
  if (path.size() > kMaxPathBytes) {
    return InvalidArgument("a path of " + std::to_string(path.size()) + " bytes (at most " +
                           std::to_string(kMaxPathBytes) + ")");
  }
  if (path.find('\0') != std::string_view::npos) {
    return InvalidArgument("the path " + Quoted(path) + " contains NUL");
  }
  if (path.front() == '/') return InvalidArgument("the absolute path " + Quoted(path));
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    const std::string_view segment = path.substr(start, slash - start);
    if (segment.empty() || segment == "." || segment == "..") {
      return InvalidArgument("the path " + Quoted(path) + " has an empty, '.' or '..' segment");
    }
    start = slash + 1;
  }
  return Status::Ok();
}

namespace internal {

EntryReader::EntryReader(const ByteSource& source, const Limits& limits)
    : source_(source), limits_(limits), buffer_(kBufferBytes, '\0') {}

Status EntryReader::Fill() {
  if (begin_ < end_) return Status::Ok();
  begin_ = end_ = 0;
  SLIPWAY_ASSIGN_OR_RETURN(size_t n, source_(buffer_.data(), buffer_.size()));
  end_ = n;
  return Status::Ok();
}

Status EntryReader::ReadExact(void* data, size_t size, bool hash) {
  char* out = static_cast<char*>(data);
  while (size > 0) {
    SLIPWAY_RETURN_IF_ERROR(Fill());
    if (begin_ == end_) return Bad("it ends in the middle of an entry");
    const size_t n = std::min(size, end_ - begin_);
    std::memcpy(out, buffer_.data() + begin_, n);
    if (hash) hash_.Update(out, n);
    begin_ += n;
    out += n;
    size -= n;
  }
  return Status::Ok();
}

Result<uint64_t> EntryReader::ReadInt(int bytes) {
  unsigned char raw[8];
  SLIPWAY_RETURN_IF_ERROR(ReadExact(raw, static_cast<size_t>(bytes)));
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | raw[i];
  return value;
}

Result<std::string> EntryReader::ReadText(const char* what) {
  SLIPWAY_ASSIGN_OR_RETURN(uint64_t length, ReadInt(2));
  if (length == 0 || length > kMaxPathBytes) {
    return Bad(std::string("a ") + what + " of " + std::to_string(length) + " bytes (1 to " +
               std::to_string(kMaxPathBytes) + ")");
  }
  std::string text(length, '\0');
  SLIPWAY_RETURN_IF_ERROR(ReadExact(text.data(), text.size()));
  return text;
}

Result<std::optional<Entry>> EntryReader::Next() {
  if (finished_) return std::optional<Entry>();
  if (data_left_ > 0) return Internal("tree archive: Next() before the file's data was read");
  if (!started_) {
    char magic[sizeof kMagic];
    SLIPWAY_RETURN_IF_ERROR(ReadExact(magic, sizeof magic));
    if (std::memcmp(magic, kMagic, sizeof magic) != 0) {
      return Bad("not a slipway tree archive, version 1 (the magic bytes differ)");
    }
    started_ = true;
  }
  char kind = 0;
  SLIPWAY_RETURN_IF_ERROR(ReadExact(&kind, 1));
  if (kind == kTrailer) {
    SLIPWAY_RETURN_IF_ERROR(ReadTrailer());
    finished_ = true;
    return std::optional<Entry>();
  }
  if (kind != kDirectory && kind != kFile && kind != kSymlink) {
    return Bad("an entry of unknown kind " + std::to_string(static_cast<unsigned char>(kind)));
  }
  if (summary_.entries() >= limits_.max_entries) {
    return ResourceExhausted("the archive has more than " + std::to_string(limits_.max_entries) +
                             " entries");
  }
  Entry entry;
  entry.kind = kind;
  SLIPWAY_ASSIGN_OR_RETURN(entry.path, ReadText("path"));
  if (Status path = CheckArchivePath(entry.path); !path.ok()) return Bad(path.message());
  SLIPWAY_ASSIGN_OR_RETURN(uint64_t mode, ReadInt(2));
  if (mode > kMaxMode || (kind == kSymlink && mode != 0)) {
    return Bad("the entry " + Quoted(entry.path) + " has the invalid mode " + std::to_string(mode));
  }
  entry.mode = static_cast<uint32_t>(mode);
  if (kind == kDirectory) {
    ++summary_.directories;
  } else if (kind == kSymlink) {
    SLIPWAY_ASSIGN_OR_RETURN(entry.target, ReadText("symlink target"));
    if (entry.target.find('\0') != std::string::npos) {
      return Bad("the symlink " + Quoted(entry.path) + " has a target with NUL");
    }
    ++summary_.symlinks;
  } else {
    SLIPWAY_ASSIGN_OR_RETURN(uint64_t mtime, ReadInt(8));
    entry.mtime_ns = static_cast<int64_t>(mtime);
    SLIPWAY_ASSIGN_OR_RETURN(entry.size, ReadInt(8));
    if (entry.size > limits_.max_file_bytes - summary_.file_bytes) {
      return ResourceExhausted("the archive's files hold more than " +
                               std::to_string(limits_.max_file_bytes) + " bytes");
    }
    summary_.file_bytes += entry.size;
    ++summary_.files;
    data_left_ = entry.size;
  }
  return std::optional<Entry>(std::move(entry));
}

Result<size_t> EntryReader::ReadData(char* data, size_t size) {
  if (data_left_ == 0 || size == 0) return size_t{0};
  SLIPWAY_RETURN_IF_ERROR(Fill());
  if (begin_ == end_) return Bad("it ends in the middle of a file");
  const size_t n = std::min({size, end_ - begin_, static_cast<size_t>(data_left_)});
  std::memcpy(data, buffer_.data() + begin_, n);
  hash_.Update(data, n);
  begin_ += n;
  data_left_ -= n;
  return n;
}

Status EntryReader::ReadTrailer() {
  SLIPWAY_ASSIGN_OR_RETURN(uint64_t count, ReadInt(8));
  if (count != summary_.entries()) {
    return Bad("its trailer counts " + std::to_string(count) + " entries, it has " +
               std::to_string(summary_.entries()));
  }
  const Sha256Digest expected = hash_.Final();
  Sha256Digest digest;
  SLIPWAY_RETURN_IF_ERROR(ReadExact(digest.data(), digest.size(), /*hash=*/false));
  if (digest != expected) {
    return Bad("its SHA-256 does not match its contents (corrupted on the way?)");
  }
  SLIPWAY_RETURN_IF_ERROR(Fill());
  if (begin_ != end_) return Bad("bytes follow its trailer");
  return Status::Ok();
}

}  // namespace internal

Result<Summary> Verify(const ByteSource& source, const Limits& limits) {
  internal::EntryReader reader(source, limits);
  std::string scratch(kBufferBytes, '\0');
  while (true) {
    SLIPWAY_ASSIGN_OR_RETURN(std::optional<Entry> entry, reader.Next());
    if (!entry) return reader.summary();
    while (true) {
      SLIPWAY_ASSIGN_OR_RETURN(size_t n, reader.ReadData(scratch.data(), scratch.size()));
      if (n == 0) break;
    }
  }
}

ByteSource FdSource(int fd) {
  return [fd](char* data, size_t size) -> Result<size_t> {
    while (true) {
      const ssize_t n = ::read(fd, data, size);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) return ErrnoStatus("read the archive", errno);
    }
  };
}

}  // namespace slipway::tree_archive
