// A private PostgreSQL server for tests (store_test, e2e_test), started from the test binary
// itself.
//
// The first start on a machine runs initdb once into a cached template cluster under $TMPDIR
// (keyed by major version and user); every server after that copies the template, which
// takes a fraction of initdb's seconds. The copy lives in its own temp dir (in /dev/shm when
// there is one) and runs on a random free port with its unix socket in that dir, fsync off and
// trust authentication; the destructor stops and removes it.
//
// initdb refuses to run as root: as root, every PostgreSQL command runs as the `postgres`
// system user (or `nobody`) through setpriv, with the temp dir chowned to it.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

#include "util/status.h"

namespace slipway::store::testing {

class PostgresServer {
 public:
  static Result<std::unique_ptr<PostgresServer>> Start();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // A database no test used before, empty; returns its postgresql:// URL.
  Result<std::string> CreateDatabase();
  std::string Url(const std::string& database) const;
  // Runs SQL on the "postgres" database, outside a transaction.
  Status AdminExec(const std::string& sql);

  // Kills the server the way a crash would (pg_ctl stop -m immediate) / starts it again on the
  // same port with the same data.
  Status Kill();
  Status Restart();

 private:
  PostgresServer() = default;
  Status StartServer();

  std::filesystem::path bin_dir_;
  std::filesystem::path dir_;  // socket, data/ and the log
  std::string run_as_;         // "" when not root
  int port_ = 0;
  int next_database_ = 0;
  bool running_ = false;
  pid_t watchdog_ = -1;  // stops the server if this process dies without the destructor
};

// The one server of a test binary: started on first use, stopped when the tests end.
class PostgresEnvironment : public ::testing::Environment {
 public:
  // The server, or null with why in error() (the PostgreSQL tests then fail, never skip).
  static PostgresServer* Server();
  static const std::string& error();
  void TearDown() override;
};

}  // namespace slipway::store::testing
