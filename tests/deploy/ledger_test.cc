// EnvironmentLedger: the file ledger of `slipway run` and the store ledger of the server keep
// the same contract (each test runs on both), and ImportFileLedger moves one into the other.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "deploy/deploy.h"
#include "deploy_test_util.h"
#include "store/store.h"

namespace slipway::deploy {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::TempDir;

const auto kStart = std::chrono::system_clock::time_point(std::chrono::milliseconds(1795000000123));

DesiredState Production() {
  DesiredState state;
  state.project = "shop";
  state.environment = "production";
  state.pipeline_file = ".slipway.yml";
  state.pipeline_yaml = "environments: {}\n";
  state.next_revision = 4;
  state.next_deploy = 6;
  state.stable = RevisionSpec{.id = "r3",
                              .digest = "sha256:" + std::string(64, 'a'),
                              .artifact_dir = "/srv/r3",
                              .instances = 2,
                              .env = {{"MODE", "fast"}, {"EMPTY", ""}}};
  return state;
}

DeployRecord Running(int64_t id) {
  DeployRecord record;
  record.id = id;
  record.project = "shop";
  record.environment = "production";
  record.revision = "r" + std::to_string(id);
  record.artifact = "shop/server:1.2";
  record.digest = "sha256:" + std::string(64, 'b');
  record.provenance = "none";
  record.trigger = "run 9, job deploy, attempt 1";
  record.triggered_by = "ana";
  record.strategy = "canary";
  record.started = kStart;
  record.outcome = "running";
  return record;
}

enum class Kind { kFiles, kStore };

class LedgerTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (GetParam() == Kind::kFiles) {
      ledger_ = MakeFileLedger(dir_.path() / "environments");
      return;
    }
    auto opened = store::Open({.url = (dir_.path() / "slipway.db").string(), .pool_size = 1});
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(opened.value());
    ledger_ = MakeStoreLedger(*store_);
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<EnvironmentLedger> ledger_;
};

TEST_P(LedgerTest, AnEnvironmentNeverDeployedIsNotFound) {
  EXPECT_EQ(ledger_->Load("shop", "production").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ledger_->Deploys("shop", "production").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ledger_->Forget("shop", "production").code(), StatusCode::kNotFound);
  ASSERT_TRUE(ledger_->Environments().ok());
  EXPECT_TRUE(ledger_->Environments()->empty());
}

TEST_P(LedgerTest, TheDesiredStateComesBackAsSaved) {
  ASSERT_TRUE(ledger_->Save(Production()).ok());
  Result<DesiredState> loaded = ledger_->Load("shop", "production");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->pipeline_file, ".slipway.yml");
  EXPECT_EQ(loaded->pipeline_yaml, "environments: {}\n");
  EXPECT_EQ(loaded->next_revision, 4);
  EXPECT_EQ(loaded->next_deploy, 6);
  ASSERT_TRUE(loaded->stable.has_value());
  EXPECT_EQ(loaded->stable->id, "r3");
  EXPECT_EQ(loaded->stable->digest, Production().stable->digest);
  EXPECT_EQ(loaded->stable->artifact_dir, fs::path("/srv/r3"));
  EXPECT_EQ(loaded->stable->instances, 2);
  EXPECT_EQ(loaded->stable->env, Production().stable->env);

  DesiredState cleared = Production();
  cleared.stable.reset();
  cleared.next_deploy = 7;
  ASSERT_TRUE(ledger_->Save(cleared).ok());
  loaded = ledger_->Load("shop", "production");
  ASSERT_TRUE(loaded.ok());
  EXPECT_FALSE(loaded->stable.has_value());
  EXPECT_EQ(loaded->next_deploy, 7);
}

TEST_P(LedgerTest, ADeployRecordedAgainReplacesItsEarlierRecord) {
  ASSERT_TRUE(ledger_->Save(Production()).ok());
  ASSERT_TRUE(ledger_->RecordDeploy(Running(2)).ok());
  DeployRecord first = Running(1);
  first.outcome = "failed";
  first.reason = "analysis failed";
  first.finished = kStart + std::chrono::seconds(5);
  ASSERT_TRUE(ledger_->RecordDeploy(first).ok());
  DeployRecord done = Running(2);
  done.steps.push_back({.name = "set weight 25",
                        .started = kStart,
                        .finished = kStart + std::chrono::milliseconds(1500),
                        .outcome = "ok",
                        .message = "25% to r2"});
  done.outcome = "succeeded";
  done.finished = kStart + std::chrono::seconds(90);
  done.gate = "allow";
  done.gate_json = R"({"decision":"allow"})";
  ASSERT_TRUE(ledger_->RecordDeploy(done).ok());

  Result<std::vector<DeployRecord>> records = ledger_->Deploys("shop", "production");
  ASSERT_TRUE(records.ok()) << records.status().message();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].id, 1);
  EXPECT_EQ((*records)[0].reason, "analysis failed");
  const DeployRecord& second = (*records)[1];
  EXPECT_EQ(second.id, 2);
  EXPECT_EQ(second.outcome, "succeeded");
  EXPECT_EQ(second.triggered_by, "ana");
  EXPECT_EQ(second.trigger, "run 9, job deploy, attempt 1");
  EXPECT_EQ(second.started, kStart);
  EXPECT_EQ(second.finished, kStart + std::chrono::seconds(90));
  EXPECT_EQ(second.gate_json, R"({"decision":"allow"})");
  ASSERT_EQ(second.steps.size(), 1u);
  EXPECT_EQ(second.steps[0].name, "set weight 25");
  EXPECT_EQ(second.steps[0].finished, kStart + std::chrono::milliseconds(1500));
  EXPECT_EQ(second.steps[0].message, "25% to r2");
}

