// The standard library's overload signatures, as cel-spec's language definition and cel-go's
// extensions declare them, written one per line and parsed once:
//   "_+_(int, int) -> int"              a global function or operator
//   "string.contains(string) -> bool"   a receiver-style function (the receiver's type first)
// Types: dyn, null_type, bool, int, uint, double, string, bytes, duration, timestamp, list(T),
// map(K, V), type(T); a single capital letter is a type parameter.
// math.greatest and math.least take any number of arguments and have no signature here.
#include <cctype>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "expr/type_rules.h"

namespace slipway::expr {
namespace {

using Kind = Type::Kind;

constexpr std::string_view kOrdered[] = {"bool",   "int",   "uint",      "double",
                                         "string", "bytes", "timestamp", "duration"};
constexpr std::string_view kRelations[] = {"_<_", "_<=_", "_>_", "_>=_"};
constexpr std::string_view kTimeFields[] = {
    "getFullYear",  "getMonth", "getDate",    "getDayOfMonth", "getDayOfWeek",
    "getDayOfYear", "getHours", "getMinutes", "getSeconds",    "getMilliseconds"};

std::vector<std::string> SignatureLines() {
  std::vector<std::string> lines = {
      "!_(bool) -> bool",
      "-_(int) -> int",
      "-_(double) -> double",
      "_&&_(bool, bool) -> bool",
      "_||_(bool, bool) -> bool",
      "_==_(A, A) -> bool",
      "_!=_(A, A) -> bool",
      "_+_(int, int) -> int",
      "_+_(uint, uint) -> uint",
      "_+_(double, double) -> double",
      "_+_(string, string) -> string",
      "_+_(bytes, bytes) -> bytes",
      "_+_(list(A), list(A)) -> list(A)",
      "_+_(timestamp, duration) -> timestamp",
      "_+_(duration, timestamp) -> timestamp",
      "_+_(duration, duration) -> duration",
      "_-_(int, int) -> int",
      "_-_(uint, uint) -> uint",
      "_-_(double, double) -> double",
      "_-_(timestamp, timestamp) -> duration",
      "_-_(timestamp, duration) -> timestamp",
      "_-_(duration, duration) -> duration",
      "_*_(int, int) -> int",
      "_*_(uint, uint) -> uint",
      "_*_(double, double) -> double",
      "_/_(int, int) -> int",
      "_/_(uint, uint) -> uint",
      "_/_(double, double) -> double",
      "_%_(int, int) -> int",
      "_%_(uint, uint) -> uint",
      "_[_](list(A), int) -> A",
      "_[_](map(K, V), K) -> V",
      "@in(A, list(A)) -> bool",
      "@in(K, map(K, V)) -> bool",
      "size(string) -> int",
      "size(bytes) -> int",
      "size(list(A)) -> int",
      "size(map(K, V)) -> int",
      "string.size() -> int",
      "bytes.size() -> int",
      "list(A).size() -> int",
      "map(K, V).size() -> int",
      "type(A) -> type(A)",
      "dyn(A) -> dyn",
      "int(int) -> int",
      "int(uint) -> int",
      "int(double) -> int",
      "int(string) -> int",
      "int(timestamp) -> int",
      "uint(uint) -> uint",
      "uint(int) -> uint",
      "uint(double) -> uint",
      "uint(string) -> uint",
      "double(double) -> double",
      "double(int) -> double",
      "double(uint) -> double",
      "double(string) -> double",
      "string(string) -> string",
      "string(int) -> string",
      "string(uint) -> string",
      "string(double) -> string",
      "string(bool) -> string",
      "string(bytes) -> string",
      "string(timestamp) -> string",
      "string(duration) -> string",
      "bytes(bytes) -> bytes",
      "bytes(string) -> bytes",
      "bool(bool) -> bool",
      "bool(string) -> bool",
      "duration(duration) -> duration",
      "duration(string) -> duration",
      "timestamp(timestamp) -> timestamp",
      "timestamp(string) -> timestamp",
      "timestamp(int) -> timestamp",
      "string.contains(string) -> bool",
      "string.startsWith(string) -> bool",
      "string.endsWith(string) -> bool",
      "matches(string, string) -> bool",
      "string.matches(string) -> bool",
      "duration.getHours() -> int",
      "duration.getMinutes() -> int",
      "duration.getSeconds() -> int",
      "duration.getMilliseconds() -> int",
      // The strings extension.
      "string.charAt(int) -> string",
      "string.indexOf(string) -> int",
      "string.indexOf(string, int) -> int",
      "string.lastIndexOf(string) -> int",
      "string.lastIndexOf(string, int) -> int",
      "string.lowerAscii() -> string",
      "string.upperAscii() -> string",
      "string.replace(string, string) -> string",
      "string.replace(string, string, int) -> string",
      "string.split(string) -> list(string)",
      "string.split(string, int) -> list(string)",
      "string.substring(int) -> string",
      "string.substring(int, int) -> string",
      "string.trim() -> string",
      "string.reverse() -> string",
      "list(string).join() -> string",
      "list(string).join(string) -> string",
      "string.format(list(dyn)) -> string",
      "strings.quote(string) -> string",
      // The math extension.
      "math.ceil(double) -> double",
      "math.floor(double) -> double",
      "math.round(double) -> double",
      "math.trunc(double) -> double",
      "math.isNaN(double) -> bool",
      "math.isInf(double) -> bool",
      "math.isFinite(double) -> bool",
      "math.bitNot(int) -> int",
      "math.bitNot(uint) -> uint",
      "math.bitShiftLeft(int, int) -> int",
      "math.bitShiftLeft(uint, int) -> uint",
      "math.bitShiftRight(int, int) -> int",
      "math.bitShiftRight(uint, int) -> uint",
  };
  for (std::string_view op : kRelations) {
    for (std::string_view type : kOrdered) {
      lines.push_back(std::string(op) + "(" + std::string(type) + ", " + std::string(type) +
                      ") -> bool");
    }
    for (std::string_view a : {"int", "uint", "double"}) {
      for (std::string_view b : {"int", "uint", "double"}) {
        if (a != b)
          lines.push_back(std::string(op) + "(" + std::string(a) + ", " + std::string(b) +
                          ") -> bool");
      }
    }
  }
  for (std::string_view field : kTimeFields) {
    lines.push_back("timestamp." + std::string(field) + "() -> int");
    lines.push_back("timestamp." + std::string(field) + "(string) -> int");
  }
  for (std::string_view function : {"math.abs", "math.sign"}) {
    for (std::string_view type : {"int", "uint", "double"}) {
      lines.push_back(std::string(function) + "(" + std::string(type) + ") -> " +
                      std::string(type));
    }
  }
  for (std::string_view function : {"math.bitAnd", "math.bitOr", "math.bitXor"}) {
    lines.push_back(std::string(function) + "(int, int) -> int");
    lines.push_back(std::string(function) + "(uint, uint) -> uint");
  }
  return lines;
}

// A recursive-descent reader of the signature syntax above. The table is code: a line it cannot
// read is a programming error, reported and aborted on at first use.
class SignatureReader {
 public:
  explicit SignatureReader(std::string_view text) : text_(text) {}

