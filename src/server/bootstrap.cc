// The first start: an admin token, written where only the server's user can read it.
#include <fcntl.h>
#include <unistd.h>

#include "server/server_impl.h"
#include "util/token.h"

namespace slipway::server {

Status Server::Impl::Bootstrap() {
  SLIPWAY_ASSIGN_OR_RETURN(std::vector<store::Token> tokens, store_->ListTokens());
  if (!tokens.empty()) return Status::Ok();
  const std::string secret = NewTokenSecret();
  const std::string path = initial_token_path().string();
  // Written before the token exists in the database: a crash in between leaves a file with a
  // useless token and the next start tries again, never a token nobody can read.
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus("cannot write " + path, errno);
  const std::string line = secret + "\n";
  const bool written =
      write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && fsync(fd) == 0;
  close(fd);
  if (!written) return ErrnoStatus("cannot write " + path, errno);

  store::Token token;
  token.name = "initial-admin";
  token.kind = store::TokenKind::kUser;
  token.role = store::Role::kAdmin;
  token.hash = TokenHash(secret);
  token.created = std::chrono::system_clock::now();
  SLIPWAY_RETURN_IF_ERROR(store_->CreateToken(token).status());
  store::AuditRecord record;
  record.time = token.created;
  record.actor = "system";
  record.action = "token.create";
  record.target = "token/initial-admin";
  record.details_json = R"({"role":"admin","reason":"first start"})";
  SLIPWAY_RETURN_IF_ERROR(store_->AppendAudit(record).status());
  Log("initial admin token written to " + path + " (mode 0600); use it with: slipway login " +
      "--server URL --token-file " + path);
  return Status::Ok();
}

}  // namespace slipway::server
