// The server's gate ledger reads the files a deploy changes from the repository mirror its runs
// were started from: since the deployed run's commit, every file of the tree when nothing was
// deployed, and a one-line reason when it cannot tell (no mirror, a commit not in it, a run
// of another project). Real repositories (git CLI), runs started through the API.
#include <gmock/gmock.h>

#include "api/api_fixture.h"

namespace slipway::api::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class GateLedgerTest : public ApiTest {
 protected:
  // Starts a manual run of `project` at main's head; returns its id as deploys name runs.
  std::string StartRun(const std::string& project) {
    Reply reply = Admin("POST", "/api/v1/projects/" + project + "/runs", "{}");
    EXPECT_EQ(reply.status, 201) << reply.body;
    const int64_t number = reply.doc.is_object() ? reply.doc.value("number", 0) : 0;
    for (const store::Run& run : Runs(project)) {
      if (run.number == number) return std::to_string(run.id);
    }
    ADD_FAILURE() << "no run " << number << " of " << project;
    return "";
  }

  std::unique_ptr<policy::GateLedger> Ledger() { return MakeGateLedger(*store_, dir_ / "data"); }
};

TEST_F(GateLedgerTest, FilesChangedSinceTheDeployedRunOrEveryFileOfAFirstDeploy) {
  std::unique_ptr<Repo> repo = MakeRepo();
  AddProject("shop", *repo);
  const std::string first = StartRun("shop");
  repo->Write("docs/guide.md", "# Guide\n");
  repo->Commit("docs");
  const std::string docs = StartRun("shop");
  repo->Write("docs/guide.md", "# Guide, again\n");
  repo->Git({"mv", "src/main.c", "src/app.c"});
  repo->Commit("code");
  const std::string code = StartRun("shop");

  std::unique_ptr<policy::GateLedger> ledger = Ledger();
  ASSERT_OK_AND_ASSIGN(auto everything, ledger->ChangedFiles("shop", "", first));
  EXPECT_THAT(everything, ElementsAre(".slipway.yml", "src/main.c"));
  ASSERT_OK_AND_ASSIGN(auto docs_only, ledger->ChangedFiles("shop", first, docs));
  EXPECT_THAT(docs_only, ElementsAre("docs/guide.md"));
  ASSERT_OK_AND_ASSIGN(auto since_docs, ledger->ChangedFiles("shop", docs, code));
  EXPECT_THAT(since_docs, ElementsAre("docs/guide.md", "src/app.c", "src/main.c"))
      << "both sides of a rename";
  ASSERT_OK_AND_ASSIGN(auto same, ledger->ChangedFiles("shop", code, code));
  EXPECT_TRUE(same.empty());
}

TEST_F(GateLedgerTest, WhyTheFilesAreUnknown) {
  std::unique_ptr<Repo> repo = MakeRepo();
  AddProject("shop", *repo);
  std::unique_ptr<Repo> other = MakeRepo("other");
  AddProject("other", *other);
  const std::string run = StartRun("shop");
  const std::string others = StartRun("other");

  // A run whose commit never reached the mirror (its repository was rewritten, say).
  ASSERT_OK_AND_ASSIGN(store::Project shop, store_->GetProject("shop"));
  engine::RunRequest request;
  request.project_id = shop.id;
  request.pipeline_yaml = kPipeline;
  request.branch = "main";
  request.commit = std::string(40, 'a');
  ASSERT_OK_AND_ASSIGN(store::Run lost, engine::CreateRun(*store_, request, {}));
  request.commit = "";
  ASSERT_OK_AND_ASSIGN(store::Run commitless, engine::CreateRun(*store_, request, {}));

  std::unique_ptr<policy::GateLedger> ledger = Ledger();
  auto missing = ledger->ChangedFiles("shop", std::to_string(lost.id), run);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(
      missing.status().message(),
      HasSubstr("the deployed commit " + std::string(40, 'a') + " (run " + std::to_string(lost.id) +
                ") is not in the server's copy of " + repo->dir().string()));
  auto no_commit = ledger->ChangedFiles("shop", std::to_string(commitless.id), run);
  EXPECT_THAT(no_commit.status().message(),
              HasSubstr("run " + std::to_string(commitless.id) + " names no commit"));
  auto foreign = ledger->ChangedFiles("shop", others, run);
  EXPECT_EQ(foreign.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(foreign.status().message(), HasSubstr("is not of shop"));

  auto no_mirror = MakeGateLedger(*store_, dir_ / "elsewhere")->ChangedFiles("shop", "", run);
  EXPECT_EQ(no_mirror.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(no_mirror.status().message(),
              HasSubstr("the server has no copy of " + repo->dir().string()));
}

}  // namespace
}  // namespace slipway::api::testing
