#include "expr/conformance/proto_json.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <stdexcept>

#include "util/base64.h"

namespace slipway::conformance {
namespace {

using expr::Value;
using nlohmann::json;

[[noreturn]] void Unsupported(const std::string& what) {
  throw std::runtime_error("cannot convert " + what);
}

int64_t ParseInt64(const json& j) {
  if (j.is_number_integer()) return j.get<int64_t>();
  return std::stoll(j.get<std::string>());
}

uint64_t ParseUint64(const json& j) {
  if (j.is_number_unsigned() || j.is_number_integer()) return j.get<uint64_t>();
  return std::stoull(j.get<std::string>());
}

double ParseDouble(const json& j) {
  if (j.is_number()) return j.get<double>();
  const std::string s = j.get<std::string>();
  if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (s == "Infinity") return std::numeric_limits<double>::infinity();
  if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  return std::stod(s);
}

std::string DecodeBytes(const json& j) {
  auto bytes = Base64Decode(j.get<std::string>());
  if (!bytes) Unsupported("bytes (bad base64): " + j.dump());
  return *bytes;
}

// proto3-JSON duration: "-1.5s" (up to 9 fraction digits).
expr::Duration ParseDuration(const std::string& text) {
  if (text.size() < 2 || text.back() != 's') Unsupported("duration " + text);
  std::string body = text.substr(0, text.size() - 1);
  bool negative = !body.empty() && body[0] == '-';
  if (negative) body.erase(0, 1);
  auto dot = body.find('.');
  int64_t seconds = std::stoll(body.substr(0, dot));
  int32_t nanos = 0;
  if (dot != std::string::npos) {
    std::string fraction = body.substr(dot + 1);
    fraction.resize(9, '0');
    nanos = std::stoi(fraction);
  }
  return negative ? expr::Duration{-seconds, -nanos} : expr::Duration{seconds, nanos};
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// proto3-JSON timestamp: "1970-01-01T00:00:00[.fffffffff]Z".
expr::Timestamp ParseTimestamp(const std::string& text) {
  int year, month, day, hour, minute, second, consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute,
                  &second, &consumed) != 6) {
    Unsupported("timestamp " + text);
  }
  int32_t nanos = 0;
  std::string rest = text.substr(static_cast<size_t>(consumed));
  if (!rest.empty() && rest[0] == '.') {
    size_t end = rest.find_first_not_of("0123456789", 1);
    std::string fraction = rest.substr(1, end - 1);
    fraction.resize(9, '0');
    nanos = std::stoi(fraction);
    rest = rest.substr(end);
  }
  if (rest != "Z") Unsupported("timestamp with an offset " + text);
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return {days * 86400 + hour * 3600 + minute * 60 + second, nanos};
}

// google.protobuf.Value / Struct / ListValue in their JSON form.
Value FromJson(const json& j) {
  if (j.is_null()) return Value();
  if (j.is_boolean()) return Value(j.get<bool>());
  if (j.is_number()) return Value(j.get<double>());
  if (j.is_string()) return Value(j.get<std::string>());
  if (j.is_array()) {
    Value::List list;
    for (const auto& e : j) list.push_back(FromJson(e));
    return Value(std::move(list));
  }
  Value::Map map;
  for (const auto& [k, v] : j.items()) map.emplace(Value(k), FromJson(v));
  return Value(std::move(map));
}

// An Any holding a well-known type; the extractor skips cases with any other message.
Value FromAny(const json& any) {
  std::string type = any.at("@type").get<std::string>();
  if (auto slash = type.rfind('/'); slash != std::string::npos) type = type.substr(slash + 1);
  const json& v = any.contains("value") ? any.at("value") : json();
  if (type == "google.protobuf.Duration") return Value(ParseDuration(v.get<std::string>()));
  if (type == "google.protobuf.Timestamp") return Value(ParseTimestamp(v.get<std::string>()));
  if (type == "google.protobuf.Value" || type == "google.protobuf.Struct" ||
      type == "google.protobuf.ListValue") {
    return FromJson(v);
  }
  if (type == "google.protobuf.Int32Value" || type == "google.protobuf.Int64Value")
    return Value(ParseInt64(v));
  if (type == "google.protobuf.UInt32Value" || type == "google.protobuf.UInt64Value")
    return Value::Uint(ParseUint64(v));
  if (type == "google.protobuf.FloatValue" || type == "google.protobuf.DoubleValue")
    return Value(ParseDouble(v));
  if (type == "google.protobuf.BoolValue") return Value(v.get<bool>());
  if (type == "google.protobuf.StringValue") return Value(v.get<std::string>());
  if (type == "google.protobuf.BytesValue") return Value::Bytes(DecodeBytes(v));
  Unsupported("message " + type);
}

std::string Quote(const std::string& s, const char* prefix) {
  std::string out = prefix;
  out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f || (*prefix == 'b' && c >= 0x80)) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + '"';
}

}  // namespace

