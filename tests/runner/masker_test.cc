#include "runner/masker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <set>
#include <thread>

#include "runner/secret_forms.h"

namespace slipway::runner {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Masked(const std::vector<std::string>& secrets, std::string_view text) {
  Masker masker;
  for (const auto& secret : secrets) masker.AddSecret(secret);
  return masker.Mask(text);
}

TEST(MaskerTest, MasksEveryOccurrence) {
  EXPECT_EQ(Masked({"s3cr3t-value"}, "a s3cr3t-value b s3cr3t-value"), "a *** b ***");
}

TEST(MaskerTest, LeavesTextWithoutSecretsAlone) {
  Masker masker;
  masker.AddSecret("s3cr3t-value");
  std::string out = "untouched";
  EXPECT_FALSE(masker.MaskIfNeeded("nothing to see here s3cr3t-valu", &out));
  EXPECT_EQ(out, "untouched");
  EXPECT_TRUE(masker.MaskIfNeeded("x s3cr3t-value", &out));
  EXPECT_EQ(out, "x ***");
}

TEST(MaskerTest, ValueShorterThanMinimumIsStillMasked) {
  EXPECT_EQ(Masked({"x9"}, "ax9b x9"), "a***b ***");
  EXPECT_EQ(Masked({"Q"}, "QQ aQ"), "*** a***");
}

TEST(MaskerTest, EmptySecretIsIgnored) {
  Masker masker;
  masker.AddSecret("");
  EXPECT_EQ(masker.version(), 0u);
  EXPECT_EQ(masker.Mask("text"), "text");
}

TEST(MaskerTest, OverlappingAndAdjacentMatchesMergeIntoOneMask) {
  EXPECT_EQ(Masked({"abcdef", "defghi"}, "xxabcdefghixx"), "xx***xx");
  EXPECT_EQ(Masked({"abcdef", "defghi"}, "abcdefdefghi!"), "***!");
  EXPECT_EQ(Masked({"abcdef"}, "abcdefabcdef abcdef"), "*** ***");
}

TEST(MaskerTest, LongestMatchWins) {
  EXPECT_EQ(Masked({"abcd", "abcdefgh"}, "abcdefgh"), "***");
  EXPECT_EQ(Masked({"abcdefgh", "abcd"}, "abcdefgX abcd"), "***efgX ***");
}

TEST(MaskerTest, MasksStandaloneBase64WithPadding) {
  const std::string secret = "secre";  // base64 "c2VjcmU=": the padding goes too
  EXPECT_EQ(Base64Encode(secret, Base64Alphabet::kStandard, true), "c2VjcmU=");
  EXPECT_EQ(Masked({secret}, "echo c2VjcmU= | base64 -d"), "echo *** | base64 -d");
}

TEST(MaskerTest, MasksBase64AtEveryAlignmentInsideALongerStream) {
  const std::string secret = "my-Secret-Token-42";
  for (size_t prefix = 0; prefix < 6; ++prefix) {
    for (size_t suffix = 0; suffix < 4; ++suffix) {
      const std::string plain =
          std::string("{\"auth\":\"").substr(0, prefix) + secret + std::string("\"}\n", suffix);
      const std::string encoded = Base64Encode(plain, Base64Alphabet::kStandard, true);
      const std::string masked = Masked({secret}, encoded);
      // Visible are at most the characters that also depend on the neighbouring bytes.
      const size_t star = masked.find("***");
      ASSERT_NE(star, std::string::npos) << plain;
      const size_t first_secret_char = (8 * prefix + 5) / 6;
      const size_t last_secret_char_end = 8 * (prefix + secret.size()) / 6;
      EXPECT_LE(star, first_secret_char) << plain;
      EXPECT_LE(masked.size() - star - 3, encoded.size() - last_secret_char_end) << plain;
    }
  }
}

TEST(MaskerTest, MasksUrlSafeBase64) {
  const std::string secret = "\xfb\xff\xbf>>?~~~";
  const std::string standard = Base64Encode(secret, Base64Alphabet::kStandard, false);
  const std::string url_safe = Base64Encode(secret, Base64Alphabet::kUrlSafe, false);
  ASSERT_NE(standard, url_safe);
  EXPECT_EQ(Masked({secret}, standard), "***");
  EXPECT_EQ(Masked({secret}, url_safe), "***");
}

TEST(MaskerTest, MasksUrlEncodedForms) {
  const std::string secret = "p@ss w0rd/x&y~z";
  for (const char* text : {"p%40ss%20w0rd%2Fx%26y~z", "p%40ss%20w0rd%2fx%26y~z",
                           "p%40ss%20w0rd%2Fx%26y%7Ez", "p%40ss+w0rd%2Fx%26y~z"}) {
    EXPECT_EQ(Masked({secret}, std::string("?q=") + text + "&r=1"), "?q=***&r=1") << text;
  }
}

TEST(MaskerTest, MasksJsonEscapedForms) {
  EXPECT_EQ(Masked({"a\"b\\c\nd/e"}, R"({"k":"a\"b\\c\nd/e"})"), R"({"k":"***"})");
  EXPECT_EQ(Masked({"a\"b\\c\nd/e"}, R"({"k":"a\"b\\c\nd\/e"})"), R"({"k":"***"})");
  EXPECT_EQ(Masked({"pässwörd"}, R"({"k":"p\u00e4ssw\u00f6rd"})"), R"({"k":"***"})");
  EXPECT_EQ(Masked({"k🔑y-long"}, R"("k\ud83d\udd11y-long")"), R"("***")");
  EXPECT_EQ(Masked({"a<b>&c1"}, R"("a\u003cb\u003e\u0026c1")"), R"("***")");
}

TEST(MaskerTest, MasksEachLineOfAMultiLineSecret) {
  const std::string secret = "-----BEGIN KEY-----\r\nMIIBOgIBAAJBAKj34GkxFhD90vcN\nxy\n";
  Masker masker;
  masker.AddSecret(secret);
  EXPECT_EQ(masker.Mask("-----BEGIN KEY-----"), "***");
  EXPECT_EQ(masker.Mask("  MIIBOgIBAAJBAKj34GkxFhD90vcN  "), "  ***  ");
  EXPECT_EQ(masker.Mask("xy"), "xy");  // a line shorter than the minimum is not a secret
  EXPECT_EQ(masker.Mask(secret), "***");
  EXPECT_EQ(masker.Mask(R"("-----BEGIN KEY-----\r\nMIIBOgIBAAJBAKj34GkxFhD90vcN\nxy\n")"),
            R"("***")");
}

TEST(MaskerTest, ShortDerivedFormsAreNotRegistered) {
  // "abc" encodes to "YWJj"; the aligned fragments ("WJj", "hYm") are shorter than 4.
  const std::vector<std::string> forms = SecretForms("abc", 4);
  EXPECT_EQ(forms.front(), "abc");
  for (const auto& form : forms) {
    if (form != "abc") {
      EXPECT_GE(form.size(), 4u) << form;
    }
  }
  EXPECT_EQ(Masked({"abc"}, "WJj hYm YWJj"), "WJj hYm ***");
}

TEST(MaskerTest, VersionChangesOnlyWhenPatternsChange) {
  Masker masker;
  const uint64_t v0 = masker.version();
  masker.AddSecret("first-secret");
  const uint64_t v1 = masker.version();
  EXPECT_GT(v1, v0);
  masker.AddSecret("first-secret");
  EXPECT_EQ(masker.version(), v1);
  auto before = masker.patterns();
  masker.AddSecret("second-secret");
  EXPECT_GT(masker.version(), v1);
  // An old snapshot stays valid and unchanged.
  EXPECT_EQ(before->Mask("second-secret"), "second-secret");
  EXPECT_EQ(masker.Mask("second-secret"), "***");
}

TEST(MaskerTest, AddingSecretsWhileOtherThreadsMask) {
  Masker masker;
  masker.AddSecret("initial-secret");
  std::atomic<bool> stop{false};
  std::atomic<int> leaks{0};
  std::vector<std::thread> maskers;
  for (int t = 0; t < 3; ++t) {
    maskers.emplace_back([&] {
      while (!stop.load()) {
        if (masker.Mask("x initial-secret y").find("initial") != std::string::npos) ++leaks;
      }
    });
  }
  for (int i = 0; i < 200; ++i) {
    const std::string secret = "runtime-secret-" + std::to_string(i);
    masker.AddSecret(secret);
    if (masker.Mask("v=" + secret) != "v=***") ++leaks;
  }
  stop = true;
  for (auto& t : maskers) t.join();
  EXPECT_EQ(leaks.load(), 0);
}

// The compiled matcher against a brute-force reference on random small alphabets, where
// overlaps, shared prefixes and short patterns are frequent.
std::vector<MaskRange> ReferenceRanges(const std::vector<std::string>& patterns,
                                       std::string_view text) {
  std::vector<bool> covered(text.size() + 1, false);
  std::vector<MaskRange> ranges;
  for (size_t i = 0; i < text.size(); ++i) {
    size_t longest = 0;
    for (const auto& p : patterns) {
      if (!p.empty() && text.substr(i).starts_with(p)) longest = std::max(longest, p.size());
    }
    if (longest == 0) continue;
    if (!ranges.empty() && i <= ranges.back().end) {
      ranges.back().end = std::max(ranges.back().end, i + longest);
    } else {
      ranges.push_back({i, i + longest});
    }
  }
  return ranges;
}

TEST(MaskSetTest, MatchesBruteForceReference) {
  std::mt19937 rng(7);
  auto random_string = [&](size_t length) {
    std::string s;
    for (size_t i = 0; i < length; ++i) s += "abc"[rng() % 3];
    return s;
  };
  for (int round = 0; round < 2000; ++round) {
    std::vector<std::string> patterns;
    const size_t count = 1 + rng() % 5;
    for (size_t i = 0; i < count; ++i) patterns.push_back(random_string(1 + rng() % 7));
    if (round % 2 == 0) {  // half the rounds without short patterns: the fast path
      for (auto& p : patterns) {
        while (p.size() < 4) p += "abc"[rng() % 3];
      }
    }
    const std::string text = random_string(rng() % 40);
    MaskSet set(patterns);
    std::vector<MaskRange> ranges;
    set.FindRanges(text, &ranges);
    ASSERT_EQ(ranges, ReferenceRanges(patterns, text)) << "text " << text;
    std::string expected;
    size_t copied = 0;
    for (const auto& r : ranges) {
      expected += text.substr(copied, r.begin - copied) + "***";
      copied = r.end;
    }
    expected += text.substr(copied);
    ASSERT_EQ(set.Mask(text), expected) << "text " << text;
  }
}

TEST(MaskSetTest, ReportsMaxLength) {
  MaskSet set({"ab", "abcdefg", ""});
  EXPECT_EQ(set.size(), 2u);
  EXPECT_EQ(set.max_length(), 7u);
  EXPECT_EQ(MaskSet({}).max_length(), 0u);
}

TEST(MaskSetTest, HandlesBinaryAndNulBytes) {
  const std::string secret("\0\x01\xff\xfe-key", 8);
  MaskSet set({secret});
  EXPECT_EQ(set.Mask(std::string("x") + secret + "y"), "x***y");
}

TEST(SecretFormsTest, Base64MatchesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode("", Base64Alphabet::kStandard, true), "");
  EXPECT_EQ(Base64Encode("f", Base64Alphabet::kStandard, true), "Zg==");
  EXPECT_EQ(Base64Encode("fo", Base64Alphabet::kStandard, true), "Zm8=");
  EXPECT_EQ(Base64Encode("foo", Base64Alphabet::kStandard, true), "Zm9v");
  EXPECT_EQ(Base64Encode("foob", Base64Alphabet::kStandard, false), "Zm9vYg");
  EXPECT_EQ(Base64Encode("fooba", Base64Alphabet::kStandard, true), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar", Base64Alphabet::kStandard, true), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("\xfb\xff", Base64Alphabet::kUrlSafe, true), "-_8=");
}

TEST(SecretFormsTest, FormsAreUniqueAndStartWithTheValue) {
  const std::vector<std::string> forms = SecretForms("p@ss w0rd", 4);
  ASSERT_FALSE(forms.empty());
  EXPECT_EQ(forms.front(), "p@ss w0rd");
  std::set<std::string> unique(forms.begin(), forms.end());
  EXPECT_EQ(unique.size(), forms.size());
  EXPECT_THAT(forms, ::testing::Contains("p%40ss%20w0rd"));
  EXPECT_THAT(forms, ::testing::Contains("p%40ss+w0rd"));
  EXPECT_THAT(forms, ::testing::Contains("cEBzcyB3MHJk"));
}

}  // namespace
}  // namespace slipway::runner