  std::optional<Type> ReadType() {
    const std::string_view name = ReadName();
    if (name.size() == 1 && std::isupper(static_cast<unsigned char>(name[0]))) {
      return Type::Param(std::string(name));
    }
    if (name == "dyn") return Type();
    if (name == "duration") return Type::Of(Kind::kDuration);
    if (name == "timestamp") return Type::Of(Kind::kTimestamp);
    if (name == "list" || name == "map" || name == "type") {
      if (!Take('(')) return std::nullopt;
      std::optional<Type> first = ReadType();
      if (!first) return std::nullopt;
      std::optional<Type> second;
      if (name == "map" && (!Take(',') || !(second = ReadType()))) return std::nullopt;
      if (!Take(')')) return std::nullopt;
      if (name == "list") return Type::List(*first);
      if (name == "type") return Type::TypeOf(*first);
      return Type::Map(*first, *second);
    }
    for (std::string_view primitive :
         {"null_type", "bool", "int", "uint", "double", "string", "bytes"}) {
      if (name == primitive) return NamedType(name);
    }
    return std::nullopt;
  }

  // NAME or RECEIVER.NAME, then (PARAMS) -> RESULT.
  bool ReadLine(std::string& function, bool& receiver, Overload& overload) {
    const size_t start = pos_;
    std::optional<Type> receiver_type = ReadType();
    receiver = receiver_type.has_value() && Take('.');
    if (receiver) {
      overload.params.push_back(*receiver_type);
    } else {
      pos_ = start;
    }
    function = ReadFunctionName();
    if (function.empty() || !Take('(')) return false;
    if (!Take(')')) {
      do {
        std::optional<Type> param = ReadType();
        if (!param) return false;
        overload.params.push_back(*param);
      } while (Take(','));
      if (!Take(')')) return false;
    }
    Skip();
    if (text_.substr(pos_, 2) != "->") return false;
    pos_ += 2;
    std::optional<Type> result = ReadType();
    if (!result) return false;
    overload.result = *result;
    Skip();
    return pos_ == text_.size();
  }

 private:
  void Skip() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }
  bool Take(char c) {
    Skip();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  std::string_view ReadName() {
    Skip();
    const size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
      ++pos_;
    }
    return text_.substr(start, pos_ - start);
  }
  // Operators' internal names ("_+_", "@in", "!_") and dotted names ("math.abs").
  std::string ReadFunctionName() {
    Skip();
    const size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != '(') ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  std::string_view text_;
  size_t pos_ = 0;
};

struct SignatureTable {
  std::map<std::string, std::vector<Overload>, std::less<>> global, receiver;
};

SignatureTable BuildTable() {
  SignatureTable table;
  for (const std::string& line : SignatureLines()) {
    std::string function;
    bool receiver = false;
    Overload overload;
    if (!SignatureReader(line).ReadLine(function, receiver, overload)) {
      std::cerr << "internal error: bad signature '" << line << "'\n";
      std::abort();
    }
    (receiver ? table.receiver : table.global)[function].push_back(std::move(overload));
  }
  return table;
}

}  // namespace

const std::vector<Overload>* FindOverloads(std::string_view function, bool receiver) {
  static const SignatureTable table = BuildTable();
  const auto& overloads = receiver ? table.receiver : table.global;
  const auto it = overloads.find(function);
  return it == overloads.end() ? nullptr : &it->second;
}

}  // namespace slipway::expr
