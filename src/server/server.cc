#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <ctime>

#include "api/api.h"
#include "server/server_impl.h"

namespace slipway::server {
namespace {

Result<std::pair<std::string, uint16_t>> ParseListen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return InvalidArgument("--listen expects ADDR:PORT, got '" + listen + "'");
  }
  std::string address = listen.substr(0, colon);
  if (address.size() >= 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);  // [::1]:8080
  }
  unsigned port = 0;
  const std::string digits = listen.substr(colon + 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc() || end != digits.data() + digits.size() || port > 65535) {
    return InvalidArgument("--listen: '" + digits + "' is not a port number");
  }
  return std::make_pair(address.empty() ? std::string("0.0.0.0") : address,
                        static_cast<uint16_t>(port));
}

}  // namespace

Server::Impl::Impl(ServerOptions options) : options_(std::move(options)) {}

Server::Impl::~Impl() { Stop(); }

void Server::Impl::Log(const std::string& line) const {
  if (options_.log) {
    options_.log(line);
    return;
  }
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
  std::fprintf(stderr, "%s %s\n", stamp, line.c_str());
}

Status Server::Impl::Start() {
  std::error_code ec;
  std::filesystem::create_directories(options_.data_dir, ec);
  if (ec)
    return ErrnoStatus("cannot create data directory " + options_.data_dir.string(), ec.value());
  std::filesystem::permissions(options_.data_dir, std::filesystem::perms::owner_all, ec);

  store::OpenOptions open;
  open.url =
      options_.database.empty() ? (options_.data_dir / "slipway.db").string() : options_.database;
  SLIPWAY_ASSIGN_OR_RETURN(store_, store::Open(open));
  SLIPWAY_RETURN_IF_ERROR(Bootstrap());

  // Agents mask secrets in their logs; the server checks every chunk again before storing it.
  engine::LogScrubber::Options scrub_options;
  scrub_options.report = [this](const std::string& line) { Log(line); };
  scrubber_ = std::make_unique<engine::LogScrubber>(store_.get(), std::move(scrub_options));

  SLIPWAY_ASSIGN_OR_RETURN(registry_, registry::Registry::Open(options_.registry_dir.empty()
                                                                   ? options_.data_dir / "registry"
                                                                   : options_.registry_dir));
  SLIPWAY_ASSIGN_OR_RETURN(keys_, registry::KeyRing::Open(options_.data_dir / "keys"));
  publisher_ = std::make_unique<engine::Publisher>(registry_.get(), keys_.get());
  gate_ledger_ = api::MakeGateLedger(*store_, options_.data_dir);
  environment_ledger_ = deploy::MakeStoreLedger(*store_);
  const std::filesystem::path environments_dir = options_.data_dir / "environments";
  SLIPWAY_ASSIGN_OR_RETURN(int imported,
                           deploy::ImportFileLedger(environments_dir, *environment_ledger_));
  if (imported > 0) {
    Log("moved " + std::to_string(imported) + " environment(s) from " + environments_dir.string() +
        " into the database");
  }
  deployments_ = std::make_unique<deploy::Deployments>(deploy::DeploymentsOptions{
      .state_dir = environments_dir,
      .environments = environment_ledger_.get(),
      .slipway_binary = std::filesystem::read_symlink("/proc/self/exe", ec),
      .registry = registry_.get(),
      .keys = keys_->PublicKeys(),
      .health = {},
      .ready_timeout = std::chrono::minutes(2),
      .sli_sources = deploy::PrometheusSliSources(deploy::PrometheusInstantQueries()),
      .ledger = gate_ledger_.get()});

  engine::AgentServiceOptions agent_options;
  agent_options.lease = options_.lease;
  agent_options.finished = &dispatch_;
  agent_options.scrubber = scrubber_.get();
  engine::ArtifactStoreOptions artifact_options;
  artifact_options.root =
      options_.artifacts_dir.empty() ? options_.data_dir / "artifacts" : options_.artifacts_dir;
  artifact_options.max_bytes = options_.max_artifact_bytes;
  artifacts_ = std::make_unique<engine::ArtifactStore>(std::move(artifact_options));
  agent_options.artifacts = artifacts_.get();
  agent_options.publisher = publisher_.get();
  agent_service_ = std::make_unique<engine::AgentService>(store_.get(), &work_, agent_options);

  SLIPWAY_ASSIGN_OR_RETURN(auto listen, ParseListen(options_.listen));
  api::ApiContext context;
  context.store = store_.get();
  context.agents = agent_service_.get();
  context.work = &work_;
  context.dispatch = &dispatch_;
  context.data_dir = options_.data_dir;
  context.artifacts = artifacts_.get();
  context.registry = registry_.get();
  context.keys = keys_.get();
  context.deployments = deployments_.get();
  SLIPWAY_ASSIGN_OR_RETURN(http::Router router, api::MakeRouter(context));
  http::ServerOptions http_options;
  http_options.address = listen.first;
  http_options.port = listen.second;
  SLIPWAY_ASSIGN_OR_RETURN(http_, http::Server::Start(http_options, std::move(router)));
  publisher_->set_builder_id(http_->base_url());
  Log("slipway " SLIPWAY_VERSION " listening on " + http_->base_url() +
      " (database: " + (options_.database.empty() ? open.url : std::string("postgres")) + ")");

  threads_.emplace_back([this] { DispatchLoop(); });
  threads_.emplace_back([this] { PollLoop(); });
  threads_.emplace_back([this] { CronLoop(); });
  threads_.emplace_back([this] { RegistryGcLoop(); });
  threads_.emplace_back([this] { ReconcileLoop(); });
  return StartEmbeddedAgents();
}

