// Triggers: the pure pieces that turn the outside world into "start a run" — webhook
// deliveries from GitHub, GitLab and Gitea, cron schedules, and git polling — and the decision
// whether a pipeline's `on.push` filters let a push start it.
//
// Contract: nothing here throws; errors come back as Status with a message a user can act on,
// which never contains a webhook secret or the credentials of a repository URL. Nothing here
// stores state of its own: the caller keeps known refs, delivery ids and mirrors' locations.
// Thread-safety: every function may run on many threads at once, except that calls touching
// the same mirror (PollOptions::data_dir + URL) must be serialised by the caller.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spec/spec.h"
#include "util/status.h"
#include "util/time_zone.h"

namespace slipway::triggers {

// ---------------------------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------------------------

enum class Provider { kGitHub, kGitLab, kGitea };

// "github", "gitlab", "gitea" (the path segment of POST /hooks/{provider}/{project}).
std::string_view ProviderName(Provider provider);
std::optional<Provider> ParseProvider(std::string_view name);

// Returns the value of the request header `name`, or nullopt when the request has none. Header
// names are case-insensitive (RFC 9110), so the lookup must be too; HeadersFromMap builds one.
using HeaderLookup = std::function<std::optional<std::string>(std::string_view name)>;

// A case-insensitive lookup over a copy of `headers`.
HeaderLookup HeadersFromMap(const std::map<std::string, std::string>& headers);

// Bodies larger than this are refused with kResourceExhausted (the HTTP layer should refuse
// them earlier, with 413, without reading them).
inline constexpr size_t kMaxWebhookBodyBytes = size_t{5} << 20;

// One commit of a push, as the provider listed it.
struct PushCommit {
  std::string id;       // full hex sha
  std::string message;  // full message as sent ("" when absent)
  friend bool operator==(const PushCommit&, const PushCommit&) = default;
};

// A push of one ref, from a webhook (or built by a poller from a RefUpdate).
struct PushEvent {
  Provider provider = Provider::kGitHub;
  std::string delivery_id;          // the provider's delivery id; "" when it sent none
  std::string ref;                  // full ref name: "refs/heads/main", "refs/tags/v1.0"
  std::string before;               // hex sha before the push; all zeros when the ref was created
  std::string after;                // hex sha after the push; all zeros when the ref was deleted
  std::string repository;           // "owner/name" as the provider names it
  std::string clone_url;            // HTTP(S) clone URL
  std::string pusher;               // login of who pushed ("" when the provider did not say)
  std::vector<PushCommit> commits;  // as the provider listed them (oldest first)
  // Paths added, modified or removed by the listed commits: sorted, unique, '/'-separated.
  std::vector<std::string> changed_files;
  // False when `changed_files` may miss paths: the provider truncated the commit list (GitLab
  // lists 20 commits, GitHub 2048), a commit came without its file lists, or the push was
  // forced. Path filters then need ChangedFiles(mirror, before, after) or treat the change set
  // as unknown.
  bool changed_files_complete = true;
  bool forced = false;  // the provider said the push rewrote history (GitHub only)

