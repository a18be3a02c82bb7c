#include "deploy/environment_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cctype>

namespace slipway::deploy {

std::string PathComponent(std::string_view name) {
  std::string out;
  for (char c : name) {
    const bool safe =
        std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    out += safe ? c : '_';
  }
  if (out.empty() || out == "." || out == "..") out = "_" + out;
  return out;
}

std::filesystem::path EnvironmentDir(const std::filesystem::path& state_dir,
                                     const std::string& project, const std::string& environment) {
  return state_dir / PathComponent(project) / PathComponent(environment);
}

EnvironmentLock::EnvironmentLock(const std::filesystem::path& dir, const char* name) {
  fd_ = ::open((dir / name).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) return;
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

EnvironmentLock::~EnvironmentLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace slipway::deploy
