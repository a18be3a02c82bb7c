// Two `slipway server` processes sharing one PostgreSQL database, each with a remote agent of
// its own: the job queue hands every job to exactly one of them.
#include "e2e/server_harness.h"
#include "support/postgres_server.h"

namespace slipway::e2e {
namespace {

using store::testing::PostgresServer;

class ServerPostgresTest : public ServerE2eTest {};

TEST_F(ServerPostgresTest, TwoServersOnOneDatabaseRunEveryJobExactlyOnce) {
  auto postgres = PostgresServer::Start();
  ASSERT_TRUE(postgres.ok()) << postgres.status().ToString();
  auto database = (*postgres)->CreateDatabase();
  ASSERT_TRUE(database.ok()) << database.status().ToString();

  constexpr int kJobs = 20;
  std::string yaml = "name: shared\non: {manual: {}}\njobs:\n";
  std::vector<std::string> names;
  for (int i = 1; i <= kJobs; ++i) {
    names.push_back("job" + std::to_string(i));
    yaml += "  " + names.back() + ":\n    steps:\n      - run: |\n          " +
            RecordAncestors(names.back()) +
            "\n          echo \"$SLIPWAY_JOB\" >> \"$E2E_STATE/ran\"" + "\n          sleep 0.3\n";
  }
  CommitPipeline(yaml);
  const std::vector<std::string> args = {"--database", *database, "--local-agents", "0"};
  StartServer(args);
  const std::string second = StartExtraServer(args);
  ASSERT_FALSE(second.empty());
  AddProject();
  const size_t first_agent = StartAgent("one");
  const size_t second_agent = StartAgentFor(second, "two");
  const int number = StartRun();
  Json run = WaitForRun(number, "demo", std::chrono::seconds(90));
  ASSERT_EQ(run.value("status", ""), "success") << run.dump(2) << ServerLog() << "\nserver 2:\n"
                                                << ExtraServerLog(2);

  std::map<std::string, int> ran;
  for (const auto& line : Lines(ReadText(state_ / "ran"))) ++ran[line];
  EXPECT_EQ(ran.size(), names.size());
  int on_first = 0, on_second = 0;
  for (const auto& name : names) {
    EXPECT_EQ(ran[name], 1) << name;
    const bool first = RanUnder(name, agent(first_agent).pid());
    const bool by_second = RanUnder(name, agent(second_agent).pid());
    EXPECT_NE(first, by_second) << name << " ran under neither or both agents";
    on_first += first;
    on_second += by_second;
  }
  // Both servers handed out work (the second agent leases only through the second server).
  EXPECT_GT(on_first, 0);
  EXPECT_GT(on_second, 0);
  for (const auto& [name, job] : RunJobs(number)) {
    EXPECT_EQ(job.value("attempts", 0), 1) << name;
  }
}

}  // namespace
}  // namespace slipway::e2e