Value FromProtoJson(const json& value) {
  if (!value.is_object() || value.size() != 1) Unsupported("value " + value.dump());
  const auto it = value.begin();
  const std::string& kind = it.key();
  const json& v = it.value();
  if (kind == "nullValue") return Value();
  if (kind == "boolValue") return Value(v.get<bool>());
  if (kind == "int64Value") return Value(ParseInt64(v));
  if (kind == "uint64Value") return Value::Uint(ParseUint64(v));
  if (kind == "doubleValue") return Value(ParseDouble(v));
  if (kind == "stringValue") return Value(v.get<std::string>());
  if (kind == "bytesValue") return Value::Bytes(DecodeBytes(v));
  if (kind == "typeValue") return Value::Type(v.get<std::string>());
  if (kind == "objectValue") return FromAny(v);
  if (kind == "listValue") {
    Value::List list;
    if (auto values = v.find("values"); values != v.end())
      for (const auto& e : *values) list.push_back(FromProtoJson(e));
    return Value(std::move(list));
  }
  if (kind == "mapValue") {
    Value::Map map;
    if (auto entries = v.find("entries"); entries != v.end())
      for (const auto& e : *entries)
        map.insert_or_assign(FromProtoJson(e.at("key")), FromProtoJson(e.at("value")));
    return Value(std::move(map));
  }
  Unsupported("value kind " + kind);
}

bool SameValue(const Value& a, const Value& b) {
  if (a.type_name() != b.type_name()) return false;
  if (a.is_double()) {
    double x = a.as_double(), y = b.as_double();
    return x == y || (std::isnan(x) && std::isnan(y));
  }
  if (a.is_list()) {
    const auto &x = a.as_list(), &y = b.as_list();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (!SameValue(x[i], y[i])) return false;
    return true;
  }
  if (a.is_map()) {
    const auto &x = a.as_map(), &y = b.as_map();
    if (x.size() != y.size()) return false;
    for (const auto& [k, v] : x) {
      auto it = y.find(k);
      if (it == y.end() || !SameValue(it->first, k) || !SameValue(it->second, v)) return false;
    }
    return true;
  }
  if (a.is_type()) return a.as_type() == b.as_type();
  return a == b;  // scalars of the same type
}

std::string Describe(const Value& value) {
  if (value.is_null()) return "null";
  if (value.is_bool()) return value.as_bool() ? "true" : "false";
  if (value.is_int()) return std::to_string(value.as_int());
  if (value.is_uint()) return std::to_string(value.as_uint()) + "u";
  if (value.is_double()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", value.as_double());
    std::string s = buf;
    if (s.find_first_of(".eEna") == std::string::npos) s += ".0";
    return s;
  }
  if (value.is_string()) return Quote(value.as_string(), "");
  if (value.is_bytes()) return Quote(value.as_bytes(), "b");
  if (value.is_type()) return "type(" + value.as_type() + ")";
  if (value.is_duration()) {
    auto d = value.as_duration();
    return "duration(" + std::to_string(d.seconds) + "s " + std::to_string(d.nanos) + "ns)";
  }
  if (value.is_timestamp()) {
    auto t = value.as_timestamp();
    return "timestamp(" + std::to_string(t.seconds) + "s " + std::to_string(t.nanos) + "ns)";
  }
  std::string out;
  if (value.is_list()) {
    for (const auto& e : value.as_list()) out += (out.empty() ? "" : ", ") + Describe(e);
    return "[" + out + "]";
  }
  for (const auto& [k, v] : value.as_map())
    out += (out.empty() ? "" : ", ") + Describe(k) + ": " + Describe(v);
  return "{" + out + "}";
}

}  // namespace slipway::conformance

