#include <cassert>
#include <cmath>
#include <cstdint>
#include <optional>

#include "expr/expr.h"
#include "expr/library.h"

namespace slipway::expr {
namespace {

// `d` as an int64 / uint64 when it is an integral value in range; nullopt otherwise.
std::optional<int64_t> ExactInt(double d) {
  constexpr double kTwoTo63 = 9223372036854775808.0;
  if (std::isnan(d) || d < -kTwoTo63 || d >= kTwoTo63 || d != std::trunc(d)) return std::nullopt;
  return static_cast<int64_t>(d);
}

std::optional<uint64_t> ExactUint(double d) {
  constexpr double kTwoTo64 = 18446744073709551616.0;
  if (std::isnan(d) || d < 0 || d >= kTwoTo64 || d != std::trunc(d)) return std::nullopt;
  return static_cast<uint64_t>(d);
}

// Exact comparison: converting either side would round (2^53 + 1 vs 2^53 as a double).
bool IntEqualsDouble(int64_t i, double d) { return ExactInt(d) == i; }
bool UintEqualsDouble(uint64_t u, double d) { return ExactUint(d) == u; }

// Map keys of different kinds order bool < int < uint < string; other kinds after them.
int KeyRank(const Value& key) {
  if (key.is_bool()) return 0;
  if (key.is_int()) return 1;
  if (key.is_uint()) return 2;
  if (key.is_string()) return 3;
  return 4;
}

}  // namespace

Value Value::Uint(uint64_t u) {
  Value v;
  v.data_ = UintBox{u};
  return v;
}

Value Value::Bytes(std::string bytes) {
  Value v;
  v.data_ = BytesBox{std::move(bytes)};
  return v;
}

Value Value::Type(std::string name) {
  Value v;
  v.data_ = TypeBox{std::move(name)};
  return v;
}

bool Value::as_bool() const {
  assert(is_bool());
  return std::get<bool>(data_);
}

int64_t Value::as_int() const {
  assert(is_int());
  return std::get<int64_t>(data_);
}

uint64_t Value::as_uint() const {
  assert(is_uint());
  return std::get<UintBox>(data_).value;
}

double Value::as_double() const {
  assert(is_double());
  return std::get<double>(data_);
}

const std::string& Value::as_string() const {
  assert(is_string());
  return std::get<std::string>(data_);
}

const std::string& Value::as_bytes() const {
  assert(is_bytes());
  return std::get<BytesBox>(data_).bytes;
}

Duration Value::as_duration() const {
  assert(is_duration());
  return std::get<Duration>(data_);
}

Timestamp Value::as_timestamp() const {
  assert(is_timestamp());
  return std::get<Timestamp>(data_);
}

const std::string& Value::as_type() const {
  assert(is_type());
  return std::get<TypeBox>(data_).name;
}

const Value::List& Value::as_list() const {
  assert(is_list());
  return *std::get<std::shared_ptr<const List>>(data_);
}

const Value::Map& Value::as_map() const {
  assert(is_map());
  return *std::get<std::shared_ptr<const Map>>(data_);
}

std::string_view Value::type_name() const {
  if (is_bool()) return "bool";
  if (is_int()) return "int";
  if (is_uint()) return "uint";
  if (is_double()) return "double";
  if (is_string()) return "string";
  if (is_bytes()) return "bytes";
  if (is_list()) return "list";
  if (is_map()) return "map";
  if (is_duration()) return "google.protobuf.Duration";
  if (is_timestamp()) return "google.protobuf.Timestamp";
  if (is_type()) return "type";
  return "null_type";
}

bool Value::KeyLess::operator()(const Value& a, const Value& b) const {
  if (a.data_.index() != b.data_.index()) return KeyRank(a) < KeyRank(b);
  if (a.is_bool()) return a.as_bool() < b.as_bool();
  if (a.is_int()) return a.as_int() < b.as_int();
  if (a.is_uint()) return a.as_uint() < b.as_uint();
  if (a.is_string()) return a.as_string() < b.as_string();
  return false;  // not a key type: all such keys are equivalent (the evaluator refuses them)
}

bool operator==(const Value& a, const Value& b) {
  if (a.is_int() && b.is_double()) return IntEqualsDouble(a.as_int(), b.as_double());
  if (a.is_double() && b.is_int()) return IntEqualsDouble(b.as_int(), a.as_double());
  if (a.is_uint() && b.is_double()) return UintEqualsDouble(a.as_uint(), b.as_double());
  if (a.is_double() && b.is_uint()) return UintEqualsDouble(b.as_uint(), a.as_double());
  if (a.is_int() && b.is_uint()) return a.as_int() >= 0 && uint64_t(a.as_int()) == b.as_uint();
  if (a.is_uint() && b.is_int()) return b.as_int() >= 0 && uint64_t(b.as_int()) == a.as_uint();
  if (a.data_.index() != b.data_.index()) return false;
  if (a.is_null()) return true;
  if (a.is_bool()) return a.as_bool() == b.as_bool();
  if (a.is_int()) return a.as_int() == b.as_int();
  if (a.is_uint()) return a.as_uint() == b.as_uint();
  if (a.is_double()) return a.as_double() == b.as_double();  // NaN != NaN, as in IEEE and CEL
  if (a.is_string()) return a.as_string() == b.as_string();
  if (a.is_bytes()) return a.as_bytes() == b.as_bytes();
  if (a.is_duration()) return a.as_duration() == b.as_duration();
  if (a.is_timestamp()) return a.as_timestamp() == b.as_timestamp();
  if (a.is_type()) return a.as_type() == b.as_type();
  if (a.is_list()) {
    const Value::List& x = a.as_list();
    const Value::List& y = b.as_list();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (!(x[i] == y[i])) return false;
    }
    return true;
  }
  const Value::Map& x = a.as_map();
  const Value::Map& y = b.as_map();
  if (x.size() != y.size()) return false;
  for (const auto& [key, value] : x) {
    const Value* other = library::FindMapEntry(y, key);
    if (other == nullptr || !(*other == value)) return false;
  }
  return true;
}

const Value* library::FindMapEntry(const Value::Map& map, const Value& key) {
  const auto found = [&](const Value& candidate) -> const Value* {
    const auto it = map.find(candidate);
    return it == map.end() ? nullptr : &it->second;
  };
  if (const Value* value = found(key)) return value;
  // Keys are bool, int, uint or string; a number may equal a key of another numeric type.
  std::optional<int64_t> as_int;
  std::optional<uint64_t> as_uint;
  if (key.is_int()) {
    if (key.as_int() >= 0) as_uint = static_cast<uint64_t>(key.as_int());
  } else if (key.is_uint()) {
    if (key.as_uint() <= uint64_t{INT64_MAX}) as_int = static_cast<int64_t>(key.as_uint());
  } else if (key.is_double()) {
    as_int = ExactInt(key.as_double());
    as_uint = ExactUint(key.as_double());
  }
  if (as_int) {
    if (const Value* value = found(Value(*as_int))) return value;
  }
  if (as_uint) {
    if (const Value* value = found(Value::Uint(*as_uint))) return value;
  }
  return nullptr;
}

}  // namespace slipway::expr
