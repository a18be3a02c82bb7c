// Durable state of the server: projects, runs, jobs, attempts and their leases, logs, agents,
// tokens, webhook deliveries, the audit trail, and alerts with the incidents they open.
//
// One interface, two implementations: SQLite (embedded default, WAL) and PostgreSQL (several
// servers against one database). Both pass the same test suite (tests/store/).
//
// Contract:
// - Every method is atomic: it either does all it says or nothing, and returns a Status
//   saying why (kNotFound, kAlreadyExists, kFailedPrecondition for a lost lease, kUnavailable
//   when the database cannot be reached or written — a full disk or a read-only file; reads
//   keep working where the database allows).
// - Thread-safety: a Store is used by many threads at once (HTTP handlers, the dispatcher,
//   embedded agents). Implementations serialise writers as their database requires.
// - Times are wall-clock (system_clock) and stored with millisecond precision.
// - Ids are assigned by the store and never reused.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/status.h"

namespace slipway::store {

using Time = std::chrono::system_clock::time_point;

struct Project {
  int64_t id = 0;
  std::string name;            // unique; [A-Za-z0-9_.-]{1,100}
  std::string repo;            // a git URL or a local path
  std::string default_branch;  // "main" when not given
  std::string pipeline_file = ".slipway.yml";
  int64_t poll_interval_seconds = 60;  // 0 = no polling (webhooks only)
  std::string webhook_secret;          // never returned by the API
  bool is_public = false;              // registry anonymous pull (later)
  // The refs the last poll saw, JSON {"refs/heads/main": "<sha>", ...}; "" until the first
  // poll ("{}" is a poll that saw no refs).
  std::string last_polled_commits;
  Time created;
};

// Lifecycle: queued → running → (success | failure | cancelled). A run whose pipeline file
// fails validation is created directly as failure with `error` holding the diagnostics. A
// finished run never changes again.
enum class RunStatus { kQueued, kRunning, kSuccess, kFailure, kCancelled };

// What Store::RequestCancel did.
enum class CancelOutcome {
  kRequested,         // the run was queued or running: its cancel_requested is now set
  kAlreadyRequested,  // a cancel was requested before: nothing changed
  kFinished,          // the run already finished: nothing changed
};

struct Run {
  int64_t id = 0;
  int64_t project_id = 0;
  int64_t number = 0;  // 1, 2, 3… per project; assigned by CreateRun
  RunStatus status = RunStatus::kQueued;
  std::string trigger;             // "push", "webhook", "schedule", "manual", "poll"
  std::string event;               // what expressions see as `event`: push | schedule | manual
  std::string ref;                 // "refs/heads/main"
  std::string branch;              // "main"
  std::string commit;              // full sha
  std::string inputs_json = "{}";  // typed manual inputs
  std::string pipeline_yaml;       // the pipeline file's text at `commit`
  std::string concurrency_group;   // rendered top-level group; "" = none
  bool cancel_requested = false;   // once set, never cleared (RequestCancel, UpdateRun)
  std::string created_by;          // token name, "webhook:github", "poller", "cron"
  std::string error;               // why the run failed before any job ran
  std::string delivery_id;         // webhook delivery that started it, if any
  Time created;
  std::optional<Time> started, finished;
};

// Lifecycle of a job instance:
//   waiting → queued → running → settling → (queued again for a retry | a final status)
//   waiting → skipped | cancelled (decided by the dispatcher without running)
// `settling` means an attempt ended (or its lease expired) and the dispatcher has not yet
// decided between a retry and a final status.
enum class JobStatus {
  kWaiting,
  kQueued,
  kRunning,
  kSettling,
  kSuccess,
  kFailure,
  kTimedOut,
  kInfra,
  kCancelled,
  kSkipped,
};

bool IsFinal(JobStatus status);

struct Job {
  int64_t id = 0;
  int64_t run_id = 0;
  int index = 0;                    // position in the run, in pipeline order (0-based)
  std::string instance_id;          // "build", "test (linux, 18)"
  std::string job_name;             // "test"
  std::string matrix_json = "{}";   // {"os": "linux"}
  std::string runs_on_json = "[]";  // labels an agent must have
  JobStatus status = JobStatus::kWaiting;
  std::string reason;               // why it did not succeed
  int attempts = 0;                 // attempts started so far
  std::string outputs_json = "{}";  // from the last successful attempt
  bool cancel_requested = false;    // the agent running it is told to stop (fail-fast, cancel)
  Time created;
  std::optional<Time> queued, started, finished;
};

// Lifecycle: running → finished (outcome set) | lost (lease expired: an infra failure).
struct Attempt {
  int64_t id = 0;
  int64_t job_id = 0;
  int64_t run_id = 0;
  int number = 0;  // 1-based per job
  int64_t agent_id = 0;
  std::string lease_token;  // secret shared with the agent holding the lease
  Time lease_expires;
  bool finished = false;
  bool lost = false;    // the lease expired before a result came
  std::string outcome;  // runner::OutcomeName(...) once finished
  int exit_code = -1;
  std::string reason;
  std::string report_json = "{}";  // steps, tests, outputs (masked)
  Time started;
  std::optional<Time> ended;
};

struct Agent {
  int64_t id = 0;
  std::string name;  // unique
  std::vector<std::string> labels;
  int capacity = 1;
  Time registered, last_seen;
};

enum class Role { kViewer, kDeveloper, kReleaser, kAdmin };
const char* RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

// A user token grants `role` on `project_id` (0 = every project). An agent token lets one
// agent lease jobs; a registration token lets an agent register and get its agent token.
enum class TokenKind { kUser, kAgent, kRegistration };

struct Token {
  int64_t id = 0;
  std::string name;
  TokenKind kind = TokenKind::kUser;
  Role role = Role::kViewer;
  int64_t project_id = 0;
  int64_t agent_id = 0;  // for kAgent
  std::string hash;      // sha256 hex of the secret; the secret itself is never stored
  Time created;
  std::optional<Time> expires, last_used;
  bool revoked = false;
};

// One record of the append-only, hash-chained audit trail. hash = sha256(prev_hash ‖ the
// record's canonical fields); the first record's prev_hash is 64 zeros.
struct AuditRecord {
  int64_t seq = 0;  // 1, 2, 3… with no gaps
  Time time;
  std::string actor;   // token name, "system", "webhook:github"
  std::string action;  // "project.add", "run.start", "run.cancel", "token.create", …
  std::string target;  // "project/hello", "run/42"
  std::string details_json = "{}";
  std::string prev_hash;
  std::string hash;
};

// A webhook delivery that starts a run: the provider's id for it, unique per provider.
struct Delivery {
  std::string provider;  // "github", "gitlab", "gitea"
  std::string id;
  Time received;
};

struct RunFilter {
  int64_t project_id = 0;  // 0 = all projects
  std::optional<RunStatus> status;
  int64_t before_id = 0;  // keyset pagination: runs with id < before_id; 0 = newest
  int limit = 50;         // at most 500
};

struct LeaseRequest {
  int64_t agent_id = 0;
  std::vector<std::string> labels;  // the agent's labels; a job's runs_on must be a subset
  // When set, only jobs whose runs_on includes it (the server's deploy agent takes deploy
  // jobs and nothing else).
  std::string required_label;
  std::chrono::milliseconds lease{30000};
  Time now;
};

// What an agent gets when it leases a job.
struct Lease {
  Job job;
  Run run;
  Attempt attempt;  // the new attempt, with its lease token
};

struct AttemptResult {
  std::string outcome;  // runner::OutcomeName(...)
  int exit_code = -1;
  std::string reason;
  std::string report_json = "{}";
  std::string outputs_json = "{}";
  Time ended;
};

// What Store::RegisterAgentWithToken did.
struct AgentRegistration {
  Agent agent;
  Token token;                             // the new agent token, with its id and agent_id
  bool replaced = false;                   // the name was registered before
  std::vector<int64_t> revoked_token_ids;  // the agent's previous agent tokens, now revoked
};

// A contiguous piece of a job attempt's log.
struct LogSlice {
  int64_t offset = 0;  // of the first byte of `data` in the whole log
  std::string data;
  int64_t size = 0;       // the whole log's size now
  bool complete = false;  // the attempt finished: no byte will be added
};

// An alert as received from Alertmanager, correlated with a deploy. Rows are unique by
// (fingerprint, deploy_id): a re-sent alert updates its row instead of adding one.
enum class AlertStatus { kFiring, kResolved };

struct Alert {
  int64_t id = 0;
  std::string fingerprint;  // Alertmanager's, stable for one label set
  AlertStatus status = AlertStatus::kFiring;
  std::string alertname;  // labels.alertname
  std::string severity;   // labels.severity; "" when absent
  std::string labels_json = "{}";
  std::string annotations_json = "{}";
  Time starts_at;
  std::optional<Time> ends_at;  // unset while firing with no planned end
  Time received_at;             // when slipway last received it
  int received_count = 1;       // how many times it was received (re-sends included)
  // The environment it was correlated with; "" when its labels name no known one (then it
  // acts on nothing and opens no incident).
  std::string project, environment;
  int64_t deploy_id = 0;    // the deploy running or last run there (per environment); 0 = none
  int64_t incident_id = 0;  // 0 = none
};

// An incident: what firing alerts of one environment open, and their resolution closes. At
// most one incident per (project, environment) is open at a time.
enum class IncidentStatus { kOpen, kResolved };

struct Incident {
  int64_t id = 0;
  std::string project, environment;
  std::string title;     // the first alert's alertname and summary
  std::string severity;  // the most severe of its alerts' (critical > warning > info > other)
  IncidentStatus status = IncidentStatus::kOpen;
  Time started_at;                  // the first alert's startsAt
  Time detected_at;                 // when slipway received the first alert
  std::optional<Time> resolved_at;  // the latest endsAt of its alerts, once all resolved
  int64_t deploy_id = 0;            // of the first alert
};

// What RecordAlerts did.
struct AlertBatchResult {
  std::vector<Alert> alerts;  // as stored, in the order given (ids and incident ids set)
  int stored = 0;             // new rows
  int deduplicated = 0;       // updates of rows received before
  std::vector<int64_t> incidents_opened, incidents_resolved;
};

struct AlertFilter {
  std::optional<std::string> project;  // nullopt = any ("" = uncorrelated alerts)
  std::optional<std::string> environment;
  int limit = 100;  // newest received first; at most 1000
};

struct IncidentFilter {
  std::optional<std::string> project;
  std::optional<IncidentStatus> status;
  int limit = 100;  // newest first; at most 1000
};

// Counts for /metrics.
struct IncidentCounts {
  std::string project, environment;
  int64_t open = 0, total = 0;
};
struct AlertStats {
  int64_t alerts_received = 0;  // every alert of every accepted payload, re-sends included
  std::vector<IncidentCounts> incidents;  // per environment that ever had one
};

// The spellings the database and the API use.
const char* AlertStatusName(AlertStatus status);  // "firing" | "resolved"
std::optional<AlertStatus> ParseAlertStatus(std::string_view name);
const char* IncidentStatusName(IncidentStatus status);  // "open" | "resolved"
std::optional<IncidentStatus> ParseIncidentStatus(std::string_view name);

// Release gates (docs/policy.md): each gate decision with the digest of its input document,
// approvals of deploys and emergency exemptions. Project and environment are names, and
// deploy_id is the deploy's number within its environment (as deploy records have it). A
// deploy has at most one decision per step.
struct GateDecision {
  int64_t id = 0;
  std::string project, environment;
  int64_t deploy_id = 0;
  std::string run_id;
  std::string step = "deploy";  // "deploy" | "promote": where in the deploy the gate ran
  std::string decision;         // "allow" | "deny" | "exempted"
  std::string input_json, input_digest, result_json;
  int64_t exemption_id = 0;  // 0 = none
  Time decided_at;
};

struct DeployApproval {
  int64_t id = 0;
  std::string project, environment;
  int64_t deploy_id = 0;
  std::string approver, role;  // the token's name and role
  bool approved = true;        // false: rejected
  std::string comment;
  Time at;
};

struct GateExemption {
  int64_t id = 0;
  std::string project, environment;
  std::string requested_by, justification;
  Time created, expires;
  bool needs_second_approval = false;
  std::string approved_by;  // "" until a second person approved it
  std::optional<Time> approved_at;
};

// Environments deployed to (docs/deploy.md, "Where state lives"): the desired state of each
// and one row per deploy. The deploy module owns what the JSON texts hold; the store keeps
// them as they come and indexes what queries need. Project and environment are names.
struct EnvironmentRow {
  std::string project, environment;
  std::string pipeline_file, pipeline_yaml;  // the declaration the environment was deployed from
  int64_t next_revision = 1;                 // the revision number the next deploy takes
  int64_t next_deploy = 1;                   // the deploy number the next deploy takes
  std::string stable_json;                   // the revision serving now; "" = none
  Time updated_at;
};

// One deploy, written when it starts (outcome "running") and again when it ends.
struct DeployRow {
  std::string project, environment;
  int64_t deploy_id = 0;     // within the environment, from 1
  std::string revision;      // "r3"
  std::string digest;        // the artifact's manifest digest; "" for a local path
  std::string outcome;       // "running" | "succeeded" | "failed"
  std::string triggered_by;  // who started the run or asked for the rollback
  Time started, finished;    // finished = started while running
  std::string record_json;   // the whole record as the deploy module serialises it
};

// Counts for /metrics.
struct GateStats {
  std::vector<std::pair<std::string, int64_t>> decisions;  // decision → count, by name
  int64_t exemptions = 0;                                  // exemptions granted
};

class Store {
 public:
  virtual ~Store() = default;

