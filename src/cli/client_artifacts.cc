// `slipway artifacts PROJECT/NUMBER/JOB`: downloads the artifacts a job kept on the server and
// unpacks them (or saves the archive). The download goes to a file first, so a broken
// connection never leaves a half-unpacked tree behind.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "cli/client.h"
#include "util/fs.h"
#include "util/tree_archive.h"

namespace slipway::cli {
namespace {

namespace fs = std::filesystem;

struct Downloaded {
  uint64_t bytes = 0;
  std::string attempt;  // the attempt whose archive it is (X-Artifacts-Attempt)
};

// Streams the archive of `ref`'s job into the file `to` (created 0644, replaced). On an error
// the file is removed.
Result<Downloaded> DownloadArchive(Api& api, const RunRef& ref, const fs::path& to) {
  const int fd = open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("create " + to.string(), errno);
  Downloaded downloaded;
  Status written;
  auto response = api.Download(RunPath(ref) + "/jobs/" + PathSegment(ref.job) + "/artifacts",
                               [&](std::string_view chunk) {
                                 written = WriteAll(fd, chunk, "write " + to.string());
                                 if (written.ok()) downloaded.bytes += chunk.size();
                                 return written.ok();
                               });
  if (close(fd) != 0 && written.ok()) written = ErrnoStatus("write " + to.string(), errno);
  Status status = response.ok() ? written : response.status();
  if (!status.ok()) {
    std::error_code ec;
    fs::remove(to, ec);
    return status;
  }
  if (auto attempt = response->headers.Get("X-Artifacts-Attempt")) downloaded.attempt = *attempt;
  return downloaded;
}

std::string Name(const RunRef& ref) {
  return ref.project + "/" + std::to_string(ref.number) + "/" + ref.job;
}

int SaveArchive(Api& api, const RunRef& ref, const std::string& file, bool json) {
  auto downloaded = DownloadArchive(api, ref, file);
  if (!downloaded.ok()) return Fail(downloaded.status());
  if (json) {
    PrintJson({{"archive", file}, {"size", downloaded->bytes}});
  } else {
    std::printf("saved the artifacts of %s (%llu bytes) to %s\n", Name(ref).c_str(),
                static_cast<unsigned long long>(downloaded->bytes), file.c_str());
  }
  return 0;
}

int Unpack(Api& api, const RunRef& ref, const fs::path& dir, bool json) {
  auto scratch = MakeTempDir("slipway-artifacts-");
  if (!scratch.ok()) return Fatal(scratch.status());
  const fs::path file = *scratch / "artifacts.slwa";
  auto downloaded = DownloadArchive(api, ref, file);
  if (!downloaded.ok()) {
    (void)RemoveTree(*scratch);
    return Fail(downloaded.status());
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  Result<tree_archive::Summary> unpacked =
      ec ? Result<tree_archive::Summary>(ErrnoStatus("create " + dir.string(), ec.value()))
         : tree_archive::ExtractFile(file, dir);
  (void)RemoveTree(*scratch);
  if (!unpacked.ok()) return Fail(unpacked.status());
  if (json) {
    PrintJson({{"dir", dir.string()},
               {"files", unpacked->files},
               {"directories", unpacked->directories},
               {"symlinks", unpacked->symlinks},
               {"file_bytes", unpacked->file_bytes}});
  } else {
    std::printf(
        "unpacked the artifacts of %s%s into %s: %llu file(s), %llu bytes\n", Name(ref).c_str(),
        downloaded->attempt.empty() ? "" : (" (attempt " + downloaded->attempt + ")").c_str(),
        dir.c_str(), static_cast<unsigned long long>(unpacked->files),
        static_cast<unsigned long long>(unpacked->file_bytes));
  }
  return 0;
}

}  // namespace

int ArtifactsCommand(const std::vector<std::string>& args) {
  ClientFlags flags;
  std::string dir = ".", archive;
  FlagSet set("slipway artifacts", "PROJECT/NUMBER/JOB [flags]",
              "Downloads the artifacts a job kept (those of its successful attempt) and unpacks\n"
              "them into --dir at the paths they had in the job's workspace, replacing files\n"
              "there. JOB is the instance name as 'slipway runs show' lists it, e.g.\n"
              "'build (linux)'. With --archive, saves the archive itself instead (a slipway\n"
              "tree archive, see docs/api.md).");
  AddClientFlags(set, &flags);
  set.String("dir", 'C', &dir, "DIR", "where to unpack (default: the current directory)");
  set.String("archive", 'o', &archive, "FILE", "save the archive to FILE instead of unpacking");
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 1, 1)) return *exit;
  auto ref = ParseRunRef(positionals[0], /*allow_job=*/true);
  if (!ref.ok()) return UsageError(ref.status());
  if (ref->job.empty()) {
    return UsageError(InvalidArgument("name the job: PROJECT/NUMBER/JOB, e.g. hello/12/build"));
  }
  auto api = Api::Connect(flags);
  if (!api.ok()) return Fail(api.status());
  if (!archive.empty()) return SaveArchive(**api, *ref, archive, flags.json);
  return Unpack(**api, *ref, dir.empty() ? fs::path(".") : fs::path(dir), flags.json);
}

}  // namespace slipway::cli
