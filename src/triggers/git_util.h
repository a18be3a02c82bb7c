// libgit2 plumbing shared by polling, mirrors and commit reads: owning pointers, library
// initialisation, error messages that never carry credentials, and deadline-checking remote
// callbacks.
#pragma once

#include <git2.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "triggers/triggers.h"
#include "util/status.h"

namespace slipway::triggers::internal {

// A libgit2 object freed on scope exit.
template <typename T, void (*Free)(T*)>
class GitPtr {
 public:
  GitPtr() = default;
  ~GitPtr() {
    if (ptr_ != nullptr) Free(ptr_);
  }
  GitPtr(GitPtr&& other) noexcept : ptr_(other.ptr_) { other.ptr_ = nullptr; }
  GitPtr& operator=(GitPtr&& other) noexcept {
    std::swap(ptr_, other.ptr_);
    return *this;
  }
  GitPtr(const GitPtr&) = delete;
  GitPtr& operator=(const GitPtr&) = delete;

  T* get() const { return ptr_; }
  T** out() { return &ptr_; }  // for libgit2's T** out-parameters; must be empty

 private:
  T* ptr_ = nullptr;
};

using Repository = GitPtr<git_repository, git_repository_free>;
using Remote = GitPtr<git_remote, git_remote_free>;
using Object = GitPtr<git_object, git_object_free>;
using Commit = GitPtr<git_commit, git_commit_free>;
using Tree = GitPtr<git_tree, git_tree_free>;
using TreeEntry = GitPtr<git_tree_entry, git_tree_entry_free>;
using Blob = GitPtr<git_blob, git_blob_free>;
using Diff = GitPtr<git_diff, git_diff_free>;

// Makes sure libgit2 is initialised before an operation (see InitGitLibrary).
class GitLibrary {
 public:
  GitLibrary() { InitGitLibrary(); }
  GitLibrary(const GitLibrary&) = delete;
  GitLibrary& operator=(const GitLibrary&) = delete;
};

// libgit2's last error message on this thread ("unknown error" when it has none).
std::string LastGitError();

// Removes the credentials of `url` (raw and percent-decoded) from `message`.
std::string ScrubCredentials(std::string message, std::string_view url);

// The URL libgit2 should use: relative local paths made absolute; URLs unchanged.
std::string NormalizeRepositoryUrl(const std::string& url_or_path);

// kUnavailable when `url` is a local path with nothing there (libgit2 would only say
// "unsupported URL protocol"); OK otherwise.
Status CheckLocalPathExists(const std::string& url);

// Deadline and credentials for one network operation. Install() fills libgit2's callbacks
// with this object as their payload, so it must outlive the operation.
class RemoteSession {
 public:
  explicit RemoteSession(std::chrono::milliseconds timeout);
  void Install(git_remote_callbacks* callbacks);
  bool TimedOut() const;

  // The Status for a failed libgit2 call `what` ("listing refs of") on `url`: kDeadlineExceeded
  // after the deadline, else kUnavailable; the message names the URL without credentials.
  Status Failure(std::string_view what, std::string_view url) const;

 private:
  static int CheckDeadline(void* payload);
  static int Credentials(git_credential** out, const char* url, const char* username_from_url,
                         unsigned int allowed_types, void* payload);

  std::chrono::steady_clock::time_point deadline_;
  std::chrono::milliseconds timeout_;
  int credential_attempts_ = 0;
};

}  // namespace slipway::triggers::internal