  // Projects.
  virtual Result<Project> CreateProject(const Project& project) = 0;  // kAlreadyExists
  virtual Result<Project> GetProject(std::string_view name) = 0;
  virtual Result<Project> GetProjectById(int64_t id) = 0;
  virtual Result<std::vector<Project>> ListProjects() = 0;
  virtual Status DeleteProject(std::string_view name) = 0;  // with its runs, jobs, logs
  virtual Status SetPolledCommits(int64_t project_id, const std::string& commits_json) = 0;

  // Runs and jobs. CreateRun assigns the run's id and number and the jobs' ids atomically.
  virtual Result<Run> CreateRun(Run run, std::vector<Job> jobs) = 0;
  // CreateRun for a webhook delivery (run.delivery_id becomes delivery.id): the delivery is
  // recorded in the same transaction. kAlreadyExists, creating nothing, when the delivery was
  // recorded before, also when copies of it arrive at once; when the run cannot be stored, the
  // delivery is not recorded either, so the provider's redelivery still starts it.
  virtual Result<Run> CreateDeliveredRun(const Delivery& delivery, Run run,
                                         std::vector<Job> jobs) = 0;
  virtual Result<Run> GetRun(int64_t run_id) = 0;
  virtual Result<Run> GetRunByNumber(int64_t project_id, int64_t number) = 0;
  virtual Result<std::vector<Run>> ListRuns(const RunFilter& filter) = 0;  // newest first
  virtual Result<std::vector<Run>> ListUnfinishedRuns() = 0;  // queued or running, oldest first
  // Writes a run's status, started, finished and error as the dispatcher decided them from a
  // copy it read earlier. Meanwhile a cancel may have been requested (RequestCancel), or, with
  // two servers during a change of leadership, the run may have finished. So the write is
  // conditional on the stored run:
  // - cancel_requested is raised when `run` has it, and never cleared;
  // - a finished run is not written: kFailedPrecondition (it stays as it ended);
  // - a copy that did not see a cancel request does not finish the run: kFailedPrecondition
  //   (the caller reads the run again and finishes it as cancelled).
  // kNotFound for an unknown run.
  virtual Status UpdateRun(const Run& run) = 0;
  // Asks a queued or running run to stop: sets its cancel_requested, unless it already finished
  // or a cancel was requested before (see CancelOutcome). Of concurrent requests, exactly one
  // gets kRequested. kNotFound for an unknown run.
  virtual Result<CancelOutcome> RequestCancel(int64_t run_id) = 0;
  virtual Result<std::vector<Job>> ListJobs(int64_t run_id) = 0;  // by index
  virtual Result<Job> GetJob(int64_t job_id) = 0;
  // Writes status, reason, outputs, cancel_requested and times of jobs of one run, in one
  // transaction.
  virtual Status UpdateJobs(const std::vector<Job>& jobs) = 0;
  // The same, but each job is written only while its stored status is still `expected`: the
  // dispatcher decides from what it read, and an agent may have leased or finished the job
  // since (LeaseJob, FinishAttempt, ExpireLeases change statuses too). Returns how many
  // updates were skipped; the caller re-reads and decides again.
  struct JobUpdate {
    std::optional<JobStatus> expected;  // nullopt: unconditional
    Job job;
  };
  virtual Result<int> UpdateJobsIf(const std::vector<JobUpdate>& updates) = 0;

