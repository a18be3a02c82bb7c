#include "cache/manifest.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "cache/layout.h"
#include "util/fs.h"

namespace slipway::cache::internal {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kFormat = 1;
// Manifests list every file of an entry; this bounds what one can make us allocate.
constexpr size_t kMaxManifestBytes = size_t{1} << 30;

const char* TypeName(FileRecord::Type t) {
  switch (t) {
    case FileRecord::Type::kFile:
      return "file";
    case FileRecord::Type::kSymlink:
      return "symlink";
    case FileRecord::Type::kDir:
      return "dir";
  }
  return "file";
}

void HeaderFromJson(const Json& j, Manifest* m) {
  if (j.value("format", 0) != kFormat) throw std::runtime_error("unknown manifest format");
  m->key = j.at("key").get<std::string>();
  m->project = j.at("project").get<std::string>();
  m->branch = j.at("branch").get<std::string>();
  m->version = j.at("version").get<std::string>();
  m->paths = j.at("paths").get<std::vector<std::string>>();
  m->created_ns = j.at("created").get<int64_t>();
  m->last_used_ns = j.at("last_used").get<int64_t>();
  m->size = j.at("size").get<uint64_t>();
  m->file_count = j.at("file_count").get<uint64_t>();
}

FileRecord RecordFromJson(const Json& f) {
  FileRecord r;
  r.path = f.at("path").get<std::string>();
  const std::string type = f.at("type").get<std::string>();
  if (type == "file") {
    r.type = FileRecord::Type::kFile;
    r.mode = f.at("mode").get<uint32_t>();
    r.size = f.at("size").get<uint64_t>();
    r.mtime_ns = f.value("mtime", int64_t{0});
    r.sha256 = f.at("sha256").get<std::string>();
    if (!IsSha256Hex(r.sha256)) throw std::runtime_error("bad digest for '" + r.path + "'");
  } else if (type == "symlink") {
    r.type = FileRecord::Type::kSymlink;
    r.target = f.at("target").get<std::string>();
    if (r.target.empty() || r.target.find('\0') != std::string::npos) {
      throw std::runtime_error("bad symlink target for '" + r.path + "'");
    }
  } else if (type == "dir") {
    r.type = FileRecord::Type::kDir;
    r.mode = f.at("mode").get<uint32_t>();
  } else {
    throw std::runtime_error("unknown file type '" + type + "'");
  }
  if (r.mode > 07777) throw std::runtime_error("bad mode for '" + r.path + "'");
  if (Status s = CheckRelativePath(r.path); !s.ok()) throw std::runtime_error(s.message());
  return r;
}

// Collects the top-level header fields and stops at "files" (nlohmann's SAX interface).
class HeaderSax : public nlohmann::json_sax<Json> {
 public:
  Json header = Json::object();

  bool null() override { return Value(nullptr); }
  bool boolean(bool v) override { return Value(v); }
  bool number_integer(number_integer_t v) override { return Value(v); }
  bool number_unsigned(number_unsigned_t v) override { return Value(v); }
  bool number_float(number_float_t v, const string_t&) override { return Value(v); }
  bool string(string_t& v) override { return Value(v); }
  bool binary(binary_t&) override { return Value(nullptr); }
  bool start_object(std::size_t) override {
    ++depth_;
    return true;
  }
  bool end_object() override {
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    ++depth_;
    if (depth_ == 2 && key_ == "paths") header["paths"] = Json::array();
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool key(string_t& k) override {
    if (depth_ == 1) {
      key_ = k;
      if (k == "files") {
        done = true;
        return false;  // everything we need came before
      }
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    error = e.what();
    return false;
  }

  bool done = false;
  std::string error;

 private:
  template <typename T>
  bool Value(T v) {
    if (depth_ == 1) header[key_] = v;
    if (depth_ == 2 && key_ == "paths") header["paths"].push_back(v);
    return true;
  }
  int depth_ = 0;
  std::string key_;
};

}  // namespace

std::string ManifestToJson(const Manifest& m) {
  Json j = {{"format", kFormat},       {"key", m.key},
            {"project", m.project},    {"branch", m.branch},
            {"version", m.version},    {"paths", m.paths},
            {"created", m.created_ns}, {"last_used", m.last_used_ns},
            {"size", m.size},          {"file_count", m.file_count}};
  Json files = Json::array();
  for (const FileRecord& r : m.files) {
    Json f = {{"path", r.path}, {"type", TypeName(r.type)}};
    if (r.type == FileRecord::Type::kFile) {
      f["mode"] = r.mode;
      f["size"] = r.size;
      f["mtime"] = r.mtime_ns;
      f["sha256"] = r.sha256;
    } else if (r.type == FileRecord::Type::kSymlink) {
      f["target"] = r.target;
    } else {
      f["mode"] = r.mode;
    }
    files.push_back(std::move(f));
  }
  j["files"] = std::move(files);
  // Invalid UTF-8 in a file name must not make dump() throw: replace it in the JSON.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<Manifest> ParseManifest(std::string_view json) {
  try {
    const Json j = Json::parse(json);
    Manifest m;
    HeaderFromJson(j, &m);
    const Json& files = j.at("files");
    m.files.reserve(files.size());
    for (const Json& f : files) m.files.push_back(RecordFromJson(f));
    return m;
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("corrupt cache manifest: ") + e.what());
  }
}

Result<Manifest> ReadManifestHeader(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoStatus("read cache manifest " + path.string(), errno);
  HeaderSax sax;
  try {
    Json::sax_parse(in, &sax);
    if (!sax.done) {
      return InvalidArgument("corrupt cache manifest " + path.string() + ": " +
                             (sax.error.empty() ? "no file list" : sax.error));
    }
    Manifest m;
    HeaderFromJson(sax.header, &m);
    return m;
  } catch (const std::exception& e) {
    return InvalidArgument("corrupt cache manifest " + path.string() + ": " + e.what());
  }
}

Result<Manifest> ReadManifest(const std::filesystem::path& path) {
  SLIPWAY_ASSIGN_OR_RETURN(std::string text, ReadFile(path, kMaxManifestBytes));
  Result<Manifest> m = ParseManifest(text);
  if (!m.ok()) return m.status().WithContext(path.string());
  return m;
}

Status CheckRelativePath(std::string_view path) {
  auto bad = [&](const char* why) {
    return InvalidArgument("unsafe path '" + std::string(path) + "': " + why);
  };
  if (path.empty()) return bad("empty");
  if (path.front() == '/') return bad("absolute");
  if (path.find('\0') != std::string_view::npos) return bad("contains NUL");
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view seg = path.substr(start, end - start);
    if (seg.empty()) return bad("empty segment");
    if (seg == "..") return bad("'..' leaves the workspace");
    if (seg == ".") return bad("'.' segment");
    start = end + 1;
  }
  return Status::Ok();
}

}  // namespace slipway::cache::internal
