#include "deploy/haproxy_runtime.h"

#include <charconv>
#include <map>
#include <sstream>

namespace slipway::deploy {
namespace {

std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

bool ToInt(std::string_view text, int& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

std::string FirstLine(std::string_view text) {
  const size_t newline = text.find('\n');
  return std::string(text.substr(0, newline));
}

}  // namespace

Result<std::vector<HaproxyServer>> ParseServersState(std::string_view answer,
                                                     std::string_view backend) {
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < answer.size();) {
    size_t end = answer.find('\n', start);
    if (end == std::string_view::npos) end = answer.size();
    if (end > start) lines.push_back(answer.substr(start, end - start));
    start = end + 1;
  }
  if (lines.size() < 2 || lines[0] != "1" || !lines[1].starts_with("# ")) {
    const std::string said = FirstLine(answer);
    return Unavailable("haproxy refused `show servers state " + std::string(backend) +
                       "`: " + (said.empty() ? "empty answer" : said));
  }
  std::map<std::string_view, size_t> column;
  const std::vector<std::string_view> header = Words(lines[1].substr(2));
  for (size_t i = 0; i < header.size(); ++i) column[header[i]] = i;
  for (const char* name : {"be_name", "srv_name", "srv_addr", "srv_op_state", "srv_admin_state",
                           "srv_uweight", "srv_port"}) {
    if (!column.contains(name)) {
      return Unavailable(std::string("haproxy's `show servers state` has no column ") + name);
    }
  }
  std::vector<HaproxyServer> servers;
  for (size_t i = 2; i < lines.size(); ++i) {
    const std::vector<std::string_view> fields = Words(lines[i]);
    if (fields.size() < header.size()) {
      return Unavailable("haproxy's `show servers state` line is short: " + std::string(lines[i]));
    }
    if (fields[column["be_name"]] != backend) continue;
    HaproxyServer server;
    server.name = std::string(fields[column["srv_name"]]);
    server.addr = std::string(fields[column["srv_addr"]]);
    int port = 0;
    if (!ToInt(fields[column["srv_op_state"]], server.op_state) ||
        !ToInt(fields[column["srv_admin_state"]], server.admin_state) ||
        !ToInt(fields[column["srv_uweight"]], server.weight) ||
        !ToInt(fields[column["srv_port"]], port) || port < 0 || port > 65535) {
      return Unavailable("haproxy's `show servers state` line is malformed: " +
                         std::string(lines[i]));
    }
    server.port = static_cast<uint16_t>(port);
    servers.push_back(std::move(server));
  }
  return servers;
}

std::vector<std::string> SplitReplies(std::string_view answer) {
  std::vector<std::string> replies;
  std::string current;
  bool open = false;
  for (size_t start = 0; start < answer.size();) {
    size_t end = answer.find('\n', start);
    if (end == std::string_view::npos) end = answer.size();
    const std::string_view line = answer.substr(start, end - start);
    start = end + 1;
    if (line.empty()) {
      replies.push_back(std::move(current));
      current.clear();
      open = false;
      continue;
    }
    if (open) current += '\n';
    current += line;
    open = true;
  }
  if (open) replies.push_back(std::move(current));
  return replies;
}

Result<std::string> RuntimeExchange(const SocketAddress& socket, std::string_view line,
                                    std::chrono::milliseconds timeout) {
  Result<std::string> answer = Exchange(socket, std::string(line) + "\n", timeout);
  if (!answer.ok()) {
    return Unavailable("haproxy Runtime API at " + socket.ToString() + ": " +
                       answer.status().message());
  }
  return answer;
}

}  // namespace slipway::deploy