  // Queue and leases.
  // Takes the oldest queued job (by queued time, then id) whose runs_on labels the agent has,
  // moves it to running, starts attempt number job.attempts + 1 with a fresh lease token.
  // nullopt when nothing fits. Safe when many servers and agents call it at once.
  virtual Result<std::optional<Lease>> LeaseJob(const LeaseRequest& request) = 0;
  // Extends a lease; kFailedPrecondition when the token does not match, the attempt is no
  // longer running, or the lease already expired.
  virtual Status RenewLease(int64_t attempt_id, std::string_view token, Time expires, Time now) = 0;
  // Records the result and moves the job to settling, once; kFailedPrecondition for a late
  // or repeated result (lease lost, token wrong, attempt already finished).
  virtual Status FinishAttempt(int64_t attempt_id, std::string_view token,
                               const AttemptResult& result) = 0;
  // Marks running attempts whose lease expired before `now` as lost and moves their jobs to
  // settling; returns them.
  virtual Result<std::vector<Attempt>> ExpireLeases(Time now) = 0;
  virtual Result<std::vector<Attempt>> ListAttempts(int64_t job_id) = 0;
  virtual Result<Attempt> GetAttempt(int64_t attempt_id) = 0;

  // Logs, per job attempt. Appending is idempotent by offset, so an agent can resend what it
  // is not sure arrived: bytes before the current size are ignored (a chunk that starts past
  // the end is kFailedPrecondition: a gap). Stored compressed.
  virtual Status AppendLog(int64_t attempt_id, int64_t offset, std::string_view data) = 0;
  // Appends the server's own lines at the end of the log, even once it is closed (what the
  // server did after the agent's last line, e.g. publishing).
  virtual Status AppendLogNote(int64_t attempt_id, std::string_view data) = 0;
  virtual Status CloseLog(int64_t attempt_id) = 0;  // no more bytes will come
  virtual Result<LogSlice> ReadLog(int64_t attempt_id, int64_t offset, int64_t max_bytes) = 0;

