#include "store/sql.h"

#include <chrono>

namespace slipway::store {

int64_t SqlRow::Int(size_t i) const {
  const SqlValue& v = values_.at(i);
  if (const int64_t* n = std::get_if<int64_t>(&v)) return *n;
  return 0;
}

std::optional<int64_t> SqlRow::OptionalInt(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Int(i);
}

const std::string& SqlRow::Text(size_t i) const {
  static const std::string kEmpty;
  const SqlValue& v = values_.at(i);
  if (const std::string* s = std::get_if<std::string>(&v)) return *s;
  if (const Blob* b = std::get_if<Blob>(&v)) return b->bytes;
  return kEmpty;
}

std::string SqlRow::TakeText(size_t i) {
  SqlValue& v = values_.at(i);
  if (std::string* s = std::get_if<std::string>(&v)) return std::move(*s);
  if (Blob* b = std::get_if<Blob>(&v)) return std::move(b->bytes);
  return {};
}

int64_t ToMillis(Time time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

Time FromMillis(int64_t millis) {
  return Time(std::chrono::duration_cast<Time::duration>(std::chrono::milliseconds(millis)));
}

SqlValue OptionalMillis(const std::optional<Time>& time) {
  if (!time) return SqlNull{};
  return ToMillis(*time);
}

std::optional<Time> OptionalTime(const SqlRow& row, size_t i) {
  std::optional<int64_t> ms = row.OptionalInt(i);
  if (!ms) return std::nullopt;
  return FromMillis(*ms);
}

Time StoredTimeOrNow(Time time) {
  if (time == Time{}) time = std::chrono::system_clock::now();
  return FromMillis(ToMillis(time));
}

}  // namespace slipway::store
