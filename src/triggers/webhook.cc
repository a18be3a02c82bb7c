// ParseWebhook: size limit, then authenticity, then the event type, then the payload — in
// that order, so an unauthenticated sender learns nothing about how we read bodies.
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <string>

#include "triggers/json_fields.h"
#include "triggers/push_payload.h"
#include "triggers/triggers.h"
#include "triggers/webhook_auth.h"

namespace slipway::triggers {
namespace {

// The header names a provider uses, and the event values that mean "push".
struct ProviderHeaders {
  std::string_view event;
  std::vector<std::string_view> push_events;
  std::vector<std::string_view> delivery;  // first one present wins
};

const ProviderHeaders& HeadersOf(Provider provider) {
  static const ProviderHeaders kGitHub = {"X-GitHub-Event", {"push"}, {"X-GitHub-Delivery"}};
  // Idempotency-Key (GitLab 17.4+) stays the same when GitLab retries a delivery;
  // X-Gitlab-Event-UUID identifies the request that triggered the hook, which a retry keeps
  // too, so it serves on older GitLab.
  static const ProviderHeaders kGitLab = {
      "X-Gitlab-Event", {"Push Hook", "Tag Push Hook"}, {"Idempotency-Key", "X-Gitlab-Event-UUID"}};
  static const ProviderHeaders kGitea = {"X-Gitea-Event", {"push"}, {"X-Gitea-Delivery"}};
  switch (provider) {
    case Provider::kGitHub:
      return kGitHub;
    case Provider::kGitLab:
      return kGitLab;
    case Provider::kGitea:
      return kGitea;
  }
  return kGitHub;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool AllZeros(std::string_view sha) {
  return !sha.empty() && std::all_of(sha.begin(), sha.end(), [](char c) { return c == '0'; });
}

}  // namespace

std::string_view ProviderName(Provider provider) {
  switch (provider) {
    case Provider::kGitHub:
      return "github";
    case Provider::kGitLab:
      return "gitlab";
    case Provider::kGitea:
      return "gitea";
  }
  return "unknown";
}

std::optional<Provider> ParseProvider(std::string_view name) {
  for (Provider p : {Provider::kGitHub, Provider::kGitLab, Provider::kGitea}) {
    if (ProviderName(p) == name) return p;
  }
  return std::nullopt;
}

HeaderLookup HeadersFromMap(const std::map<std::string, std::string>& headers) {
  std::map<std::string, std::string> lowered;
  for (const auto& [name, value] : headers) lowered[Lower(name)] = value;
  return [lowered = std::move(lowered)](std::string_view name) -> std::optional<std::string> {
    auto it = lowered.find(Lower(name));
    if (it == lowered.end()) return std::nullopt;
    return it->second;
  };
}

bool PushEvent::IsTag() const { return ref.starts_with("refs/tags/"); }
bool PushEvent::IsBranch() const { return ref.starts_with("refs/heads/"); }
bool PushEvent::Created() const { return AllZeros(before); }
bool PushEvent::Deleted() const { return AllZeros(after); }

std::string_view PushEvent::ShortRef() const {
  std::string_view name = ref;
  if (IsTag()) return name.substr(10);
  if (IsBranch()) return name.substr(11);
  return name;
}

Result<WebhookDelivery> ParseWebhook(Provider provider, const HeaderLookup& headers,
                                     std::string_view body, std::string_view secret) {
  if (body.size() > kMaxWebhookBodyBytes) {
    return ResourceExhausted("webhook body of " + std::to_string(body.size()) +
                             " bytes is over the limit of " + std::to_string(kMaxWebhookBodyBytes) +
                             " bytes");
  }
  SLIPWAY_RETURN_IF_ERROR(internal::Authenticate(provider, headers, body, secret));

  const ProviderHeaders& names = HeadersOf(provider);
  WebhookDelivery delivery;
  for (std::string_view header : names.delivery) {
    if (auto id = headers(header); id && !id->empty()) {
      delivery.delivery_id = std::move(*id);
      break;
    }
  }
  std::optional<std::string> event = headers(names.event);
  if (!event || event->empty()) {
    return InvalidArgument(std::string(names.event) + " header is missing");
  }
  delivery.event = *event;
  if (provider == Provider::kGitHub && *event == "ping") {
    delivery.kind = WebhookKind::kPing;
    return delivery;
  }
  if (std::find(names.push_events.begin(), names.push_events.end(), *event) ==
      names.push_events.end()) {
    delivery.kind = WebhookKind::kIgnoredEvent;
    return delivery;
  }

  SLIPWAY_ASSIGN_OR_RETURN(nlohmann::json json, internal::JsonObject::ParseBody(body));
  Result<PushEvent> push = provider == Provider::kGitLab
                               ? internal::ParseGitLabPush(json)
                               : internal::ParseGitHubStylePush(provider, json);
  if (!push.ok()) return push.status();
  push->provider = provider;
  push->delivery_id = delivery.delivery_id;
  delivery.kind = push->Deleted() ? WebhookKind::kDeletedRef : WebhookKind::kPush;
  delivery.push = std::move(push).value();
  return delivery;
}

SignatureHeader SignWebhook(Provider provider, std::string_view secret, std::string_view body) {
  switch (provider) {
    case Provider::kGitHub:
      return {"X-Hub-Signature-256", "sha256=" + internal::HmacSha256Hex(secret, body)};
    case Provider::kGitLab:
      return {"X-Gitlab-Token", std::string(secret)};
    case Provider::kGitea:
      return {"X-Gitea-Signature", internal::HmacSha256Hex(secret, body)};
  }
  return {};
}

}  // namespace slipway::triggers