  // Agents. RegisterAgent is for the server's embedded agents, which have no token: by name,
  // re-registering updates labels and capacity.
  virtual Result<Agent> RegisterAgent(const Agent& agent) = 0;
  // Registers a remote agent with its agent token (`token`: kind kAgent, with a hash; its
  // agent_id is filled in), in one transaction. A name belongs to one agent at a time, so
  // registering an existing name takes it over: the agent keeps its id and first registration
  // time, takes the new labels and capacity, and every agent token issued to it before is
  // revoked. Concurrent registrations of one name leave exactly one unrevoked token.
  // kAlreadyExists for the name of an agent that never had a token (an embedded agent).
  virtual Result<AgentRegistration> RegisterAgentWithToken(const Agent& agent,
                                                           const Token& token) = 0;
  virtual Result<std::vector<Agent>> ListAgents() = 0;
  virtual Status TouchAgent(int64_t agent_id, Time now) = 0;

  // Tokens, looked up by the sha256 hex of their secret.
  virtual Result<Token> CreateToken(const Token& token) = 0;
  virtual Result<Token> FindToken(std::string_view hash) = 0;  // kNotFound
  virtual Result<std::vector<Token>> ListTokens() = 0;
  virtual Status RevokeToken(int64_t token_id) = 0;
  virtual Status TouchToken(int64_t token_id, Time now) = 0;

