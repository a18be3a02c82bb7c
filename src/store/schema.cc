#include "store/schema.h"

namespace slipway::store {
namespace {

// Conventions: times are {int} milliseconds since the epoch (NULL = not yet); booleans are
// {int} 0/1; JSON is TEXT. Words reserved in either dialect are avoided as column names
// (trigger, commit, offset, index, time).
constexpr const char* kInitialSchema = R"sql(
CREATE TABLE projects (
  id {id},
  name TEXT NOT NULL UNIQUE,
  repo TEXT NOT NULL,
  default_branch TEXT NOT NULL,
  pipeline_file TEXT NOT NULL,
  poll_interval_seconds {int} NOT NULL,
  webhook_secret TEXT NOT NULL,
  is_public {int} NOT NULL,
  last_polled_commits TEXT NOT NULL,
  next_run_number {int} NOT NULL DEFAULT 1,
  created {int} NOT NULL
);

CREATE TABLE runs (
  id {id},
  project_id {int} NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  number {int} NOT NULL,
  status TEXT NOT NULL,
  trigger_kind TEXT NOT NULL,
  event TEXT NOT NULL,
  ref TEXT NOT NULL,
  branch TEXT NOT NULL,
  commit_sha TEXT NOT NULL,
  inputs_json TEXT NOT NULL,
  pipeline_yaml TEXT NOT NULL,
  concurrency_group TEXT NOT NULL,
  cancel_requested {int} NOT NULL,
  created_by TEXT NOT NULL,
  error TEXT NOT NULL,
  delivery_id TEXT NOT NULL,
  created {int} NOT NULL,
  started {int},
  finished {int},
  UNIQUE (project_id, number)
);
-- Keyset pagination (ListRuns: id < ? ORDER BY id DESC) per project, per status, and both.
CREATE INDEX runs_by_project ON runs (project_id, id DESC);
CREATE INDEX runs_by_status ON runs (status, id DESC);
CREATE INDEX runs_by_project_status ON runs (project_id, status, id DESC);

CREATE TABLE jobs (
  id {id},
  run_id {int} NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  idx {int} NOT NULL,
  instance_id TEXT NOT NULL,
  job_name TEXT NOT NULL,
  matrix_json TEXT NOT NULL,
  runs_on_json TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT NOT NULL,
  attempts {int} NOT NULL,
  outputs_json TEXT NOT NULL,
  cancel_requested {int} NOT NULL,
  created {int} NOT NULL,
  queued {int},
  started {int},
  finished {int},
  UNIQUE (run_id, idx)
);
-- The queue: only queued jobs, in lease order.
CREATE INDEX jobs_queue ON jobs (queued, id) WHERE status = 'queued';

-- runs_on_json as rows, so the queue can match an agent's labels in SQL.
CREATE TABLE job_labels (
  job_id {int} NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  label TEXT NOT NULL,
  PRIMARY KEY (job_id, label)
);

CREATE TABLE attempts (
  id {id},
  job_id {int} NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  run_id {int} NOT NULL,
  number {int} NOT NULL,
  agent_id {int} NOT NULL,
  lease_token TEXT NOT NULL,
  lease_expires {int} NOT NULL,
  finished {int} NOT NULL DEFAULT 0,
  lost {int} NOT NULL DEFAULT 0,
  outcome TEXT NOT NULL DEFAULT '',
  exit_code {int} NOT NULL DEFAULT -1,
  reason TEXT NOT NULL DEFAULT '',
  report_json TEXT NOT NULL DEFAULT '{}',
  started {int} NOT NULL,
  ended {int},
  log_size {int} NOT NULL DEFAULT 0,
  log_closed {int} NOT NULL DEFAULT 0,
  UNIQUE (job_id, number)
);
-- Leases still running, by expiry (ExpireLeases).
CREATE INDEX attempts_live ON attempts (lease_expires) WHERE finished = 0 AND lost = 0;

-- A log is the concatenation of its chunks in start_offset order, without gaps or overlaps;
-- data is zstd-compressed and decompresses to raw_len bytes.
CREATE TABLE log_chunks (
  attempt_id {int} NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
  start_offset {int} NOT NULL,
  raw_len {int} NOT NULL,
  data {blob} NOT NULL,
  PRIMARY KEY (attempt_id, start_offset)
);

CREATE TABLE agents (
  id {id},
  name TEXT NOT NULL UNIQUE,
  labels_json TEXT NOT NULL,
  capacity {int} NOT NULL,
  registered {int} NOT NULL,
  last_seen {int} NOT NULL
);

CREATE TABLE tokens (
  id {id},
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  role TEXT NOT NULL,
  project_id {int} NOT NULL,
  agent_id {int} NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  created {int} NOT NULL,
  expires {int},
  last_used {int},
  revoked {int} NOT NULL
);

CREATE TABLE deliveries (
  provider TEXT NOT NULL,
  delivery_id TEXT NOT NULL,
  received {int} NOT NULL,
  PRIMARY KEY (provider, delivery_id)
);

CREATE TABLE audit (
  seq {int} PRIMARY KEY,
  time_ms {int} NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  details_json TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
)sql";

// Version 1 stored "{}" as a new project's last_polled_commits, which the poller could not
// tell from a poll that saw no refs, so the first poll started runs for every existing branch
// and tag. "" now means "never polled". A project polled while its repository had no refs also
// reads "{}": it becomes "" too, which at worst makes its next poll record instead of start.
constexpr const char* kNeverPolled = R"sql(
UPDATE projects SET last_polled_commits = '' WHERE last_polled_commits = '{}';
)sql";

// Alerts from Alertmanager and the incidents they open (issue 6). An alert row is unique by
// (fingerprint, deploy_id); at most one incident per environment is open (the partial index),
// which RecordAlerts also keeps by serialising batches.
constexpr const char* kAlertsAndIncidents = R"sql(
CREATE TABLE incidents (
  id {id},
  project TEXT NOT NULL,
  environment TEXT NOT NULL,
  title TEXT NOT NULL,
  severity TEXT NOT NULL,
  status TEXT NOT NULL,
  started_at {int} NOT NULL,
  detected_at {int} NOT NULL,
  resolved_at {int},
  deploy_id {int} NOT NULL
);
CREATE UNIQUE INDEX incidents_one_open ON incidents (project, environment) WHERE status = 'open';
CREATE INDEX incidents_by_project ON incidents (project, id DESC);

CREATE TABLE alerts (
  id {id},
  fingerprint TEXT NOT NULL,
  deploy_id {int} NOT NULL,
  status TEXT NOT NULL,
  alertname TEXT NOT NULL,
  severity TEXT NOT NULL,
  labels_json TEXT NOT NULL,
  annotations_json TEXT NOT NULL,
  starts_at {int} NOT NULL,
  ends_at {int},
  received_at {int} NOT NULL,
  received_count {int} NOT NULL,
  project TEXT NOT NULL,
  environment TEXT NOT NULL,
  incident_id {int} NOT NULL,
  UNIQUE (fingerprint, deploy_id)
);
CREATE INDEX alerts_by_incident ON alerts (incident_id);
CREATE INDEX alerts_by_environment ON alerts (project, environment, received_at DESC);
)sql";

