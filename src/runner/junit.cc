#include "runner/junit.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <pugixml.hpp>
#include <system_error>

namespace slipway::runner {
namespace {

// Deeper nesting of suites is not a report any tool writes; it bounds our recursion.
constexpr int kMaxSuiteDepth = 64;

std::string_view Trim(std::string_view s) {
  const size_t begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  const size_t end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

void AppendCapped(std::string_view text, std::string* out) {
  if (out->size() >= kMaxTestMessageBytes) return;
  const size_t room = kMaxTestMessageBytes - out->size();
  if (text.size() <= room) {
    out->append(text);
  } else {
    out->append(text.substr(0, room)).append("\n… (truncated)");
  }
}

// Text and CDATA directly inside `node`.
std::string NodeText(const pugi::xml_node& node) {
  std::string text;
  for (const pugi::xml_node& child : node.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      text += child.value();
    }
  }
  return text;
}

double ParseSeconds(const char* text) {
  std::string digits;
  for (const char* c = text; *c != '\0'; ++c) {
    if (*c != ',') digits += *c;  // Surefire writes "1,234.5" in some locales
  }
  char* end = nullptr;
  const double seconds = std::strtod(digits.c_str(), &end);
  return end != digits.c_str() && std::isfinite(seconds) && seconds > 0 ? seconds : 0;
}

std::string Describe(const pugi::xml_node& result) {
  std::string message;
  std::string_view headline = result.attribute("message").value();
  if (headline.empty()) headline = result.attribute("type").value();
  AppendCapped(Trim(headline), &message);
  const std::string body = NodeText(result);
  const std::string_view details = Trim(body);
  if (!details.empty() && details != Trim(headline)) {
    if (!message.empty()) message += '\n';
    AppendCapped(details, &message);
  }
  return message;
}

TestCase ReadCase(const pugi::xml_node& node, const std::string& suite) {
  TestCase test;
  test.suite = suite;
  test.classname = node.attribute("classname").value();
  test.name = node.attribute("name").value();
  test.seconds = ParseSeconds(node.attribute("time").value());
  struct Verdict {
    const char* element;
    TestCase::Status status;
  };
  // A case with several results reports the worst.
  for (const Verdict& verdict :
       {Verdict{"error", TestCase::Status::kError}, Verdict{"failure", TestCase::Status::kFailed},
        Verdict{"skipped", TestCase::Status::kSkipped}}) {
    if (const pugi::xml_node result = node.child(verdict.element)) {
      test.status = verdict.status;
      test.message = Describe(result);
      break;
    }
  }
  for (const char* stream : {"system-out", "system-err"}) {
    for (const pugi::xml_node& out : node.children(stream)) {
      const std::string text = NodeText(out);
      if (Trim(text).empty()) continue;
      if (!test.output.empty()) test.output += '\n';
      AppendCapped(Trim(text), &test.output);
    }
  }
  return test;
}

Status ReadSuite(const pugi::xml_node& suite_node, const std::string& suite, int depth,
                 std::string_view file, std::vector<TestCase>* tests) {
  if (depth > kMaxSuiteDepth) {
    return InvalidArgument(std::string(file) + ": test suites nested deeper than " +
                           std::to_string(kMaxSuiteDepth));
  }
  for (const pugi::xml_node& child : suite_node.children()) {
    const std::string_view element = child.name();
    if (element == "testcase") {
      tests->push_back(ReadCase(child, suite));
    } else if (element == "testsuite" || element == "testsuites") {
      const std::string name = child.attribute("name").value();
      SLIPWAY_RETURN_IF_ERROR(
          ReadSuite(child, name.empty() ? suite : name, depth + 1, file, tests));
    }
  }
  return Status::Ok();
}

std::string Position(std::string_view xml, ptrdiff_t offset) {
  const size_t end = std::min(xml.size(), static_cast<size_t>(std::max<ptrdiff_t>(offset, 0)));
  const std::string_view before = xml.substr(0, end);
  const size_t line = 1 + static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
  const size_t line_start = before.rfind('\n');
  const size_t column = line_start == std::string_view::npos ? end + 1 : end - line_start;
  return std::to_string(line) + ":" + std::to_string(column);
}

}  // namespace

Result<std::vector<TestCase>> ParseJUnit(std::string_view xml,
                                         std::string_view file_name_for_errors) {
  const std::string file(file_name_for_errors);
  if (xml.size() > kMaxJUnitBytes) {
    return ResourceExhausted(file + ": JUnit report of " + std::to_string(xml.size()) +
                             " bytes is over the limit of " + std::to_string(kMaxJUnitBytes));
  }
  try {
    pugi::xml_document doc;
    const pugi::xml_parse_result parsed = doc.load_buffer(xml.data(), xml.size());
    if (!parsed) {
      return InvalidArgument(file + ":" + Position(xml, parsed.offset) +
                             ": malformed XML: " + parsed.description());
    }
    const pugi::xml_node root = doc.document_element();
    const std::string_view root_name = root.name();
    std::vector<TestCase> tests;
    if (root_name != "testsuites" && root_name != "testsuite") {
      return InvalidArgument(file + ": not a JUnit report (root element <" +
                             std::string(root_name) + ">, expected <testsuites> or <testsuite>)");
    }
    SLIPWAY_RETURN_IF_ERROR(ReadSuite(root, root.attribute("name").value(), 0, file, &tests));
    return tests;
  } catch (const std::exception& e) {
    return Internal(file + ": parsing JUnit XML: " + e.what());
  }
}

Result<std::vector<TestCase>> ReadJUnitFile(const std::filesystem::path& path) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return ErrnoStatus(path.string(), ec.value());
  if (size > kMaxJUnitBytes) {
    return ResourceExhausted(path.string() + ": JUnit report of " + std::to_string(size) +
                             " bytes is over the limit of " + std::to_string(kMaxJUnitBytes));
  }
  std::ifstream in(path, std::ios::binary);
  std::string content(static_cast<size_t>(size), '\0');
  if (!in.read(content.data(), static_cast<std::streamsize>(content.size()))) {
    return Unavailable(path.string() + ": cannot read");
  }
  return ParseJUnit(content, path.string());
}

}  // namespace slipway::runner