  // The audit trail. Append computes prev_hash and hash in the same transaction that takes the
  // next seq, so concurrent appends from several servers still form one chain. It stores the
  // details in their canonical form (compact JSON, keys sorted, UTF-8 unescaped), whatever form
  // they came in ("" is {}); the returned record has the text stored and hashed.
  // kInvalidArgument when details_json is not a JSON object.
  virtual Result<AuditRecord> AppendAudit(const AuditRecord& record) = 0;
  virtual Result<std::vector<AuditRecord>> ListAudit(int64_t after_seq, int limit) = 0;

  // Alerts and incidents. RecordAlerts stores a batch (one webhook payload) in one
  // transaction: each alert is inserted, or updates the row with its (fingerprint, deploy_id);
  // a firing correlated alert attaches to its environment's open incident, opening one when
  // there is none (or when its row's incident was resolved); then every incident one of the
  // batch's alerts is attached to whose alerts are all resolved is resolved, at the latest
  // endsAt of its alerts. Alerts given need no id, incident_id or received_count. Concurrent
  // batches (several servers) are serialised, so an environment never has two open incidents.
  virtual Result<AlertBatchResult> RecordAlerts(const std::vector<Alert>& alerts) = 0;
  virtual Result<std::vector<Alert>> ListAlerts(const AlertFilter& filter) = 0;
  virtual Result<std::vector<Incident>> ListIncidents(const IncidentFilter& filter) = 0;
  virtual Result<AlertStats> GetAlertStats() = 0;