Status Server::Impl::StartEmbeddedAgents() {
  char host[256] = "localhost";
  gethostname(host, sizeof host - 1);
  for (int i = 0; i < options_.local_agents; ++i) {
    store::Agent record;
    record.name = std::string("embedded-") + host + "-" + std::to_string(i + 1);
    record.labels = options_.agent_labels;
    record.capacity = 1;
    record.registered = record.last_seen = std::chrono::system_clock::now();
    SLIPWAY_ASSIGN_OR_RETURN(store::Agent registered, store_->RegisterAgent(record));
    transports_.push_back(std::make_unique<agent::LocalTransport>(
        agent_service_.get(), registered.id, options_.agent_labels));
    agent::AgentOptions agent_options;
    agent_options.work_dir = options_.data_dir / "agents" / std::to_string(i + 1);
    agent_options.environment = options_.agent_environment;
    agent_options.poll_wait = std::chrono::milliseconds(1000);
    agents_.push_back(std::make_unique<agent::Agent>(transports_.back().get(), agent_options));
    agent::Agent* running = agents_.back().get();
    threads_.emplace_back([this, running] { running->Run(stop_); });
  }
  return StartDeployAgent(host);
}

// Deploy jobs (labelled spec::kDeployAgentLabel) run here, where the environments' targets,
// proxies and the registry are; they only wait on rollouts, so several run at once.
Status Server::Impl::StartDeployAgent(const std::string& host) {
  const std::vector<std::string> labels = {std::string(spec::kDeployAgentLabel)};
  store::Agent record;
  record.name = "deploy-" + host;
  record.labels = labels;
  record.capacity = 4;
  record.registered = record.last_seen = std::chrono::system_clock::now();
  SLIPWAY_ASSIGN_OR_RETURN(store::Agent registered, store_->RegisterAgent(record));
  transports_.push_back(std::make_unique<agent::LocalTransport>(agent_service_.get(), registered.id,
                                                                labels, labels[0]));
  agent::AgentOptions agent_options;
  agent_options.capacity = record.capacity;
  agent_options.work_dir = options_.data_dir / "agents" / "deploy";
  agent_options.environment = options_.agent_environment;
  agent_options.poll_wait = std::chrono::milliseconds(1000);
  agent_options.deployer = deployments_.get();
  agents_.push_back(std::make_unique<agent::Agent>(transports_.back().get(), agent_options));
  agent::Agent* running = agents_.back().get();
  threads_.emplace_back([this, running] { running->Run(stop_); });
  return Status::Ok();
}

void Server::Impl::Stop() {
  if (stopped_) return;
  stopped_ = true;
  stop_.Cancel();
  work_.Notify();
  dispatch_.Notify();
  if (http_ != nullptr) http_->Stop();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() { Stop(); }

Result<std::unique_ptr<Server>> Server::Start(ServerOptions options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  SLIPWAY_RETURN_IF_ERROR(impl->Start());
  return std::make_unique<Server>(std::move(impl));
}

std::string Server::url() const { return impl_->url(); }
std::filesystem::path Server::initial_token_path() const { return impl_->initial_token_path(); }
void Server::Stop() { impl_->Stop(); }

}  // namespace slipway::server
