// The route table: the lines tests/docs/validate_docs.mjs reads from src/api/routes.cc are
// exactly the routes MakeRouter registers, every route is served, and every one but the public
// ones wants a token.
#include <fstream>
#include <regex>
#include <sstream>

#include "api_fixture.h"

namespace slipway::api::testing {
namespace {

// The routes as validate_docs.mjs sees them: {"METHOD", "/pattern" at the start of an entry
// between the BEGIN ROUTES and END ROUTES markers of routes.cc.
std::vector<std::pair<std::string, std::string>> RoutesInSource() {
  std::ifstream in(fs::path(SLIPWAY_SOURCE_DIR) / "src/api/routes.cc");
  std::ostringstream text;
  text << in.rdbuf();
  const std::string source = text.str();
  const size_t begin = source.find("// BEGIN ROUTES");
  const size_t end = source.find("// END ROUTES");
  EXPECT_NE(begin, std::string::npos);
  EXPECT_NE(end, std::string::npos);
  const std::string block = source.substr(begin, end - begin);
  std::vector<std::pair<std::string, std::string>> routes;
  const std::regex entry(R"re(\{"(GET|POST|PUT|PATCH|DELETE)",\s*"([^"]+)")re");
  for (auto it = std::sregex_iterator(block.begin(), block.end(), entry);
       it != std::sregex_iterator(); ++it) {
    routes.emplace_back((*it)[1], (*it)[2]);
  }
  return routes;
}

// A concrete path for `pattern`: every {param} replaced by a sample value.
std::string Sample(const std::string& pattern) {
  return std::regex_replace(pattern, std::regex(R"(\{[a-z]+\})"), "1");
}

using RoutesTest = ApiTest;

TEST_F(RoutesTest, SourceLinesAreTheRegisteredTable) {
  std::vector<std::pair<std::string, std::string>> registered;
  for (const RouteInfo& route : Routes()) registered.emplace_back(route.method, route.pattern);
  EXPECT_EQ(RoutesInSource(), registered);
  EXPECT_GE(registered.size(), 23u);
}

TEST_F(RoutesTest, EveryRouteIsServedAndAllButPublicOnesWantAToken) {
  for (const RouteInfo& route : Routes()) {
    const std::string path = Sample(route.pattern);
    Reply reply = Call(route.method, path, route.method == "GET" ? "" : "{}");
    EXPECT_NE(reply.status, 405) << route.method << " " << path;
    EXPECT_EQ(reply.ErrorMessage().find("no route"), std::string::npos)
        << route.method << " " << path;
    const bool is_public = route.pattern == "/healthz" || route.pattern.starts_with("/hooks/") ||
                           route.pattern == "/api/v1/signing-keys";
    if (!is_public) {
      EXPECT_EQ(reply.status, 401) << route.method << " " << path;
    }
  }
}

}  // namespace
}  // namespace slipway::api::testing