  // Release gates. Decisions and approvals are appended, never changed; an exemption changes
  // once, when its second approval is recorded (ApproveExemption: kFailedPrecondition when it
  // already has one, also when two arrive at once; kNotFound for an unknown id).
  virtual Result<GateDecision> RecordGateDecision(const GateDecision& decision) = 0;
  // Of one deploy (deploy_id 0: of every deploy of the environment), newest first.
  virtual Result<std::vector<GateDecision>> ListGateDecisions(const std::string& project,
                                                              const std::string& environment,
                                                              int64_t deploy_id) = 0;
  virtual Result<DeployApproval> AddApproval(const DeployApproval& approval) = 0;
  // Of one deploy, oldest first.
  virtual Result<std::vector<DeployApproval>> ListApprovals(const std::string& project,
                                                            const std::string& environment,
                                                            int64_t deploy_id) = 0;
  virtual Result<GateExemption> CreateExemption(const GateExemption& exemption) = 0;
  virtual Result<GateExemption> GetExemption(int64_t id) = 0;
  virtual Result<GateExemption> ApproveExemption(int64_t id, const std::string& approver,
                                                 Time at) = 0;
  // Of the project's environment ("" = every environment), newest first.
  virtual Result<std::vector<GateExemption>> ListExemptions(const std::string& project,
                                                            const std::string& environment) = 0;
  virtual Result<GateStats> GetGateStats() = 0;

  // Environments and deploys. PutEnvironment inserts or replaces the row of (project,
  // environment); PutDeploy inserts or replaces the row of (project, environment, deploy_id).
  // DeleteEnvironment removes the environment and its deploys (kNotFound when there is none).
  virtual Status PutEnvironment(const EnvironmentRow& row) = 0;
  virtual Result<EnvironmentRow> GetEnvironment(const std::string& project,
                                                const std::string& environment) = 0;  // kNotFound
  // Every environment, by project then environment name.
  virtual Result<std::vector<EnvironmentRow>> ListEnvironments() = 0;
  virtual Status DeleteEnvironment(const std::string& project, const std::string& environment) = 0;
  virtual Status PutDeploy(const DeployRow& row) = 0;
  // The environment's deploys, oldest first (by deploy_id).
  virtual Result<std::vector<DeployRow>> ListDeploys(const std::string& project,
                                                     const std::string& environment) = 0;

  // Leadership for singleton loops (pollers, cron, the dispatcher) when several servers
  // share a database: true while this process holds `name` (PostgreSQL advisory lock on a
  // dedicated connection; SQLite: always true, one server per file).
  virtual Result<bool> HoldLeadership(std::string_view name) = 0;
};

// The canonical hash of an audit record (see AuditRecord), used by Append and by Verify.
std::string AuditHash(const AuditRecord& record);

// Checks a trail record by record, in seq order from seq 1: what VerifyAuditChain does with
// the store's records, and what a client does with the records the API returns.
class AuditChainChecker {
 public:
  // kFailedPrecondition naming the record and how the chain breaks there: a seq gap (records
  // deleted), a prev_hash that is not the previous record's hash (records reordered, inserted
  // or replaced), or a hash that does not match the record (it was edited).
  Status Check(const AuditRecord& record);
  int64_t checked() const { return expected_seq_ - 1; }   // records that passed
  const std::string& head() const { return prev_hash_; }  // the last one's hash (64 zeros)

 private:
  int64_t expected_seq_ = 1;
  std::string prev_hash_ = std::string(64, '0');
};

// Walks the whole trail and reports the first record whose hash, prev_hash or seq does not
// follow: an edited, deleted, inserted or reordered record. OK when the chain is intact.
Status VerifyAuditChain(Store& store);

struct OpenOptions {
  // "sqlite:///path/to/slipway.db", a plain path (SQLite), or "postgres://…" /
  // "postgresql://…" (libpq connection URI).
  std::string url;
  int pool_size = 4;  // PostgreSQL connections
};

// Opens the database and runs pending schema migrations (versioned, each in a transaction).
Result<std::unique_ptr<Store>> Open(const OpenOptions& options);

}  // namespace slipway::store
