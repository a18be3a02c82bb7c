// SqlStore: job attempt logs, stored as zstd-compressed chunks (log_compression.h).
//
// A log is its chunks in start_offset order with no gap or overlap; attempts.log_size is the
// sum of their raw lengths. A read finds the chunk covering its offset through the primary key
// (attempt_id, start_offset) and decompresses only the chunks up to offset + max_bytes, so
// reading the end of a 1 GiB log costs what reading the start of a small one does.
#include <algorithm>
#include <string>

#include "store/log_compression.h"
#include "store/sql_helpers.h"
#include "store/sql_store.h"

namespace slipway::store {
namespace {

// The most ReadLog returns at once, whatever max_bytes asks for: the server builds the
// slice in memory.
constexpr int64_t kMaxLogRead = 16 << 20;

std::string LogName(int64_t attempt_id) { return "log of attempt " + std::to_string(attempt_id); }

}  // namespace

Status SqlStore::AppendLog(int64_t attempt_id, int64_t offset, std::string_view data) {
  if (offset < 0) return InvalidArgument(LogName(attempt_id) + ": negative offset");
  return Append(attempt_id, offset, data);
}

Status SqlStore::AppendLogNote(int64_t attempt_id, std::string_view data) {
  return Append(attempt_id, std::nullopt, data);
}

Status SqlStore::Append(int64_t attempt_id, std::optional<int64_t> at, std::string_view data) {
  if (static_cast<int64_t>(data.size()) > kMaxLogChunkBytes) {
    return ResourceExhausted(LogName(attempt_id) + ": a chunk of " + std::to_string(data.size()) +
                             " bytes is over the limit of " + std::to_string(kMaxLogChunkBytes) +
                             " bytes; send smaller chunks");
  }
  if (data.empty()) return Status::Ok();
  // Compressed before taking the writer, for the usual case of a chunk that starts exactly at
  // the end of the log.
  SLIPWAY_ASSIGN_OR_RETURN(std::string compressed, log_codec_.Compress(data));
  return Write([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(
        SqlRows rows,
        tx.Query(std::string("SELECT log_size, log_closed FROM attempts WHERE id = ?") +
                     db_->dialect().for_update,
                 {attempt_id}));
    if (rows.empty()) return NotFound("attempt " + std::to_string(attempt_id) + " not found");
    int64_t size = rows.front().Int(0);
    bool closed = rows.front().Int(1) != 0;
    const int64_t offset = at.value_or(size);  // a note goes at the end, closed or not
    if (!at) closed = false;
    if (offset > size) {
      return FailedPrecondition(LogName(attempt_id) + ": a chunk at offset " +
                                std::to_string(offset) + " would leave a gap after byte " +
                                std::to_string(size) + " (resend from offset " +
                                std::to_string(size) + ")");
    }
    int64_t known = size - offset;  // bytes of `data` the log already has
    if (known >= static_cast<int64_t>(data.size())) return Status::Ok();  // a resend
    if (closed) return FailedPrecondition(LogName(attempt_id) + " is closed");
    std::string_view tail = data.substr(static_cast<size_t>(known));
    Blob blob;
    if (known == 0) {
      blob.bytes = compressed;
    } else {
      SLIPWAY_ASSIGN_OR_RETURN(blob.bytes, log_codec_.Compress(tail));
    }
    SLIPWAY_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO log_chunks (attempt_id, start_offset, raw_len, data) "
                "VALUES (?, ?, ?, ?)",
                {attempt_id, size, static_cast<int64_t>(tail.size()), std::move(blob)})
            .status());
    return tx
        .Exec("UPDATE attempts SET log_size = ? WHERE id = ?",
              {size + static_cast<int64_t>(tail.size()), attempt_id})
        .status();
  });
}

Status SqlStore::CloseLog(int64_t attempt_id) {
  return Write([&](SqlTx& tx) {
    return RequireChanged(tx.Exec("UPDATE attempts SET log_closed = 1 WHERE id = ?", {attempt_id}),
                          "attempt " + std::to_string(attempt_id));
  });
}

Result<LogSlice> SqlStore::ReadLog(int64_t attempt_id, int64_t offset, int64_t max_bytes) {
  if (offset < 0 || max_bytes < 0) {
    return InvalidArgument(LogName(attempt_id) + ": offset and max_bytes must not be negative");
  }
  max_bytes = std::min(max_bytes, kMaxLogRead);
  LogSlice slice;
  SLIPWAY_RETURN_IF_ERROR(Read([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(
        SqlRows state,
        tx.Query("SELECT log_size, log_closed FROM attempts WHERE id = ?", {attempt_id}));
    if (state.empty()) return NotFound("attempt " + std::to_string(attempt_id) + " not found");
    slice = LogSlice{};
    slice.offset = offset;
    slice.size = state.front().Int(0);
    slice.complete = state.front().Int(1) != 0;
    if (offset > slice.size) {
      return InvalidArgument(LogName(attempt_id) + ": offset " + std::to_string(offset) +
                             " is past the end of the log (" + std::to_string(slice.size) +
                             " bytes)");
    }
    int64_t end = std::min(slice.size, offset + max_bytes);
    if (end == offset) return Status::Ok();
    // From the chunk that starts at or before `offset` to the last one starting before `end`.
    SLIPWAY_ASSIGN_OR_RETURN(
        SqlRows chunks,
        tx.Query("SELECT start_offset, raw_len, data FROM log_chunks WHERE attempt_id = ? "
                 "AND start_offset < ? AND start_offset >= (SELECT start_offset FROM log_chunks "
                 "WHERE attempt_id = ? AND start_offset <= ? ORDER BY start_offset DESC LIMIT 1) "
                 "ORDER BY start_offset",
                 {attempt_id, end, attempt_id, offset}));
    slice.data.reserve(static_cast<size_t>(end - offset));
    for (const SqlRow& chunk : chunks) {
      int64_t start = chunk.Int(0);
      SLIPWAY_ASSIGN_OR_RETURN(std::string raw, log_codec_.Decompress(chunk.Text(2), chunk.Int(1)));
      log_chunks_decoded_.fetch_add(1, std::memory_order_relaxed);
      int64_t from = std::max(offset, start) - start;
      int64_t to = std::min(end, start + static_cast<int64_t>(raw.size())) - start;
      if (start + from != offset + static_cast<int64_t>(slice.data.size())) {
        return Internal(LogName(attempt_id) + " has a hole at byte " +
                        std::to_string(offset + static_cast<int64_t>(slice.data.size())));
      }
      slice.data.append(raw, static_cast<size_t>(from), static_cast<size_t>(to - from));
    }
    if (offset + static_cast<int64_t>(slice.data.size()) != end) {
      return Internal(LogName(attempt_id) + " is shorter than its recorded size");
    }
    return Status::Ok();
  }));
  return slice;
}

}  // namespace slipway::store
