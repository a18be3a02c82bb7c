// Shared plumbing of the client commands (`slipway login`, `project`, `runs`, `logs`, `token`,
// `agents`, `audit`, `whoami`): where the server and token come from, authenticated API calls
// whose failures carry a message naming what went wrong and the exit status it deserves, and
// the tables and times people read. Private to cli/.
//
// Secrets: the token travels only in the Authorization header and the credentials file (mode
// 0600); no message built here ever contains it.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "cli/flags.h"
#include "http/http.h"
#include "util/status.h"

namespace slipway::cli {

using Json = nlohmann::json;

// Flags every client command takes.
struct ClientFlags {
  std::string server;  // --server URL; else $SLIPWAY_SERVER; else the saved login's
  std::string token;   // --token T; else $SLIPWAY_TOKEN; else the saved login's (same server only)
  bool json = false;   // --json: print the API's JSON instead of tables
};
void AddClientFlags(FlagSet& set, ClientFlags* flags);

// What `slipway login` saves.
struct Credentials {
  std::string server;  // normalized base URL, no trailing '/'
  std::string token;
};

// $SLIPWAY_CONFIG_DIR, else $XDG_CONFIG_HOME/slipway, else $HOME/.config/slipway.
std::filesystem::path ConfigDir();
std::filesystem::path CredentialsPath();  // ConfigDir()/credentials.json
// The saved login, nullopt when there is none. A file that does not parse is an error naming it.
Result<std::optional<Credentials>> LoadCredentials();
// Replaces the saved login atomically; the file is 0600 and its directory created 0700.
Status SaveCredentials(const Credentials& credentials);

// The environment variable `name`, "" when unset.
std::string EnvValue(const char* name);

// "http://host:8080/" → "http://host:8080"; kInvalidArgument unless it starts with http(s)://.
Result<std::string> NormalizeServerUrl(std::string_view url);

// One server's API with one token. Every error names what failed: the server's message and
// HTTP status ("project 'x' does not exist (HTTP 404)"), or the server it could not reach.
// Codes: as the server's error code says (kInvalidArgument for 400s, kNotFound, …);
// kUnavailable when the server cannot be reached or answered 5xx.
class Api {
 public:
  // Resolves the server and token from the flags, the environment and the saved login.
  // kInvalidArgument (a usage error) when no server or no token is known.
  static Result<std::unique_ptr<Api>> Connect(const ClientFlags& flags);
  static Result<std::unique_ptr<Api>> Connect(const std::string& server, const std::string& token);

  // The parsed JSON answer of a 2xx response (null for 204 or an empty body).
  Result<Json> Call(std::string_view method, std::string_view path, const Json& body = nullptr);
  Result<Json> Get(std::string_view path) { return Call("GET", path); }
  Result<Json> Post(std::string_view path, const Json& body) { return Call("POST", path, body); }
  Result<Json> Delete(std::string_view path) { return Call("DELETE", path); }
  // A 2xx response as it came (plain text bodies: logs); errors as for Call.
  Result<http::ClientResponse> Text(std::string_view path);
  // GET `path` with a 2xx body streamed into `sink` (downloads); errors as for Call.
  Result<http::ClientResponse> Download(std::string_view path, const http::BodySink& sink);
  // Server-Sent Events of `path` (see HttpClient::StreamEvents); errors as for Call.
  Status Stream(std::string_view path, const http::SseOptions& options,
                const std::function<bool(const http::SseEvent&)>& on_event);

  const std::string& server() const { return server_; }
  // Whether a refused token (HTTP 401) suggests logging in again; `slipway login` says not.
  void set_login_hint(bool hint) { login_hint_ = hint; }

 private:
  Api(std::string server, std::unique_ptr<http::HttpClient> client)
      : server_(std::move(server)), client_(std::move(client)) {}
  Status ErrorOf(const http::ClientResponse& response) const;
  Status Unreachable(const Status& transport) const;

  std::string server_;
  std::unique_ptr<http::HttpClient> client_;
  bool login_hint_ = true;
};

// The error of an API call as a message on stderr ("slipway: …") and an exit status:
// kExitUsage for kInvalidArgument, kExitFatal for kUnavailable/kDeadlineExceeded/kInternal
// (slipway could not do its work), kExitFailure otherwise (the thing asked for failed).
int Fail(const Status& status);

// `value` percent-encoded for one path segment ("build (linux)" → "build%20%28linux%29").
std::string PathSegment(std::string_view value);

// Prints `doc` indented, for --json.
void PrintJson(const Json& doc);

// A text table: a header row, then rows, columns left-aligned two spaces apart.
class Table {
 public:
  explicit Table(std::vector<std::string> headers) { rows_.push_back(std::move(headers)); }
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string Render() const;
  void Print() const;
  size_t size() const { return rows_.size() - 1; }  // rows besides the header

 private:
  std::vector<std::vector<std::string>> rows_;
};

// A JSON string field, "" when missing or not a string; numbers are written out.
std::string Field(const Json& doc, const char* name);
// An API time ("2026-11-26T13:31:16.123Z") as "12s ago", "3m ago", "5h ago", "2d ago", or the
// date when older than a month; "-" for null.
std::string Ago(const Json& time);
// How long from `start` to `end` (to now while `end` is null): "1.2s", "3m04s"; "-" before
// `start`.
std::string Elapsed(const Json& start, const Json& end);
// Seconds since the epoch of an API time, nullopt when it is not one.
std::optional<double> ParseApiTime(const Json& time);

// "PROJECT/NUMBER[/JOB]" split up; kInvalidArgument naming the expected form.
struct RunRef {
  std::string project;
  int number = 0;
  std::string job;  // "" when not given (or not allowed)
};
Result<RunRef> ParseRunRef(std::string_view text, bool allow_job);
std::string RunPath(const RunRef& ref);  // "/api/v1/projects/P/runs/N"

// Runs one subcommand of a command group ("slipway project add …"): `args[0]` names it.
struct Subcommand {
  const char* name;
  const char* summary;
  int (*handler)(const std::vector<std::string>& args);
};
int DispatchSubcommand(const char* group, const std::vector<Subcommand>& subcommands,
                       const std::vector<std::string>& args);

// Parses `args` into `set`; returns an exit status to return at once (help shown, usage error),
// or nullopt to carry on. Checks that there are between `min` and `max` positionals.
std::optional<int> ParseOrExit(FlagSet& set, const std::vector<std::string>& args,
                               std::vector<std::string>* positionals, size_t min, size_t max);

}  // namespace slipway::cli
