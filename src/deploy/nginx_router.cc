// NginxRouter: the Router that rewrites an nginx upstream file and reloads nginx (deploy.h,
// MakeNginxRouter).
//
// The file it writes, and reads back in Observe:
//   # Written by slipway: every routing change replaces this file.
//   # slipway-revisions: r1 r2
//   upstream shop {
//       server 127.0.0.1:8001 weight=256;  # slipway-revision=r1
//       server 127.0.0.1:9001 weight=28;  # slipway-revision=r2
//   }
// An empty table still needs a server (nginx refuses an empty upstream): a `down` placeholder
// marked `# slipway-placeholder`.
#include <charconv>
#include <mutex>
#include <sstream>
#include <system_error>

#include "deploy/deploy.h"
#include "deploy/shell_command.h"
#include "deploy/traffic_weights.h"
#include "util/fs.h"
#include "util/subprocess.h"

extern char** environ;

namespace slipway::deploy {
namespace {

constexpr char kRevisionsTag[] = "# slipway-revisions:";
constexpr char kRevisionTag[] = "# slipway-revision=";
constexpr char kPlaceholderTag[] = "# slipway-placeholder";
constexpr size_t kOutputTail = 2000;

// nginx wants IPv6 addresses in brackets.
std::string ServerAddress(const Endpoint& endpoint) {
  const bool v6 = endpoint.host.find(':') != std::string::npos && endpoint.host.front() != '[';
  return (v6 ? "[" + endpoint.host + "]" : endpoint.host) + ":" + std::to_string(endpoint.port);
}

std::string RenderUpstream(const std::string& name, const std::vector<Backend>& backends) {
  std::vector<double> shares;
  for (const Backend& backend : backends) {
    for (size_t i = 0; i < backend.endpoints.size(); ++i) {
      shares.push_back(static_cast<double>(backend.weight) /
                       static_cast<double>(backend.endpoints.size()));
    }
  }
  const std::vector<int> weights = ServerWeights(shares);
  std::string text = "# Written by slipway: every routing change replaces this file.\n";
  text += kRevisionsTag;
  for (const Backend& backend : backends) text += " " + backend.revision;
  text += "\nupstream " + name + " {\n";
  size_t next = 0;
  for (const Backend& backend : backends) {
    for (const Endpoint& endpoint : backend.endpoints) {
      const int weight = weights[next++];
      text += "    server " + ServerAddress(endpoint) +
              (weight > 0 ? " weight=" + std::to_string(weight) : std::string(" down")) + ";  " +
              kRevisionTag + backend.revision + "\n";
    }
  }
  if (shares.empty())
    text += "    server 127.0.0.1:1 down;  " + std::string(kPlaceholderTag) + "\n";
  return text + "}\n";
}

Result<std::vector<Backend>> ParseUpstream(const std::string& text, const std::string& file) {
  std::vector<Backend> backends;
  std::vector<double> amounts;
  const auto index_of = [&](const std::string& revision) {
    for (size_t i = 0; i < backends.size(); ++i) {
      if (backends[i].revision == revision) return i;
    }
    backends.push_back({revision, {}, 0});
    amounts.push_back(0);
    return backends.size() - 1;
  };
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    line.erase(0, start);
    if (line.starts_with(kRevisionsTag)) {
      std::istringstream names(line.substr(sizeof(kRevisionsTag) - 1));
      for (std::string name; names >> name;) index_of(name);
      continue;
    }
    if (!line.starts_with("server ") || line.find(kPlaceholderTag) != std::string::npos) continue;
    std::string revision;
    if (const size_t tag = line.find(kRevisionTag); tag != std::string::npos) {
      revision = line.substr(tag + sizeof(kRevisionTag) - 1);
      line.erase(tag);
    }
    if (const size_t comment = line.find('#'); comment != std::string::npos) line.erase(comment);
    const size_t semicolon = line.find(';');
    std::istringstream words(line.substr(0, semicolon));
    std::string keyword, address, parameter;
    words >> keyword >> address;
    if (address.size() > 2 && address.front() == '[') {  // [v6]:port
      const size_t close = address.find(']');
      if (close != std::string::npos)
        address = address.substr(1, close - 1) + address.substr(close + 1);
    }
    Result<Endpoint> endpoint = ParseEndpoint(address);
    if (!endpoint.ok()) {
      return InvalidArgument(file + ": cannot read the server line '" + line +
                             "': " + endpoint.status().message());
    }
    int weight = 1;  // nginx's default
    bool down = false;
    while (words >> parameter) {
      if (parameter == "down" || parameter == "backup") down = true;
      if (parameter.starts_with("weight=")) {
        const std::string_view digits = std::string_view(parameter).substr(7);
        const auto [end, failed] =
            std::from_chars(digits.data(), digits.data() + digits.size(), weight);
        if (failed != std::errc() || end != digits.data() + digits.size() || weight < 1) {
          return InvalidArgument(file + ": bad weight in the server line '" + line + "'");
        }
      }
    }
    const size_t i = index_of(revision);
    backends[i].endpoints.push_back(*endpoint);
    amounts[i] += down ? 0 : weight;
  }
  const std::vector<int> percents = Percentages(amounts);
  for (size_t i = 0; i < backends.size(); ++i) backends[i].weight = percents[i];
  return backends;
}

class NginxRouter final : public Router {
 public:
  explicit NginxRouter(NginxRouterOptions options) : options_(std::move(options)) {}

