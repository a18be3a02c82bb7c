// TZif files (RFC 8536), the compiled form of the IANA time zone database found under
// /usr/share/zoneinfo. We read the 64-bit data block of version 2+ files (the 32-bit one of
// version 1 files) and the footer's POSIX TZ rule; leap-second tables are ignored, since
// slipway's clock is POSIX time, which has none.
#include <cstdint>
#include <string>
#include <string_view>

#include "util/tz_rules.h"

namespace slipway::tz_internal {
namespace {

class Bytes {
 public:
  explicit Bytes(std::string_view data) : data_(data) {}
  bool Has(size_t n) const { return data_.size() - pos_ >= n; }
  size_t pos() const { return pos_; }
  std::string_view Take(size_t n) {
    std::string_view out = data_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  int64_t Signed(size_t width) {  // big-endian two's complement, 4 or 8 bytes
    uint64_t value = 0;
    for (size_t i = 0; i < width; ++i) value = (value << 8) | static_cast<uint8_t>(data_[pos_ + i]);
    pos_ += width;
    if (width == 4) return static_cast<int32_t>(static_cast<uint32_t>(value));
    return static_cast<int64_t>(value);
  }
  uint8_t Byte() { return static_cast<uint8_t>(data_[pos_++]); }
  std::string_view rest() const { return data_.substr(pos_); }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

struct Header {
  char version = 0;
  int64_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
  size_t DataSize(size_t time_size) const {
    return timecnt * time_size + timecnt + typecnt * 6 + charcnt + leapcnt * (time_size + 4) +
           isstdcnt + isutcnt;
  }
};

Result<Header> ReadHeader(Bytes& in, const std::string& name) {
  if (!in.Has(44) || in.Take(4) != "TZif") {
    return InvalidArgument("time zone file for '" + name + "' is not a TZif file");
  }
  Header h;
  h.version = in.Take(1)[0];
  in.Take(15);
  h.isutcnt = in.Signed(4), h.isstdcnt = in.Signed(4), h.leapcnt = in.Signed(4);
  h.timecnt = in.Signed(4), h.typecnt = in.Signed(4), h.charcnt = in.Signed(4);
  for (int64_t count : {h.isutcnt, h.isstdcnt, h.leapcnt, h.timecnt, h.typecnt, h.charcnt}) {
    if (count < 0 || count > (1 << 20)) {
      return InvalidArgument("time zone file for '" + name + "' has an implausible header");
    }
  }
  if (h.typecnt == 0) {
    return InvalidArgument("time zone file for '" + name + "' defines no local time types");
  }
  return h;
}

}  // namespace

Result<TimeZone::Rules> ParseTzif(std::string_view data, std::string name) {
  Bytes in(data);
  SLIPWAY_ASSIGN_OR_RETURN(Header header, ReadHeader(in, name));
  size_t time_size = 4;
  if (header.version != '\0') {  // skip the 32-bit block; the 64-bit one follows its header
    if (!in.Has(header.DataSize(4))) {
      return InvalidArgument("time zone file for '" + name + "' is truncated");
    }
    in.Take(header.DataSize(4));
    SLIPWAY_ASSIGN_OR_RETURN(header, ReadHeader(in, name));
    time_size = 8;
  }
  if (!in.Has(header.DataSize(time_size))) {
    return InvalidArgument("time zone file for '" + name + "' is truncated");
  }
  TimeZone::Rules rules;
  rules.name = std::move(name);
  std::vector<int64_t> times(header.timecnt);
  for (int64_t& t : times) t = in.Signed(time_size);
  std::vector<uint8_t> type_of(header.timecnt);
  for (uint8_t& type : type_of) type = in.Byte();
  std::vector<int64_t> type_offsets(header.typecnt);
  for (int64_t& offset : type_offsets) {
    offset = in.Signed(4);
    in.Take(2);  // isdst, abbreviation index
  }
  in.Take(header.charcnt + header.leapcnt * (time_size + 4) + header.isstdcnt + header.isutcnt);
  for (size_t i = 0; i < times.size(); ++i) {
    if (type_of[i] >= type_offsets.size() || (i > 0 && times[i] <= times[i - 1])) {
      return InvalidArgument("time zone file for '" + rules.name + "' has a corrupt table");
    }
    rules.transitions.push_back(times[i]);
    rules.offsets.push_back(type_offsets[type_of[i]]);
  }
  rules.initial_offset = type_offsets[0];  // RFC 8536: type 0 holds before the first transition
  if (header.version != '\0') {
    std::string_view footer = in.rest();
    if (footer.size() >= 2 && footer.front() == '\n') {
      footer = footer.substr(1, footer.find('\n', 1) - 1);
      if (!footer.empty()) {
        rules.footer = ParsePosixTz(footer);
        if (!rules.footer) {
          return InvalidArgument("time zone file for '" + rules.name + "' has a malformed rule '" +
                                 std::string(footer) + "'");
        }
      }
    }
  }
  return rules;
}

}  // namespace slipway::tz_internal
