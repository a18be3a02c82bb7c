// What client commands show people: tables, JSON, times, and the names they type
// (PROJECT/NUMBER/JOB) turned into API paths.
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "cli/client.h"
#include "util/duration_format.h"
#include "util/text_escape.h"

namespace slipway::cli {
namespace {

// Characters a terminal shows in one column: UTF-8 continuation bytes take none.
size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  for (char c : text) width += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return width;
}

double NowSeconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string Table::Render() const {
  std::vector<size_t> widths;
  for (const auto& row : rows_) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  }
  std::string out;
  for (const auto& row : rows_) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - DisplayWidth(row[i]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

void Table::Print() const { std::fputs(Render().c_str(), stdout); }

void PrintJson(const Json& doc) {
  std::fputs((doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n").c_str(), stdout);
}

std::string Field(const Json& doc, const char* name) {
  if (!doc.is_object() || !doc.contains(name)) return "";
  const Json& value = doc[name];
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number() || value.is_boolean()) return value.dump();
  return "";
}

std::string PathSegment(std::string_view value) { return PercentEncode(value); }

std::optional<double> ParseApiTime(const Json& time) {
  if (!time.is_string()) return std::nullopt;
  const std::string text = time.get<std::string>();
  std::tm utc{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &utc.tm_year, &utc.tm_mon,
                  &utc.tm_mday, &utc.tm_hour, &utc.tm_min, &utc.tm_sec, &consumed) != 6) {
    return std::nullopt;
  }
  utc.tm_year -= 1900;
  utc.tm_mon -= 1;
  double seconds = static_cast<double>(timegm(&utc));
  if (static_cast<size_t>(consumed) < text.size() && text[consumed] == '.') {
    double scale = 0.1;
    for (size_t i = consumed + 1; i < text.size() && std::isdigit(text[i]); ++i, scale /= 10) {
      seconds += (text[i] - '0') * scale;
    }
  }
  return seconds;
}

std::string Ago(const Json& time) {
  const auto at = ParseApiTime(time);
  if (!at) return time.is_string() ? time.get<std::string>() : "-";
  const double age = NowSeconds() - *at;
  if (age < 1) return "just now";
  const auto whole = static_cast<long long>(age);
  if (whole < 60) return std::to_string(whole) + "s ago";
  if (whole < 3600) return std::to_string(whole / 60) + "m ago";
  if (whole < 86400) return std::to_string(whole / 3600) + "h ago";
  if (whole < 30 * 86400) return std::to_string(whole / 86400) + "d ago";
  return time.get<std::string>().substr(0, 10);
}

std::string Elapsed(const Json& start, const Json& end) {
  const auto from = ParseApiTime(start);
  if (!from) return "-";
  const double to = ParseApiTime(end).value_or(NowSeconds());
  const auto ms = static_cast<long long>((to - *from) * 1000);
  return FormatDuration(std::chrono::milliseconds(std::max(0LL, ms)));
}

Result<RunRef> ParseRunRef(std::string_view text, bool allow_job) {
  const std::string form = allow_job ? "PROJECT/NUMBER[/JOB]" : "PROJECT/NUMBER";
  auto bad = [&](const std::string& why) {
    return InvalidArgument("expected " + form + " (e.g. hello/12), got '" + std::string(text) +
                           "': " + why);
  };
  RunRef ref;
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0) return bad("no project");
  ref.project = std::string(text.substr(0, slash));
  std::string_view rest = text.substr(slash + 1);
  const size_t job_slash = rest.find('/');
  std::string_view number = rest.substr(0, job_slash);
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), ref.number);
  if (number.empty() || ec != std::errc() || end != number.data() + number.size() ||
      ref.number < 1) {
    return bad("the run number must be a positive whole number");
  }
  if (job_slash != std::string_view::npos) {
    if (!allow_job) return bad("a job is not expected here");
    ref.job = std::string(rest.substr(job_slash + 1));
    if (ref.job.empty()) return bad("the job name is empty");
  }
  return ref;
}

std::string RunPath(const RunRef& ref) {
  return "/api/v1/projects/" + PathSegment(ref.project) + "/runs/" + std::to_string(ref.number);
}

}  // namespace slipway::cli