  bool IsTag() const;     // ref starts with refs/tags/
  bool IsBranch() const;  // ref starts with refs/heads/
  bool Created() const;   // `before` is all zeros
  bool Deleted() const;   // `after` is all zeros
  // "main" for refs/heads/main, "v1.0" for refs/tags/v1.0, the ref itself otherwise.
  std::string_view ShortRef() const;
  friend bool operator==(const PushEvent&, const PushEvent&) = default;
};

// What an authentic delivery asks for.
enum class WebhookKind {
  kPush,          // a push of a branch or tag: `push` is set; may start runs
  kDeletedRef,    // a push that deleted its ref: `push` is set; never starts a run
  kPing,          // GitHub's hello when a hook is created: nothing to do
  kIgnoredEvent,  // another event (issues, merge requests, ...): nothing to do
};

struct WebhookDelivery {
  WebhookKind kind = WebhookKind::kIgnoredEvent;
  std::string delivery_id;        // see PushEvent::delivery_id; set for every kind when sent
  std::string event;              // the event header as sent: "push", "Push Hook", "ping", "issues"
  std::optional<PushEvent> push;  // set for kPush and kDeletedRef
  bool StartsRun() const { return kind == WebhookKind::kPush; }
};

// Authenticates and parses one webhook delivery: `body` is the raw request body, exactly as
// received (signatures cover its bytes), `secret` the project's webhook secret.
//
// Order and errors:
//  1. a body over kMaxWebhookBodyBytes → kResourceExhausted;
//  2. authenticity, before anything in the body is looked at → kPermissionDenied when the
//     project has no secret, or the signature/token header is missing, malformed, uses another
//     algorithm, or does not match (the message names the header, never the secret):
//       GitHub  X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>
//       GitLab  X-Gitlab-Token: <the secret itself>
//       Gitea   X-Gitea-Signature: <hex HMAC-SHA256 of the body>
//     All comparisons take time independent of where the values differ.
//  3. the event header (X-GitHub-Event, X-Gitlab-Event, X-Gitea-Event): missing →
//     kInvalidArgument; a ping → kPing; anything but a push (GitHub/Gitea "push", GitLab
//     "Push Hook"/"Tag Push Hook") → kIgnoredEvent, without parsing the body;
//  4. the push payload → kInvalidArgument naming the field and what is wrong with it
//     ("field 'ref' is missing", "field 'commits[2].added' must be a list of strings").
// Delivery id: X-GitHub-Delivery; GitLab's Idempotency-Key (same on retries, GitLab ≥ 17.4),
// else X-Gitlab-Event-UUID; X-Gitea-Delivery.
Result<WebhookDelivery> ParseWebhook(Provider provider, const HeaderLookup& headers,
                                     std::string_view body, std::string_view secret);

// The authentication header a provider would send with `body` under `secret` — for tests,
// and for tools that replay or fake deliveries.
struct SignatureHeader {
  std::string name;
  std::string value;
};
SignatureHeader SignWebhook(Provider provider, std::string_view secret, std::string_view body);

// ---------------------------------------------------------------------------------------------
// Trigger decisions
// ---------------------------------------------------------------------------------------------

// Whether `event` starts `pipeline`: the pipeline has `on.push`, the event did not delete its
// ref, and the push passes the branch/tag/path filters (spec::PushTrigger::Matches). When
// `event.changed_files_complete` is false the change set counts as unknown, so path filters
// pass; callers that can should fill in `changed_files` from ChangedFiles first.
bool ShouldStart(const spec::Pipeline& pipeline, const PushEvent& event);

// ---------------------------------------------------------------------------------------------
// Cron schedules
// ---------------------------------------------------------------------------------------------

// Time zones live in util (CEL timestamps use them too); the name stays for callers here.
using TimeZone = ::slipway::TimeZone;

// A parsed five-field cron expression (minute hour day-of-month month day-of-week), with the
// grammar spec::CronError accepts: `*`, `N`, `A-B`, `*/S`, `A-B/S`, `N/S` (= N-max/S), lists,
// month and weekday names, 7 = Sunday, and @hourly/@daily/@weekly/@monthly/@yearly.
//
// Semantics are Vixie cron's: a minute fires when minute, hour and month match and the day
// matches; when both day-of-month and day-of-week are restricted (neither field starts with
// `*`), the day matches if EITHER matches ("0 0 13 * 5" fires on every 13th and every Friday),
// otherwise both must.
class CronSchedule {
 public:
  // kInvalidArgument with spec::CronError's explanation.
  static Result<CronSchedule> Parse(std::string_view expression);

  // The first whole minute strictly after `after` at which the schedule fires, with fields read
  // as wall-clock time in `zone`; nullopt when it never fires ("0 0 30 2 *"). Around DST
  // changes: a wall-clock time the clocks skip fires once at the end of the gap (the instant of
  // the change); a wall-clock time that happens twice fires at its first occurrence only.
  // Fast: it skips whole months, days and hours that cannot match, never scanning minutes.
  std::optional<std::chrono::sys_seconds> NextAfter(std::chrono::sys_seconds after,
                                                    const TimeZone& zone = TimeZone::Utc()) const;

  const std::string& expression() const { return expression_; }

  struct Fields;  // implementation detail

