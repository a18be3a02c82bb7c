#include "triggers/git_util.h"

#include <cctype>
#include <string>

namespace slipway::triggers::internal {
namespace {

// The "user[:password]" part of a URL's authority, or "" when there is none.
std::string_view UserInfo(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view authority = url.substr(scheme + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  const size_t at = authority.rfind('@');
  return at == std::string_view::npos ? std::string_view() : authority.substr(0, at);
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

void ReplaceAll(std::string& text, std::string_view what, std::string_view with) {
  if (what.empty()) return;
  for (size_t pos = text.find(what); pos != std::string::npos;
       pos = text.find(what, pos + with.size())) {
    text.replace(pos, what.size(), with);
  }
}

bool IsLocalPath(const std::string& url_or_path) {
  if (url_or_path.find("://") != std::string::npos) return false;
  // scp-like "user@host:path" (a colon before any slash) is a remote address too.
  const size_t colon = url_or_path.find(':');
  return colon == std::string::npos || colon <= 1 || url_or_path.find('/') < colon;
}

}  // namespace

std::string LastGitError() {
  const git_error* error = git_error_last();
  return error != nullptr && error->message != nullptr ? error->message : "unknown error";
}

std::string ScrubCredentials(std::string message, std::string_view url) {
  const std::string_view userinfo = UserInfo(url);
  if (userinfo.empty()) return message;
  ReplaceAll(message, std::string(userinfo) + "@", "");
  const size_t colon = userinfo.find(':');
  const std::string_view user = userinfo.substr(0, colon);
  const std::string_view password =
      colon == std::string_view::npos ? std::string_view() : userinfo.substr(colon + 1);
  // A password is always a secret. A user name alone is often a token (https://TOKEN@host),
  // but short ones ("git", "oauth2") are not and would mangle the message if replaced.
  for (std::string_view secret : {password, user.size() >= 8 && password.empty() ? user : ""}) {
    ReplaceAll(message, secret, "***");
    ReplaceAll(message, PercentDecode(secret), "***");
  }
  return message;
}

std::string NormalizeRepositoryUrl(const std::string& url_or_path) {
  if (!IsLocalPath(url_or_path)) return url_or_path;
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(url_or_path, ec);
  return ec ? url_or_path : absolute.lexically_normal().string();
}

Status CheckLocalPathExists(const std::string& url) {
  std::error_code ec;
  if (IsLocalPath(url) && !std::filesystem::exists(url, ec)) {
    return Unavailable("cannot reach " + url + ": no such file or directory");
  }
  return Status::Ok();
}

RemoteSession::RemoteSession(std::chrono::milliseconds timeout)
    : deadline_(std::chrono::steady_clock::now() + timeout), timeout_(timeout) {}

bool RemoteSession::TimedOut() const { return std::chrono::steady_clock::now() >= deadline_; }

int RemoteSession::CheckDeadline(void* payload) {
  return static_cast<RemoteSession*>(payload)->TimedOut() ? GIT_EUSER : 0;
}

int RemoteSession::Credentials(git_credential** out, const char* /*url*/,
                               const char* username_from_url, unsigned int allowed_types,
                               void* payload) {
  auto* session = static_cast<RemoteSession*>(payload);
  if (session->TimedOut()) return GIT_EUSER;
  // One try: libgit2 calls again after a rejected credential, which would loop forever.
  if (session->credential_attempts_++ > 0) return GIT_PASSTHROUGH;
  if ((allowed_types & GIT_CREDENTIAL_SSH_KEY) != 0) {
    return git_credential_ssh_key_from_agent(
        out, username_from_url != nullptr ? username_from_url : "git");
  }
  // User and password from the URL are applied by libgit2 itself.
  return GIT_PASSTHROUGH;
}

void RemoteSession::Install(git_remote_callbacks* callbacks) {
  callbacks->payload = this;
  callbacks->credentials = &RemoteSession::Credentials;
  callbacks->sideband_progress = [](const char*, int, void* payload) {
    return CheckDeadline(payload);
  };
  callbacks->transfer_progress = [](const git_indexer_progress*, void* payload) {
    return CheckDeadline(payload);
  };
  callbacks->certificate_check = [](git_cert*, int, const char*, void* payload) -> int {
    // Keep libgit2's own verdict on the certificate; only the deadline is ours.
    return CheckDeadline(payload) != 0 ? GIT_EUSER : GIT_PASSTHROUGH;
  };
  callbacks->update_tips = [](const char*, const git_oid*, const git_oid*, void* payload) {
    return CheckDeadline(payload);
  };
}

Status RemoteSession::Failure(std::string_view what, std::string_view url) const {
  const std::string shown = RedactUrl(url);
  if (TimedOut()) {
    return {StatusCode::kDeadlineExceeded, std::string(what) + " " + shown + " took longer than " +
                                               std::to_string(timeout_.count()) + " ms"};
  }
  return Unavailable(
      ScrubCredentials(std::string(what) + " " + shown + ": " + LastGitError(), url));
}

}  // namespace slipway::triggers::internal