namespace slipway::conformance {
namespace {

expr::Type PrimitiveType(const std::string& name) {
  using Kind = expr::Type::Kind;
  if (name == "BOOL") return expr::Type::Of(Kind::kBool);
  if (name == "INT64") return expr::Type::Of(Kind::kInt);
  if (name == "UINT64") return expr::Type::Of(Kind::kUint);
  if (name == "DOUBLE") return expr::Type::Of(Kind::kDouble);
  if (name == "STRING") return expr::Type::Of(Kind::kString);
  if (name == "BYTES") return expr::Type::Of(Kind::kBytes);
  Unsupported("primitive type " + name);
}

// The well-known message types slipway has as plain values.
expr::Type MessageType(const std::string& name) {
  using Kind = expr::Type::Kind;
  static const std::map<std::string, std::string> kWrappers = {
      {"google.protobuf.BoolValue", "BOOL"},     {"google.protobuf.Int32Value", "INT64"},
      {"google.protobuf.Int64Value", "INT64"},   {"google.protobuf.UInt32Value", "UINT64"},
      {"google.protobuf.UInt64Value", "UINT64"}, {"google.protobuf.FloatValue", "DOUBLE"},
      {"google.protobuf.DoubleValue", "DOUBLE"}, {"google.protobuf.StringValue", "STRING"},
      {"google.protobuf.BytesValue", "BYTES"}};
  if (auto it = kWrappers.find(name); it != kWrappers.end()) {
    return expr::Type::Wrapper(PrimitiveType(it->second));
  }
  if (name == "google.protobuf.Duration") return expr::Type::Of(Kind::kDuration);
  if (name == "google.protobuf.Timestamp") return expr::Type::Of(Kind::kTimestamp);
  if (name == "google.protobuf.Value") return expr::Type();
  if (name == "google.protobuf.ListValue") return expr::Type::List(expr::Type());
  if (name == "google.protobuf.Struct") {
    return expr::Type::Map(expr::Type::Of(Kind::kString), expr::Type());
  }
  Unsupported("message type " + name);
}

}  // namespace

expr::Type TypeFromProtoJson(const json& type) {
  using Kind = expr::Type::Kind;
  if (type.contains("dyn")) return expr::Type();
  if (type.contains("null")) return expr::Type::Of(Kind::kNull);
  if (auto it = type.find("primitive"); it != type.end()) return PrimitiveType(*it);
  if (auto it = type.find("wrapper"); it != type.end()) {
    return expr::Type::Wrapper(PrimitiveType(*it));
  }
  if (auto it = type.find("wellKnown"); it != type.end()) {
    if (*it == "DURATION") return expr::Type::Of(Kind::kDuration);
    if (*it == "TIMESTAMP") return expr::Type::Of(Kind::kTimestamp);
    return expr::Type();  // ANY
  }
  if (auto it = type.find("listType"); it != type.end()) {
    return expr::Type::List(TypeFromProtoJson(it->at("elemType")));
  }
  if (auto it = type.find("mapType"); it != type.end()) {
    return expr::Type::Map(TypeFromProtoJson(it->at("keyType")),
                           TypeFromProtoJson(it->at("valueType")));
  }
  if (auto it = type.find("type"); it != type.end()) {
    return expr::Type::TypeOf(TypeFromProtoJson(*it));
  }
  if (auto it = type.find("messageType"); it != type.end()) return MessageType(*it);
  Unsupported("type " + type.dump());
}

}  // namespace slipway::conformance
