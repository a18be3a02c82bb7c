#include "util/glob.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "util/fs.h"

namespace slipway::glob {
namespace {

TEST(GlobMatch, Star) {
  EXPECT_TRUE(Match("*.c", "main.c"));
  EXPECT_TRUE(Match("*.c", ".c"));
  EXPECT_FALSE(Match("*.c", "src/main.c"));
  EXPECT_TRUE(Match("src/*.c", "src/main.c"));
  EXPECT_FALSE(Match("src/*.c", "src/sub/main.c"));
  EXPECT_FALSE(Match("src/*.c", "main.c"));
  EXPECT_TRUE(Match("*", ".env"));  // leading dots are not special
  EXPECT_TRUE(Match("a*b*c", "abc"));
  EXPECT_TRUE(Match("a*b*c", "axxbyybc"));
  EXPECT_FALSE(Match("a*b*c", "axxbyyb"));
}

TEST(GlobMatch, QuestionAndLiteral) {
  EXPECT_TRUE(Match("v?", "v1"));
  EXPECT_FALSE(Match("v?", "v"));
  EXPECT_FALSE(Match("v?", "v12"));
  EXPECT_FALSE(Match("a?b", "a/b"));
  EXPECT_TRUE(Match("main", "main"));
  EXPECT_FALSE(Match("main", "mainx"));
  EXPECT_TRUE(Match("", ""));
  EXPECT_FALSE(Match("", "a"));
}

TEST(GlobMatch, Classes) {
  EXPECT_TRUE(Match("v[0-9]*", "v1.2.3"));
  EXPECT_FALSE(Match("v[0-9]*", "vx"));
  EXPECT_TRUE(Match("[abc]", "b"));
  EXPECT_FALSE(Match("[abc]", "d"));
  EXPECT_TRUE(Match("[!abc]", "d"));
  EXPECT_FALSE(Match("[!abc]", "a"));
  EXPECT_TRUE(Match("[^abc]", "d"));
  EXPECT_TRUE(Match("[]]", "]"));
  EXPECT_TRUE(Match("[!]]", "a"));
  EXPECT_FALSE(Match("[!]]", "]"));
  EXPECT_TRUE(Match("[a-]", "-"));
  EXPECT_FALSE(Match("a[!x]b", "a/b"));  // a class never matches '/'
  EXPECT_FALSE(Match("a[/]b", "a/b"));
}

TEST(GlobMatch, Escapes) {
  EXPECT_TRUE(Match("a\\*b", "a*b"));
  EXPECT_FALSE(Match("a\\*b", "axb"));
  EXPECT_TRUE(Match("\\[x\\]", "[x]"));
  EXPECT_TRUE(Match("[\\]]", "]"));
}

TEST(GlobMatch, GlobStarSegments) {
  EXPECT_TRUE(Match("a/**/b", "a/b"));
  EXPECT_TRUE(Match("a/**/b", "a/x/b"));
  EXPECT_TRUE(Match("a/**/b", "a/x/y/b"));
  EXPECT_FALSE(Match("a/**/b", "a/x/y/c"));
  EXPECT_FALSE(Match("a/**/b", "ab"));
  EXPECT_TRUE(Match("**/*.xml", "report.xml"));
  EXPECT_TRUE(Match("**/*.xml", "target/surefire/TEST-a.xml"));
  EXPECT_FALSE(Match("**/*.xml", "target/report.xmlx"));
  EXPECT_TRUE(Match("**", "anything/at/all"));
  EXPECT_TRUE(Match("**/x/**", "a/x/b"));
  EXPECT_TRUE(Match("**/x/**", "x/b"));
  EXPECT_FALSE(Match("**/x/**", "a/x"));
}

TEST(GlobMatch, GitHubFilterExamples) {
  // From GitHub's "filter pattern cheat sheet".
  EXPECT_TRUE(Match("release/**", "release/10"));
  EXPECT_TRUE(Match("release/**", "release/beta/3-alpha"));
  EXPECT_FALSE(Match("release/**", "release"));
  EXPECT_FALSE(Match("release/**", "releases/10"));
  EXPECT_TRUE(Match("feature/*", "feature/my-branch"));
  EXPECT_FALSE(Match("feature/*", "feature/your/branch"));
  EXPECT_TRUE(Match("v2*", "v2"));
  EXPECT_TRUE(Match("v2*", "v2.0.9"));
  EXPECT_TRUE(Match("**.js", "index.js"));
  EXPECT_TRUE(Match("**.js", "js/index.js"));  // `**` within a segment crosses '/'
  EXPECT_TRUE(Match("docs/**/*.md", "docs/file.md"));
  EXPECT_TRUE(Match("docs/**/*.md", "docs/mona/octocat.md"));
  EXPECT_TRUE(Match("**/docs/**", "docs/hello.md"));
  EXPECT_TRUE(Match("**/docs/**", "dir/docs/my-file.txt"));
  EXPECT_TRUE(Match("**/docs/**", "space/docs/plan/space.doc"));
  EXPECT_TRUE(Match("**/README.md", "README.md"));
  EXPECT_TRUE(Match("**/README.md", "js/README.md"));
  EXPECT_TRUE(Match("**/*src/**", "a/src/app.js"));
  EXPECT_TRUE(Match("**/*src/**", "my-src/code/js/app.js"));
}

TEST(GlobMatch, MalformedMatchesNothing) {
  EXPECT_FALSE(Match("[abc", "a"));
  EXPECT_FALSE(Match("[abc", "[abc"));
  EXPECT_FALSE(Match("a\\", "a"));
}

TEST(GlobMatch, PathologicalPatternsStayFast) {
  // A backtracking matcher takes exponential time here; ours is linear in the path per state.
  std::string pattern;
  for (int i = 0; i < 30; ++i) pattern += "a*";
  pattern += "b";
  const std::string path(200, 'a');
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(Match(pattern, path));
  EXPECT_TRUE(Match(pattern, path + "b"));
  std::string deep;
  for (int i = 0; i < 20; ++i) deep += "**/a/";
  deep += "b";
  std::string deep_path;
  for (int i = 0; i < 100; ++i) deep_path += "a/";
  EXPECT_FALSE(Match(deep, deep_path + "c"));
  EXPECT_TRUE(Match(deep, deep_path + "b"));
  // Generous bound: this is a blow-up check, not a benchmark.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(GlobPatternError, ExplainsProblems) {
  EXPECT_EQ(PatternError("src/**/*.c"), "");
  EXPECT_EQ(PatternError("v[0-9]*"), "");
  EXPECT_NE(PatternError("src/[abc").find("unterminated character class"), std::string::npos);
  EXPECT_NE(PatternError("src/[abc").find("column 5"), std::string::npos);
  EXPECT_NE(PatternError("[z-a]").find("invalid range"), std::string::npos);
  EXPECT_NE(PatternError("a\\").find("backslash"), std::string::npos);
}

TEST(GlobHasMagic, DetectsMetacharacters) {
  EXPECT_FALSE(HasMagic("src/main.c"));
  EXPECT_FALSE(HasMagic("node_modules"));
  EXPECT_TRUE(HasMagic("*.c"));
  EXPECT_TRUE(HasMagic("a?"));
  EXPECT_TRUE(HasMagic("[ab]"));
  EXPECT_TRUE(HasMagic("a\\*"));
}

class GlobExpandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("glob_test.");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    root_ = *dir;
  }
  void TearDown() override { ASSERT_TRUE(RemoveTree(root_).ok()); }

