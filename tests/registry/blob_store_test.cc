// BlobStore: what a registry client would notice. A blob is readable only once it is whole and
// verified; a wrong digest stores nothing; chunks must follow each other; a digest is stored
// once; uploads survive a restart of the process.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cstring>
#include <thread>
#include <vector>

#include "registry/registry.h"
#include "util/fs.h"
#include "util/sha256.h"

namespace slipway::registry {
namespace {

namespace fs = std::filesystem;

Digest DigestOf(std::string_view bytes) { return Digest{Sha256Hex(bytes)}; }

size_t FilesUnder(const fs::path& dir) {
  size_t count = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) count += entry.is_regular_file();
  return count;
}

class BlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("blob_store_test.");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    root_ = *dir;
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    (void)RemoveTree(root_);
  }
  void Reopen() {
    store_.reset();
    auto store = BlobStore::Open(root_ / "registry");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  // Uploads `bytes` in one chunk and commits it as `digest`.
  Result<BlobInfo> Push(std::string_view bytes, const Digest& digest) {
    SLIPWAY_ASSIGN_OR_RETURN(std::string id, store_->StartUpload());
    SLIPWAY_RETURN_IF_ERROR(store_->Append(id, bytes).status());
    return store_->Commit(id, digest);
  }
  size_t StoredBlobs() { return FilesUnder(root_ / "registry" / "blobs"); }
  size_t PendingUploads() { return FilesUnder(root_ / "registry" / "uploads"); }

  fs::path root_;
  std::unique_ptr<BlobStore> store_;
};

TEST(DigestTest, ParsesOnlySha256WithLowerCaseHex) {
  const std::string hex(64, 'a');
  auto good = Digest::Parse("sha256:" + hex);
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(good->hex, hex);
  EXPECT_EQ(good->ToString(), "sha256:" + hex);

  auto no_algorithm = Digest::Parse(hex);
  EXPECT_EQ(no_algorithm.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_algorithm.status().message().find("no algorithm"), std::string::npos);
  auto other = Digest::Parse("sha512:" + std::string(128, 'a'));
  EXPECT_NE(other.status().message().find("unsupported digest algorithm 'sha512'"),
            std::string::npos);
  for (const std::string& bad : {"sha256:" + std::string(63, 'a'), "sha256:" + std::string(65, 'a'),
                                 "sha256:" + std::string(64, 'A'),
                                 "sha256:" + std::string(63, 'a') + "g", std::string("sha256:")}) {
    auto parsed = Digest::Parse(bad);
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(parsed.status().message().find("64 lower-case hex digits"), std::string::npos)
        << parsed.status().message();
  }
}

TEST_F(BlobStoreTest, ABlobPushedWholeIsStoredByDigestAndReadsBack) {
  const std::string bytes = "layer bytes\n";
  auto pushed = Push(bytes, DigestOf(bytes));
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  EXPECT_EQ(pushed->size, bytes.size());

  auto stat = store_->Stat(DigestOf(bytes));
  ASSERT_TRUE(stat.ok()) << stat.status().ToString();
  EXPECT_EQ(stat->size, bytes.size());
  EXPECT_EQ(*store_->Read(DigestOf(bytes), 0, 1 << 20), bytes);
  EXPECT_EQ(*store_->Read(DigestOf(bytes), 6, 5), "bytes");
  EXPECT_EQ(*store_->Read(DigestOf(bytes), 100, 5), "");  // past the end: nothing
  const std::string hex = DigestOf(bytes).hex;
  EXPECT_EQ(store_->PathOf(DigestOf(bytes)),
            root_ / "registry" / "blobs" / "sha256" / hex.substr(0, 2) / hex);
  EXPECT_EQ(PendingUploads(), 0u);
}