TEST_P(LedgerTest, EnvironmentsAreListedInOrderAndForgottenWithTheirRecords) {
  DesiredState staging = Production();
  staging.environment = "staging";
  DesiredState other = Production();
  other.project = "api";
  ASSERT_TRUE(ledger_->Save(staging).ok());
  ASSERT_TRUE(ledger_->Save(Production()).ok());
  ASSERT_TRUE(ledger_->Save(other).ok());
  ASSERT_TRUE(ledger_->RecordDeploy(Running(1)).ok());
  Result<std::vector<DesiredState>> listed = ledger_->Environments();
  ASSERT_TRUE(listed.ok());
  std::vector<std::string> names;
  for (const DesiredState& state : *listed)
    names.push_back(state.project + "/" + state.environment);
  EXPECT_EQ(names, (std::vector<std::string>{"api/production", "shop/production", "shop/staging"}));

  ASSERT_TRUE(ledger_->Forget("shop", "production").ok());
  EXPECT_EQ(ledger_->Load("shop", "production").status().code(), StatusCode::kNotFound);
  // Deployed again later, it starts without the old records.
  ASSERT_TRUE(ledger_->Save(Production()).ok());
  ASSERT_TRUE(ledger_->Deploys("shop", "production").ok());
  EXPECT_TRUE(ledger_->Deploys("shop", "production")->empty());
  EXPECT_TRUE(ledger_->Load("shop", "staging").ok());
}

INSTANTIATE_TEST_SUITE_P(Ledgers, LedgerTest, ::testing::Values(Kind::kFiles, Kind::kStore),
                         [](const auto& info) {
                           return info.param == Kind::kFiles ? std::string("Files")
                                                             : std::string("Store");
                         });

TEST(FileLedgerTest, ATornLastLineIsSkippedAndAMangledStateIsAnErrorNamingTheFile) {
  TempDir dir;
  auto ledger = MakeFileLedger(dir.path());
  ASSERT_TRUE(ledger->Save(Production()).ok());
  ASSERT_TRUE(ledger->RecordDeploy(Running(1)).ok());
  const fs::path env_dir = dir.path() / "shop" / "production";
  {
    std::ofstream torn(env_dir / "deploys.jsonl", std::ios::app);
    torn << R"({"id":2,"outcome":"runn)";
  }
  Result<std::vector<DeployRecord>> records = ledger->Deploys("shop", "production");
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].id, 1);

  std::ofstream(env_dir / "environment.json")
      << R"({"environment":"production","next_deploy":"x"})";
  Result<DesiredState> mangled = ledger->Load("shop", "production");
  EXPECT_EQ(mangled.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(mangled.status().message(), HasSubstr("environment.json"));
}

TEST(ImportFileLedgerTest, EnvironmentsInFilesMoveIntoTheStoreOnce) {
  TempDir dir;
  const fs::path files_dir = dir.path() / "environments";
  {
    auto files = MakeFileLedger(files_dir);
    ASSERT_TRUE(files->Save(Production()).ok());
    DeployRecord done = Running(5);
    done.outcome = "succeeded";
    ASSERT_TRUE(files->RecordDeploy(Running(4)).ok());
    ASSERT_TRUE(files->RecordDeploy(done).ok());
  }
  auto opened = store::Open({.url = (dir.path() / "slipway.db").string(), .pool_size = 1});
  ASSERT_TRUE(opened.ok());
  auto stored = MakeStoreLedger(*opened.value());

  Result<int> moved = ImportFileLedger(files_dir, *stored);
  ASSERT_TRUE(moved.ok()) << moved.status().message();
  EXPECT_EQ(moved.value(), 1);
  Result<DesiredState> state = stored->Load("shop", "production");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->stable->id, "r3");
  Result<std::vector<DeployRecord>> records = stored->Deploys("shop", "production");
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[1].outcome, "succeeded");
  // The files are kept under another name, and a second import finds nothing to move.
  EXPECT_TRUE(fs::exists(files_dir / "shop" / "production" / "environment.json.imported"));
  EXPECT_FALSE(fs::exists(files_dir / "shop" / "production" / "environment.json"));
  EXPECT_EQ(ImportFileLedger(files_dir, *stored).value(), 0);
}

}  // namespace
}  // namespace slipway::deploy