 private:
  CronSchedule(std::string expression, std::shared_ptr<const Fields> fields);
  std::string expression_;
  std::shared_ptr<const Fields> fields_;
};

// ---------------------------------------------------------------------------------------------
// Git polling and mirrors
// ---------------------------------------------------------------------------------------------

struct PollOptions {
  // Where bare mirrors live: <data_dir>/mirrors/<hash of the URL without credentials>.git.
  // Needed by UpdateMirror, MirrorPath; PollRepository does not touch the disk.
  std::filesystem::path data_dir;
  // Deadline for one network operation (connect + list, or a fetch). libgit2 1.5 has no socket
  // timeouts: the deadline is checked whenever libgit2 reports progress, so a server that stops
  // answering mid-transfer is cut off, but a TCP connect to a host that never answers is
  // bounded by the operating system's connect timeout (about two minutes on Linux).
  std::chrono::milliseconds timeout = std::chrono::seconds(60);
};

// A ref whose commit changed between two polls.
struct RefUpdate {
  std::string ref;      // "refs/heads/main", "refs/tags/v1"
  std::string old_sha;  // "" when the ref is new
  std::string new_sha;  // "" when the ref is gone; the commit (annotated tags peeled)
  bool Created() const { return old_sha.empty(); }
  bool Deleted() const { return new_sha.empty(); }
  friend bool operator==(const RefUpdate&, const RefUpdate&) = default;
};

struct PollResult {
  std::vector<RefUpdate> updates;  // sorted by ref
  // The refs now on the remote, to pass as `known_refs_json` next time:
  // {"refs/heads/main": "<sha>", "refs/tags/v1": "<sha>"} (branches and tags only).
  std::string refs_json;
};

// Lists the branches and tags of `repo_url_or_path` (a local path, file://, https://, ssh://;
// credentials may be in the URL) without cloning, and compares them with `known_refs_json`
// (a previous PollResult::refs_json; "" on the first poll, when every ref counts as created).
// A force-push shows as an update like any other. Errors: kInvalidArgument for unreadable
// known_refs_json; kUnavailable naming the URL without credentials when the repository cannot
// be reached or read; kDeadlineExceeded after options.timeout.
Result<PollResult> PollRepository(const std::string& repo_url_or_path,
                                  const std::string& known_refs_json, const PollOptions& options);

// Where the mirror of `repo_url_or_path` lives under options.data_dir (it may not exist yet).
std::filesystem::path MirrorPath(const std::string& repo_url_or_path, const PollOptions& options);

// Creates the bare mirror on first use and fetches `refs` into it (full ref names, e.g.
// "refs/heads/main"; empty: every branch and tag), force-updating them like `git fetch
// +ref:ref`. Returns the mirror's path. Old objects stay, so a commit fetched once can still
// be read after a force-push. Errors as PollRepository, plus kUnavailable for a mirror that
// cannot be created or written.
Result<std::filesystem::path> UpdateMirror(const std::string& repo_url_or_path,
                                           const std::vector<std::string>& refs,
                                           const PollOptions& options);

// Paths that differ between the trees of two commits of `mirror`: added, modified, deleted
// (both sides of a rename), and type changes — sorted, unique, '/'-separated. `from` may be ""
// or all zeros (a new ref): then every file of `to` counts. Commits may be given as hex shas
// or any revision libgit2 understands ("refs/heads/main"). kNotFound names a commit that is
// not in the mirror (fetch it first).
Result<std::vector<std::string>> ChangedFiles(const std::filesystem::path& mirror,
                                              std::string_view from, std::string_view to);

// The contents of the file `path` (relative, '/'-separated) at `commit` in `mirror` — e.g. the
// pipeline file as it was at the pushed commit. kNotFound when the commit or the file does not
// exist; kInvalidArgument when `path` names a directory or a submodule; kResourceExhausted
// when the file is larger than `max_bytes`.
Result<std::string> ReadFileAtCommit(const std::filesystem::path& mirror, std::string_view commit,
                                     std::string_view path, size_t max_bytes = size_t{1} << 20);

// Initialises libgit2 for this process on the first call; later calls do nothing. Safe from any
// thread. libgit2 is never shut down: a shutdown racing another thread's use corrupts its
// per-thread state, and init/shutdown per operation cost milliseconds per job.
void InitGitLibrary();

// `url` with any user name and password removed ("https://user:pw@host/r" →
// "https://host/r"); scp-like addresses ("git@host:r") and paths are returned unchanged. Use it
// whenever a repository URL goes into a message or a log.
std::string RedactUrl(std::string_view url);

}  // namespace slipway::triggers