TEST_F(BlobStoreTest, AWrongDigestStoresNothingAndEndsTheUpload) {
  auto id = store_->StartUpload();
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(store_->Append(*id, "what was sent").ok());
  const Digest claimed = DigestOf("what was claimed");
  auto committed = store_->Commit(*id, claimed);
  EXPECT_EQ(committed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(committed.status().message().find("digest mismatch"), std::string::npos);
  EXPECT_NE(committed.status().message().find(DigestOf("what was sent").ToString()),
            std::string::npos);
  EXPECT_NE(committed.status().message().find(claimed.ToString()), std::string::npos);
  EXPECT_EQ(store_->Stat(claimed).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Stat(DigestOf("what was sent")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(StoredBlobs(), 0u);
  EXPECT_EQ(PendingUploads(), 0u);
  EXPECT_EQ(store_->Append(*id, "more").status().code(), StatusCode::kNotFound);
}

TEST_F(BlobStoreTest, ChunksMustFollowEachOther) {
  auto id = store_->StartUpload();
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*store_->Append(*id, "0123", 0), 4u);
  EXPECT_EQ(*store_->Append(*id, "4567", 4), 8u);
  auto gap = store_->Append(*id, "zzzz", 12);  // a chunk went missing
  EXPECT_EQ(gap.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(gap.status().message().find("has 8 bytes"), std::string::npos);
  auto overlap = store_->Append(*id, "zzzz", 4);  // a chunk sent twice
  EXPECT_EQ(overlap.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(*store_->UploadSize(*id), 8u);
  EXPECT_EQ(*store_->Append(*id, "89"), 10u);  // no offset: appended at the end
  auto committed = store_->Commit(*id, DigestOf("0123456789"));
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  EXPECT_EQ(*store_->Read(DigestOf("0123456789"), 0, 100), "0123456789");
}

TEST_F(BlobStoreTest, ADigestIsStoredOnceHoweverOftenItIsPushed) {
  const std::string bytes(100000, 'x');
  ASSERT_TRUE(Push(bytes, DigestOf(bytes)).ok());
  ASSERT_TRUE(Push(bytes, DigestOf(bytes)).ok());
  std::vector<std::thread> pushers;
  std::vector<Status> results(4);
  for (size_t i = 0; i < results.size(); ++i) {
    pushers.emplace_back([&, i] { results[i] = Push(bytes, DigestOf(bytes)).status(); });
  }
  for (auto& t : pushers) t.join();
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(StoredBlobs(), 1u);
  EXPECT_EQ(PendingUploads(), 0u);
  EXPECT_EQ(*store_->Read(DigestOf(bytes), 0, bytes.size() + 1), bytes);
}

TEST_F(BlobStoreTest, AnUploadGoesOnAfterARestart) {
  auto id = store_->StartUpload();
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(store_->Append(*id, "before the restart, ").ok());
  Reopen();  // the in-memory hash is gone; the bytes are on disk
  EXPECT_EQ(*store_->UploadSize(*id), 20u);
  EXPECT_EQ(*store_->Append(*id, "after it", 20), 28u);
  const std::string whole = "before the restart, after it";
  auto wrong = store_->Commit(*id, DigestOf("something else"));
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);  // verified from the file

  auto second = store_->StartUpload();
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(store_->Append(*second, "before the restart, ").ok());
  Reopen();
  ASSERT_TRUE(store_->Append(*second, "after it").ok());
  auto committed = store_->Commit(*second, DigestOf(whole));
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  EXPECT_EQ(committed->size, whole.size());
  EXPECT_EQ(*store_->Read(DigestOf(whole), 0, 100), whole);
}

TEST_F(BlobStoreTest, UploadIdsAreCheckedBeforeTheyNameAFile) {
  auto traversal = store_->Append("../../etc/passwd", "x");
  EXPECT_EQ(traversal.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Append(std::string(32, 'Z'), "x").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Append(std::string(32, 'a'), "x").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Commit(std::string(32, 'a'), DigestOf("x")).status().code(),
            StatusCode::kNotFound);
  auto a = store_->StartUpload();
  auto b = store_->StartUpload();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_EQ(a->size(), 32u);
}

TEST_F(BlobStoreTest, CancelAndDeleteRemoveTheirFiles) {
  auto id = store_->StartUpload();
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(store_->Append(*id, "abandoned").ok());
  EXPECT_TRUE(store_->Cancel(*id).ok());
  EXPECT_TRUE(store_->Cancel(*id).ok());  // already gone: fine
  EXPECT_EQ(store_->UploadSize(*id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(PendingUploads(), 0u);

  ASSERT_TRUE(Push("kept", DigestOf("kept")).ok());
  EXPECT_TRUE(store_->Delete(DigestOf("kept")).ok());
  EXPECT_EQ(store_->Stat(DigestOf("kept")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Read(DigestOf("kept"), 0, 10).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Delete(DigestOf("kept")).code(), StatusCode::kNotFound);
}

TEST_F(BlobStoreTest, ALargeBlobStreamsInChunks) {
  Sha256 hash;
  auto id = store_->StartUpload();
  ASSERT_TRUE(id.ok());
  std::string chunk(1 << 20, '\0');
  uint64_t sent = 0;
  for (int i = 0; i < 64; ++i) {
    for (size_t j = 0; j < chunk.size(); j += 4096) chunk[j] = static_cast<char>(i + j / 4096);
    hash.Update(chunk);
    auto size = store_->Append(*id, chunk, sent);
    ASSERT_TRUE(size.ok()) << size.status().ToString();
    sent = *size;
  }
  const Digest digest{HexEncode(hash.Final())};
  auto committed = store_->Commit(*id, digest);
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  EXPECT_EQ(committed->size, 64u << 20);
  auto on_disk = Sha256File(store_->PathOf(digest));
  ASSERT_TRUE(on_disk.ok());
  EXPECT_EQ(*on_disk, digest.hex);
}

// A full disk in the middle of a chunk: the chunk is refused whole (what part of it was written
// is cut off again), so the client can send it again at the same offset once there is room.
// The disk is a 4 MiB tmpfs, which needs CAP_SYS_ADMIN: skipped (with the reason) without it.
class BlobStoreFullDiskTest : public BlobStoreTest {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("blob_store_disk_test.");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    root_ = *dir;
    fs::create_directories(root_ / "registry");
    if (::mount("tmpfs", (root_ / "registry").c_str(), "tmpfs", MS_NOSUID | MS_NODEV,
                "size=4m,mode=700") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs here (" << std::strerror(errno) << ")";
    }
    mounted_ = true;
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    if (mounted_) ::umount2((root_ / "registry").c_str(), MNT_DETACH);
    (void)RemoveTree(root_);
  }
  bool mounted_ = false;
};

TEST_F(BlobStoreFullDiskTest, AChunkThatDoesNotFitIsRefusedWholeAndCanBeSentAgain) {
  const std::string first(1 << 20, 'a'), too_big(8 << 20, 'b'), second(1 << 20, 'c');
  auto id = store_->StartUpload();
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(store_->Append(*id, first, 0).ok());
  auto refused = store_->Append(*id, too_big, first.size());
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted) << refused.status().ToString();
  EXPECT_EQ(*store_->UploadSize(*id), first.size());
  EXPECT_EQ(fs::file_size(root_ / "registry" / "uploads" / *id), first.size());

  ASSERT_TRUE(store_->Append(*id, second, first.size()).ok());
  auto committed = store_->Commit(*id, DigestOf(first + second));
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  EXPECT_EQ(*store_->Read(DigestOf(first + second), 0, 4 << 20), first + second);
}

}  // namespace
}  // namespace slipway::registry