// Release gates (issue 7): decisions with their input's digest, approvals of deploys and
// emergency exemptions. Deploys are numbered per environment, so they are keyed by names.
constexpr const char* kReleaseGates = R"sql(
CREATE TABLE gate_decisions (
  id {id},
  project TEXT NOT NULL,
  environment TEXT NOT NULL,
  deploy_id {int} NOT NULL,
  run_id TEXT NOT NULL,
  decision TEXT NOT NULL,
  input_json TEXT NOT NULL,
  input_digest TEXT NOT NULL,
  result_json TEXT NOT NULL,
  exemption_id {int} NOT NULL,
  decided_at {int} NOT NULL
);
CREATE INDEX gate_decisions_by_deploy ON gate_decisions (project, environment, deploy_id, id);

CREATE TABLE deploy_approvals (
  id {id},
  project TEXT NOT NULL,
  environment TEXT NOT NULL,
  deploy_id {int} NOT NULL,
  approver TEXT NOT NULL,
  role TEXT NOT NULL,
  approved {int} NOT NULL,
  comment TEXT NOT NULL,
  at {int} NOT NULL
);
CREATE INDEX deploy_approvals_by_deploy ON deploy_approvals (project, environment, deploy_id, id);

CREATE TABLE gate_exemptions (
  id {id},
  project TEXT NOT NULL,
  environment TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  justification TEXT NOT NULL,
  created {int} NOT NULL,
  expires {int} NOT NULL,
  needs_second_approval {int} NOT NULL,
  approved_by TEXT NOT NULL,
  approved_at {int}
);
CREATE INDEX gate_exemptions_by_environment ON gate_exemptions (project, environment, id);
)sql";

// Environments deployed to and their deploys (docs/deploy.md, "Where state lives"), which the
// deploy module kept in files before. Deploys are numbered per environment and keyed by names,
// like the gate tables; no foreign key ties a deploy to its environment row, so the deploy
// module may write them in either order. The JSON texts are the deploy module's; the columns
// beside them are what queries select and order by (delivery metrics: deploys by outcome and
// time).
constexpr const char* kEnvironmentsAndDeploys = R"sql(
CREATE TABLE environments (
  project TEXT NOT NULL,
  environment TEXT NOT NULL,
  pipeline_file TEXT NOT NULL,
  pipeline_yaml TEXT NOT NULL,
  next_revision {int} NOT NULL,
  next_deploy {int} NOT NULL,
  stable_json TEXT NOT NULL,
  updated_at {int} NOT NULL,
  PRIMARY KEY (project, environment)
);

CREATE TABLE deploys (
  project TEXT NOT NULL,
  environment TEXT NOT NULL,
  deploy_id {int} NOT NULL,
  revision TEXT NOT NULL,
  digest TEXT NOT NULL,
  outcome TEXT NOT NULL,
  triggered_by TEXT NOT NULL,
  started_at {int} NOT NULL,
  finished_at {int} NOT NULL,
  record_json TEXT NOT NULL,
  PRIMARY KEY (project, environment, deploy_id)
);
CREATE INDEX deploys_by_outcome ON deploys (outcome, finished_at);
CREATE INDEX deploys_by_start ON deploys (started_at);
)sql";

// Policies may also gate a canary's or blue-green's promotion (docs/policy.md, `at`): a
// deploy then has up to two decisions, one per step. Earlier decisions were all of the deploy
// step.
constexpr const char* kGateSteps = R"sql(
ALTER TABLE gate_decisions ADD COLUMN step TEXT NOT NULL DEFAULT 'deploy';
)sql";

constexpr Migration kMigrations[] = {
    {1, "initial schema", kInitialSchema},
    {2, "last_polled_commits is empty until the first poll", kNeverPolled},
    {3, "alerts and incidents", kAlertsAndIncidents},
    {4, "release gates: decisions, approvals, exemptions", kReleaseGates},
    {5, "environments and deploys", kEnvironmentsAndDeploys},
    {6, "gate decisions say their step (deploy or promote)", kGateSteps},
};

}  // namespace

std::span<const Migration> SchemaMigrations() { return kMigrations; }

}  // namespace slipway::store
