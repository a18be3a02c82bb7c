// `slipway project add|list|show|remove`.
#include <cstdio>
#include <filesystem>

#include "cli/client.h"

namespace slipway::cli {
namespace {

constexpr const char* kProviders[] = {"github", "gitlab", "gitea"};

// A repository given as a local path that exists here is sent as an absolute path, so
// `--repo .` means this directory to a server on the same machine. URLs (scheme://, scp-like
// user@host:path) go as typed.
std::string RepoArgument(const std::string& repo) {
  if (repo.find("://") != std::string::npos) return repo;
  const size_t colon = repo.find(':');
  if (colon != std::string::npos && repo.find('/') > colon) return repo;  // host:path
  std::error_code ec;
  if (!std::filesystem::exists(repo, ec)) return repo;
  auto absolute = std::filesystem::absolute(repo, ec);
  return ec ? repo : absolute.lexically_normal().string();
}

void PrintWebhooks(const std::string& server, const std::string& project) {
  std::printf("webhook URLs:\n");
  for (const char* provider : kProviders) {
    std::printf("  %-7s %s/hooks/%s/%s\n", provider, server.c_str(), provider,
                PathSegment(project).c_str());
  }
}

std::string Poll(const Json& project) {
  const std::string seconds = Field(project, "poll_interval_seconds");
  return seconds.empty() || seconds == "0" ? "off" : seconds + "s";
}

int Add(const std::vector<std::string>& args) {
  ClientFlags flags;
  std::string repo, branch, pipeline_file, webhook_secret;
  int poll_interval = -1;
  FlagSet set("slipway project add", "NAME --repo URL|PATH [flags]",
              "Adds a project: a git repository the server builds. Prints the webhook URLs and,\n"
              "unless --webhook-secret is given, the generated webhook secret (shown once).");
  AddClientFlags(set, &flags);
  set.String("repo", 0, &repo, "URL|PATH", "git URL, or a path on the server's machine");
  set.String("branch", 0, &branch, "B", "default branch (default main)");
  set.String("pipeline-file", 0, &pipeline_file, "F", "pipeline file (default .slipway.yml)");
  set.Int("poll-interval", 0, &poll_interval, "SECONDS", "poll the repository (default: no)");
  set.String("webhook-secret", 0, &webhook_secret, "S", "webhook secret (default: generated)");
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 1, 1)) return *exit;
  if (repo.empty()) return UsageError(InvalidArgument("slipway project add needs --repo URL|PATH"));
  Json body = {{"name", positionals[0]}, {"repo", RepoArgument(repo)}};
  if (!branch.empty()) body["branch"] = branch;
  if (!pipeline_file.empty()) body["pipeline_file"] = pipeline_file;
  if (poll_interval >= 0) body["poll_interval_seconds"] = poll_interval;
  if (!webhook_secret.empty()) body["webhook_secret"] = webhook_secret;

  auto api = Api::Connect(flags);
  if (!api.ok()) return Fail(api.status());
  auto project = (*api)->Post("/api/v1/projects", body);
  if (!project.ok()) return Fail(project.status());
  if (flags.json) {
    PrintJson(*project);
    return 0;
  }
  const std::string name = Field(*project, "name");
  std::printf("added project %s (repo %s, branch %s, pipeline %s, polling %s)\n", name.c_str(),
              Field(*project, "repo").c_str(), Field(*project, "branch").c_str(),
              Field(*project, "pipeline_file").c_str(), Poll(*project).c_str());
  if (const std::string secret = Field(*project, "webhook_secret"); !secret.empty()) {
    std::printf("webhook secret (shown this once, it will not be shown again): %s\n",
                secret.c_str());
  }
  PrintWebhooks((*api)->server(), name);
  return 0;
}

int List(const std::vector<std::string>& args) {
  ClientFlags flags;
  FlagSet set("slipway project list", "[flags]", "Lists the projects this token can see.");
  AddClientFlags(set, &flags);
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 0, 0)) return *exit;
  auto api = Api::Connect(flags);
  if (!api.ok()) return Fail(api.status());
  auto answer = (*api)->Get("/api/v1/projects");
  if (!answer.ok()) return Fail(answer.status());
  if (flags.json) {
    PrintJson(*answer);
    return 0;
  }
  Table table({"NAME", "REPO", "BRANCH", "PIPELINE", "POLL", "CREATED"});
  for (const Json& project : answer->value("projects", Json::array())) {
    table.Add({Field(project, "name"), Field(project, "repo"), Field(project, "branch"),
               Field(project, "pipeline_file"), Poll(project),
               Ago(project.value("created", Json()))});
  }
  if (table.size() == 0) {
    std::printf("no projects yet; add one with 'slipway project add NAME --repo URL'\n");
  } else {
    table.Print();
  }
  return 0;
}

int Show(const std::vector<std::string>& args) {
  ClientFlags flags;
  FlagSet set("slipway project show", "NAME [flags]", "Shows a project and its webhook URLs.");
  AddClientFlags(set, &flags);
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 1, 1)) return *exit;
  auto api = Api::Connect(flags);
  if (!api.ok()) return Fail(api.status());
  auto project = (*api)->Get("/api/v1/projects/" + PathSegment(positionals[0]));
  if (!project.ok()) return Fail(project.status());
  if (flags.json) {
    PrintJson(*project);
    return 0;
  }
  Table table({"project", Field(*project, "name")});
  table.Add({"repo", Field(*project, "repo")});
  table.Add({"branch", Field(*project, "branch")});
  table.Add({"pipeline", Field(*project, "pipeline_file")});
  table.Add({"polling", Poll(*project)});
  table.Add({"created",
             Field(*project, "created") + " (" + Ago(project->value("created", Json())) + ")"});
  table.Print();
  PrintWebhooks((*api)->server(), Field(*project, "name"));
  return 0;
}

int Remove(const std::vector<std::string>& args) {
  ClientFlags flags;
  FlagSet set("slipway project remove", "NAME [flags]",
              "Removes a project with its runs and logs.");
  AddClientFlags(set, &flags);
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 1, 1)) return *exit;
  auto api = Api::Connect(flags);
  if (!api.ok()) return Fail(api.status());
  auto removed = (*api)->Delete("/api/v1/projects/" + PathSegment(positionals[0]));
  if (!removed.ok()) return Fail(removed.status());
  if (flags.json) {
    PrintJson(Json{{"removed", positionals[0]}});
  } else {
    std::printf("removed project %s\n", positionals[0].c_str());
  }
  return 0;
}

}  // namespace

int ProjectCommand(const std::vector<std::string>& args) {
  return DispatchSubcommand("project",
                            {{"add", "add a project (a git repository to build)", Add},
                             {"list", "list projects", List},
                             {"show", "show a project and its webhook URLs", Show},
                             {"remove", "remove a project", Remove}},
                            args);
}

}  // namespace slipway::cli
