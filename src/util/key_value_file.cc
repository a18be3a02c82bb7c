#include "util/key_value_file.h"

#include <fstream>
#include <system_error>
#include <unordered_map>

namespace slipway {
namespace {

bool IsValidName(std::string_view name) {
  if (name.empty()) return false;
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!letter(name[0])) return false;
  for (char c : name.substr(1)) {
    if (!letter(c) && !(c >= '0' && c <= '9') && c != '-') return false;
  }
  return true;
}

// Splits content into lines without '\n' and without a trailing '\r'.
class LineReader {
 public:
  explicit LineReader(std::string_view content) : rest_(content) {}

  bool Next(std::string_view* line) {
    if (done_) return false;
    const size_t newline = rest_.find('\n');
    if (newline == std::string_view::npos) {
      *line = rest_;
      done_ = true;
      if (line->empty()) return false;  // the file ended with '\n'
    } else {
      *line = rest_.substr(0, newline);
      rest_.remove_prefix(newline + 1);
    }
    if (line->ends_with('\r')) line->remove_suffix(1);
    ++number_;
    return true;
  }
  size_t number() const { return number_; }

 private:
  std::string_view rest_;
  bool done_ = false;
  size_t number_ = 0;
};

class OutputCollector {
 public:
  void Set(std::string name, std::string value) {
    auto [it, inserted] = index_.try_emplace(name, values_.size());
    if (inserted) {
      values_.emplace_back(std::move(name), std::move(value));
    } else {
      values_[it->second].second = std::move(value);
    }
  }
  KeyValues Take() { return std::move(values_); }

 private:
  KeyValues values_;
  std::unordered_map<std::string, size_t> index_;
};

}  // namespace

Result<KeyValues> ParseKeyValueFile(std::string_view content,
                                    std::string_view file_name_for_errors) {
  const std::string file(file_name_for_errors);
  if (content.size() > kMaxKeyValueFileBytes) {
    return ResourceExhausted(file + ": file of " + std::to_string(content.size()) +
                             " bytes is over the limit of " +
                             std::to_string(kMaxKeyValueFileBytes));
  }
  auto error = [&](size_t line, const std::string& message) {
    return InvalidArgument(file + ":" + std::to_string(line) + ": " + message);
  };
  OutputCollector outputs;
  LineReader reader(content);
  std::string_view line;
  while (reader.Next(&line)) {
    if (line.empty()) continue;
    const size_t equals = line.find('=');
    const size_t heredoc = line.find("<<");
    if (equals == std::string_view::npos && heredoc == std::string_view::npos) {
      return error(reader.number(), "expected NAME=VALUE or NAME<<DELIMITER");
    }
    const bool single =
        equals != std::string_view::npos && (heredoc == std::string_view::npos || equals < heredoc);
    const std::string name(line.substr(0, single ? equals : heredoc));
    if (!IsValidName(name)) {
      return error(reader.number(),
                   "invalid name (letters, digits, '_' and '-', not starting with a digit)");
    }
    if (single) {
      outputs.Set(name, std::string(line.substr(equals + 1)));
      continue;
    }
    const std::string delimiter(line.substr(heredoc + 2));
    if (delimiter.empty()) return error(reader.number(), "empty delimiter after '" + name + "<<'");
    const size_t start = reader.number();
    std::string value;
    bool first = true;
    bool closed = false;
    while (reader.Next(&line)) {
      if (line == delimiter) {
        closed = true;
        break;
      }
      if (!first) value += '\n';
      value.append(line);
      first = false;
    }
    if (!closed) {
      return error(start,
                   "unterminated value of '" + name + "': no line '" + delimiter + "' ends it");
    }
    outputs.Set(name, std::move(value));
  }
  return outputs.Take();
}

Result<KeyValues> ReadKeyValueFile(const std::filesystem::path& path) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec == std::errc::no_such_file_or_directory) return KeyValues{};
  if (ec) return ErrnoStatus(path.string(), ec.value());
  if (size > kMaxKeyValueFileBytes) {
    return ResourceExhausted(path.string() + ": file of " + std::to_string(size) +
                             " bytes is over the limit of " +
                             std::to_string(kMaxKeyValueFileBytes));
  }
  std::ifstream in(path, std::ios::binary);
  std::string content(static_cast<size_t>(size), '\0');
  if (!in.read(content.data(), static_cast<std::streamsize>(content.size()))) {
    return Unavailable(path.string() + ": cannot read");
  }
  return ParseKeyValueFile(content, path.string());
}

}  // namespace slipway