  void Touch(const std::string& rel) {
    std::filesystem::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel) << rel;
  }
  std::vector<std::string> Expand(std::string_view pattern) {
    auto r = glob::Expand(root_, pattern);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<std::string>{};
  }

  std::filesystem::path root_;
};

using Paths = std::vector<std::string>;

TEST_F(GlobExpandTest, MatchesFilesSorted) {
  for (const char* f : {"src/main.c", "src/util.c", "src/util.h", "src/sub/deep.c", "top.c",
                        "build/reports/TEST-a.xml", "build/TEST-b.xml", "pom.xml"}) {
    Touch(f);
  }
  EXPECT_EQ(Expand("src/*.c"), (Paths{"src/main.c", "src/util.c"}));
  EXPECT_EQ(Expand("**/*.c"), (Paths{"src/main.c", "src/sub/deep.c", "src/util.c", "top.c"}));
  EXPECT_EQ(Expand("**/*.xml"), (Paths{"build/TEST-b.xml", "build/reports/TEST-a.xml", "pom.xml"}));
  EXPECT_EQ(Expand("build/**"), (Paths{"build/TEST-b.xml", "build/reports/TEST-a.xml"}));
  EXPECT_EQ(Expand("src/main.c"), (Paths{"src/main.c"}));
  EXPECT_EQ(Expand("src"), Paths{});  // directories themselves are not listed
  EXPECT_EQ(Expand("nothing/**"), Paths{});
  EXPECT_EQ(Expand("src/main.c/x"), Paths{});
}