  Status Apply(const std::vector<Backend>& backends) override {
    SLIPWAY_RETURN_IF_ERROR(CheckWeights(backends));
    std::lock_guard lock(mutex_);
    const std::filesystem::path& file = options_.upstream_file;
    std::error_code error;
    Result<std::string> previous = std::filesystem::exists(file, error)
                                       ? ReadFile(file, 16 << 20)
                                       : Result<std::string>(NotFound(file.string()));
    SLIPWAY_RETURN_IF_ERROR(WriteFileAtomic(file, RenderUpstream(options_.upstream, backends)));
    if (Status tested = Run("test", options_.test_command); !tested.ok()) {
      // nginx would refuse the file at its next reload: the previous one goes back.
      if (previous.ok()) {
        (void)WriteFileAtomic(file, *previous);
      } else {
        std::filesystem::remove(file, error);
      }
      return tested;
    }
    return Run("reload", options_.reload_command);
  }

  Result<std::vector<Backend>> Observe() override {
    std::lock_guard lock(mutex_);
    Result<std::string> text = ReadFile(options_.upstream_file, 16 << 20);
    if (!text.ok()) return Unavailable("nginx upstream file: " + text.status().message());
    return ParseUpstream(*text, options_.upstream_file.string());
  }

 private:
  Status Run(const std::string& what, const std::string& command) {
    if (command.empty()) return Status::Ok();
    ProcessSpec spec;
    spec.argv = {"/bin/sh", "-c", command};
    for (char** entry = environ; entry && *entry; ++entry) spec.env.emplace_back(*entry);
    spec.timeout = options_.timeout;
    spec.kill_grace = std::chrono::milliseconds(2000);
    const auto [outcome, output] = RunCommandKeepingTail(spec, kOutputTail);
    if (outcome.kind == ProcessOutcome::Kind::kExited && outcome.exit_code == 0) {
      return Status::Ok();
    }
    std::string how = outcome.kind == ProcessOutcome::Kind::kExited
                          ? "exited with status " + std::to_string(outcome.exit_code)
                      : outcome.kind == ProcessOutcome::Kind::kTimedOut ? "timed out"
                      : outcome.kind == ProcessOutcome::Kind::kSignaled
                          ? "was killed by signal " + std::to_string(outcome.signal)
                          : "could not run: " + outcome.error;
    return Unavailable("nginx " + what + " command `" + command + "` " + how +
                       (output.empty() ? "" : ":\n" + output));
  }

  const NginxRouterOptions options_;
  std::mutex mutex_;
};

}  // namespace

Result<std::unique_ptr<Router>> MakeNginxRouter(NginxRouterOptions options) {
  if (options.upstream_file.empty() || options.upstream.empty()) {
    return InvalidArgument("nginx router: upstream_file and upstream are required");
  }
  return std::unique_ptr<Router>(std::make_unique<NginxRouter>(std::move(options)));
}

}  // namespace slipway::deploy
