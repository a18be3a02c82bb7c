// The client's pure helpers: run references, path escaping, tables, API times, server URLs,
// and the credentials file.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>

#include "cli/client.h"
#include "util/fs.h"

namespace slipway::cli {
namespace {

TEST(ClientFormat, RunRefsSplitProjectNumberAndJob) {
  auto plain = ParseRunRef("hello/12", /*allow_job=*/false);
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_EQ(plain->project, "hello");
  EXPECT_EQ(plain->number, 12);
  EXPECT_EQ(plain->job, "");
  auto job = ParseRunRef("hello/3/test (linux, a/b)", /*allow_job=*/true);
  ASSERT_TRUE(job.ok()) << job.status().message();
  EXPECT_EQ(job->job, "test (linux, a/b)");
  EXPECT_EQ(RunPath(*job), "/api/v1/projects/hello/runs/3");

  for (const char* bad : {"hello", "/3", "hello/", "hello/x", "hello/0", "hello/-1", "hello/3/"}) {
    auto ref = ParseRunRef(bad, /*allow_job=*/true);
    EXPECT_FALSE(ref.ok()) << bad;
    EXPECT_NE(ref.status().message().find("PROJECT/NUMBER[/JOB]"), std::string::npos) << bad;
  }
  EXPECT_FALSE(ParseRunRef("hello/3/build", /*allow_job=*/false).ok());
}

TEST(ClientFormat, PathSegmentsEscapeEverythingButUnreserved) {
  EXPECT_EQ(PathSegment("build (linux)"), "build%20%28linux%29");
  EXPECT_EQ(PathSegment("a/b?c#d%"), "a%2Fb%3Fc%23d%25");
  EXPECT_EQ(PathSegment("Ok-1._~"), "Ok-1._~");
  EXPECT_EQ(PathSegment("é"), "%C3%A9");
}

TEST(ClientFormat, TablesAlignColumnsCountingCharactersNotBytes) {
  Table table({"NAME", "STATUS"});
  table.Add({"é", "ok"});
  table.Add({"longer", ""});
  EXPECT_EQ(table.size(), 2u);
  EXPECT_EQ(table.Render(),
            "NAME    STATUS\n"
            "é       ok\n"
            "longer\n");
}

TEST(ClientFormat, ApiTimesParseAndShowAsAges) {
  auto seconds = ParseApiTime(Json("2026-11-26T13:31:16.250Z"));
  ASSERT_TRUE(seconds.has_value());
  EXPECT_DOUBLE_EQ(*seconds, 1795699876.25);
  EXPECT_FALSE(ParseApiTime(Json(nullptr)).has_value());
  EXPECT_FALSE(ParseApiTime(Json("yesterday")).has_value());
  EXPECT_EQ(Ago(Json(nullptr)), "-");
  EXPECT_EQ(Ago(Json("2001-02-03T04:05:06.000Z")), "2001-02-03");
  EXPECT_EQ(Elapsed(Json("2026-11-26T13:31:16.000Z"), Json("2026-11-26T13:31:17.500Z")), "1.5s");
  EXPECT_EQ(Elapsed(Json(nullptr), Json(nullptr)), "-");
}

TEST(ClientFormat, ServerUrlsLoseTrailingSlashesAndNeedAScheme) {
  auto url = NormalizeServerUrl("http://ci.example:8080//");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(*url, "http://ci.example:8080");
  auto bad = NormalizeServerUrl("ci.example:8080");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST(ClientCredentials, SavedPrivatelyAndReadBack) {
  auto dir = MakeTempDir("slipway-cli-test-");
  ASSERT_TRUE(dir.ok());
  const std::string config = (*dir / "nested" / "slipway").string();
  ::setenv("SLIPWAY_CONFIG_DIR", config.c_str(), 1);
  auto none = LoadCredentials();
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_FALSE(none->has_value());

  ASSERT_TRUE(SaveCredentials({"http://ci.example:8080", "slw_secret"}).ok());
  EXPECT_EQ(CredentialsPath(), std::filesystem::path(config) / "credentials.json");
  struct stat file {};
  ASSERT_EQ(::stat(CredentialsPath().c_str(), &file), 0);
  EXPECT_EQ(file.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(config.c_str(), &file), 0);
  EXPECT_EQ(file.st_mode & 0777, 0700u);
  auto saved = LoadCredentials();
  ASSERT_TRUE(saved.ok() && saved->has_value());
  EXPECT_EQ((*saved)->server, "http://ci.example:8080");
  EXPECT_EQ((*saved)->token, "slw_secret");

  ASSERT_TRUE(WriteFileAtomic(CredentialsPath(), "[1]", 0600).ok());
  auto broken = LoadCredentials();
  EXPECT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("credentials.json"), std::string::npos);
  ::unsetenv("SLIPWAY_CONFIG_DIR");
  (void)RemoveTree(*dir);
}

}  // namespace
}  // namespace slipway::cli
