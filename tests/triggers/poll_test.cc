// PollRepository against scratch repositories made with the git command line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "triggers/triggers.h"
#include "triggers_test_util.h"

namespace slipway::triggers {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ScratchRepo;
using testing::TempDir;

class PollTest : public ::testing::Test {
 protected:
  PollTest() : repo_(tmp_.path() / "repo") {}

  // Polls the repository with the state of the previous poll; returns the updates.
  std::vector<RefUpdate> Poll(const std::string& url = "") {
    auto result = PollRepository(url.empty() ? repo_.dir().string() : url, known_, options_);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    if (!result.ok()) return {};
    known_ = result->refs_json;
    return result->updates;
  }

  TempDir tmp_;
  ScratchRepo repo_;
  PollOptions options_;
  std::string known_;
};

TEST_F(PollTest, FirstPollReportsEveryBranchAndTagAsCreated) {
  repo_.Write("a.txt", "1");
  const std::string first = repo_.Commit("first");
  repo_.Git({"tag", "v0"});
  EXPECT_THAT(Poll(), ElementsAre(RefUpdate{"refs/heads/main", "", first},
                                  RefUpdate{"refs/tags/v0", "", first}));
  EXPECT_THAT(known_, HasSubstr("\"refs/heads/main\":\"" + first + "\""));
}

TEST_F(PollTest, NothingChangedMeansNoUpdates) {
  repo_.Write("a.txt", "1");
  repo_.Commit("first");
  Poll();
  EXPECT_TRUE(Poll().empty());
  EXPECT_TRUE(Poll().empty());
}

TEST_F(PollTest, NewCommitsBranchesAndTags) {
  repo_.Write("a.txt", "1");
  const std::string first = repo_.Commit("first");
  Poll();
  repo_.Write("a.txt", "2");
  const std::string second = repo_.Commit("second");
  repo_.Git({"branch", "feature"});
  repo_.Git({"tag", "v1"});                         // lightweight
  repo_.Git({"tag", "-a", "v2", "-m", "release"});  // annotated: reported as its commit
  EXPECT_THAT(Poll(), ElementsAre(RefUpdate{"refs/heads/feature", "", second},
                                  RefUpdate{"refs/heads/main", first, second},
                                  RefUpdate{"refs/tags/v1", "", second},
                                  RefUpdate{"refs/tags/v2", "", second}));
}

TEST_F(PollTest, ForcePushAndDeletion) {
  repo_.Write("a.txt", "1");
  const std::string first = repo_.Commit("first");
  repo_.Write("a.txt", "2");
  const std::string second = repo_.Commit("second");
  repo_.Git({"branch", "feature"});
  Poll();
  // Rewrite main: drop `second`, commit something else on top of `first`.
  repo_.Git({"reset", "-q", "--hard", first});
  repo_.Write("b.txt", "other");
  const std::string rewritten = repo_.Commit("rewritten");
  repo_.Git({"branch", "-D", "feature"});
  EXPECT_THAT(Poll(), ElementsAre(RefUpdate{"refs/heads/feature", second, ""},
                                  RefUpdate{"refs/heads/main", second, rewritten}));
}

TEST_F(PollTest, MovedTag) {
  repo_.Write("a.txt", "1");
  const std::string first = repo_.Commit("first");
  repo_.Git({"tag", "latest"});
  Poll();
  const std::string second = repo_.Commit("second");
  repo_.Git({"tag", "-f", "latest"});
  EXPECT_THAT(Poll(), ElementsAre(RefUpdate{"refs/heads/main", first, second},
                                  RefUpdate{"refs/tags/latest", first, second}));
}

TEST_F(PollTest, OnlyBranchesAndTags) {
  repo_.Write("a.txt", "1");
  const std::string first = repo_.Commit("first");
  repo_.Git({"notes", "add", "-m", "a note"});
  repo_.Git({"update-ref", "refs/pull/1/head", first});
  EXPECT_THAT(Poll(), ElementsAre(RefUpdate{"refs/heads/main", "", first}));
}

TEST_F(PollTest, FileUrlsAndBareRepositories) {
  repo_.Write("a.txt", "1");
  const std::string first = repo_.Commit("first");
  testing::RunGit(tmp_.path(), {"clone", "-q", "--bare", repo_.dir().string(), "bare.git"});
  EXPECT_THAT(Poll("file://" + (tmp_.path() / "bare.git").string()),
              ElementsAre(RefUpdate{"refs/heads/main", "", first}));
}

TEST_F(PollTest, MissingRepositoryIsUnavailable) {
  auto result = PollRepository((tmp_.path() / "nowhere").string(), "", options_);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(result.status().message(), HasSubstr("nowhere"));
}

TEST_F(PollTest, UnreachableUrlErrorHasNoCredentials) {
  // Port 1 on the loopback interface: the connection is refused at once.
  for (const std::string url : {"http://deploy:hunter2-secret@127.0.0.1:1/team/app.git",
                                "https://ghp_0123456789abcdefTOKEN@127.0.0.1:1/team/app.git"}) {
    auto result = PollRepository(url, "", options_);
    ASSERT_FALSE(result.ok()) << url;
    EXPECT_EQ(result.status().code(), StatusCode::kUnavailable) << result.status().ToString();
    const std::string& message = result.status().message();
    EXPECT_THAT(message, HasSubstr("127.0.0.1:1/team/app.git"));
    EXPECT_THAT(message, Not(HasSubstr("hunter2")));
    EXPECT_THAT(message, Not(HasSubstr("deploy:")));
    EXPECT_THAT(message, Not(HasSubstr("ghp_0123456789abcdefTOKEN")));
  }
}

TEST_F(PollTest, MalformedKnownRefs) {
  repo_.Write("a.txt", "1");
  repo_.Commit("first");
  for (const std::string bad : {"not json", "[1,2]", "{\"refs/heads/main\": 3}"}) {
    auto result = PollRepository(repo_.dir().string(), bad, options_);
    ASSERT_FALSE(result.ok()) << bad;
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(result.status().message(), HasSubstr("known refs")) << bad;
  }
}

TEST(RedactUrlTest, RemovesUserAndPassword) {
  EXPECT_EQ(RedactUrl("https://user:pw@example.com/r.git"), "https://example.com/r.git");
  EXPECT_EQ(RedactUrl("https://TOKEN@example.com/r.git"), "https://example.com/r.git");
  EXPECT_EQ(RedactUrl("ssh://git@example.com:2222/r.git"), "ssh://example.com:2222/r.git");
  EXPECT_EQ(RedactUrl("https://u:p@ss@example.com"), "https://example.com");
  EXPECT_EQ(RedactUrl("https://example.com/a@b"), "https://example.com/a@b");
  EXPECT_EQ(RedactUrl("https://example.com?x=a@b"), "https://example.com?x=a@b");
  EXPECT_EQ(RedactUrl("git@example.com:team/r.git"), "git@example.com:team/r.git");
  EXPECT_EQ(RedactUrl("/srv/git/r.git"), "/srv/git/r.git");
  EXPECT_EQ(RedactUrl("file:///srv/git/r.git"), "file:///srv/git/r.git");
}

}  // namespace
}  // namespace slipway::triggers