TEST_F(GlobExpandTest, SkipsGitAndDoesNotFollowSymlinkedDirs) {
  Touch(".git/config");
  Touch("sub/.git/HEAD");
  Touch("real/file.txt");
  Touch(".github/workflows/ci.yml");
  ASSERT_EQ(symlink("real", (root_ / "link").c_str()), 0);
  ASSERT_EQ(symlink("real/file.txt", (root_ / "filelink").c_str()), 0);
  EXPECT_EQ(Expand("**"), (Paths{".github/workflows/ci.yml", "filelink", "link", "real/file.txt"}));
  EXPECT_EQ(Expand("link/*"), Paths{});
  EXPECT_EQ(Expand(".git/*"), Paths{});
  EXPECT_EQ(Expand("*link"), (Paths{"filelink", "link"}));
}

TEST_F(GlobExpandTest, RejectsBadPatterns) {
  EXPECT_EQ(glob::Expand(root_, "[abc").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(glob::Expand(root_, "../*").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(glob::Expand(root_, "a/../../*").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(glob::Expand(root_, "/etc/*").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(glob::Expand(root_ / "missing", "*").status().code(), StatusCode::kNotFound);
}

TEST_F(GlobExpandTest, PrunesUnreadableSiblingsOutsideThePrefix) {
  // The walk starts at the literal prefix, so an unreadable directory elsewhere is never opened.
  Touch("src/a.c");
  Touch("secret/x");
  ASSERT_EQ(chmod((root_ / "secret").c_str(), 0), 0);
  EXPECT_EQ(Expand("src/*.c"), (Paths{"src/a.c"}));
  if (geteuid() != 0) {
    EXPECT_FALSE(glob::Expand(root_, "**/x").ok());
  }
  ASSERT_EQ(chmod((root_ / "secret").c_str(), 0700), 0);
}

TEST_F(GlobExpandTest, IncludeDirsListsMatchingDirectories) {
  Touch("app/node_modules/x/index.js");
  Touch("lib/node_modules/y.js");
  Touch("node_modules.txt");
  ASSERT_EQ(symlink("app", (root_ / "linked").c_str()), 0);
  auto r = glob::Expand(root_, "**/node_modules*", {.include_dirs = true});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Paths{"app/node_modules", "lib/node_modules", "node_modules.txt"}));
  auto all = glob::Expand(root_, "*", {.include_dirs = true});
  EXPECT_EQ(*all, (Paths{"app", "lib", "linked", "node_modules.txt"}));
}

TEST(GlobEscape, RoundTrips) {
  for (const char* s : {"plain", "a*b", "[x]", "q?", "back\\slash", "**"}) {
    EXPECT_TRUE(Match(Escape(s), s)) << s;
    EXPECT_EQ(PatternError(Escape(s)), "") << s;
  }
  EXPECT_FALSE(Match(Escape("a*"), "ab"));
  EXPECT_FALSE(HasMagic(Escape("plain")));
}

TEST_F(GlobExpandTest, EscapedMetacharactersInNames) {
  Touch("a*b/c.txt");
  Touch("axb/c.txt");
  EXPECT_EQ(Expand("a\\*b/*.txt"), (Paths{"a*b/c.txt"}));
  EXPECT_EQ(Expand("a*b/*.txt"), (Paths{"a*b/c.txt", "axb/c.txt"}));
}

}  // namespace
}  // namespace slipway::glob
