// Webhook authenticity: signatures and tokens are checked before anything else, and failures
// never echo the secret.
#include "triggers/webhook_auth.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "triggers/triggers.h"
#include "triggers_test_util.h"

namespace slipway::triggers {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "s3cret-Token-9f2b";

Result<WebhookDelivery> Parse(Provider provider, std::map<std::string, std::string> headers,
                              std::string_view body, std::string_view secret = kSecret) {
  return ParseWebhook(provider, HeadersFromMap(std::move(headers)), body, secret);
}

void ExpectDenied(const Result<WebhookDelivery>& result, const std::string& mentions) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kPermissionDenied) << result.status().ToString();
  EXPECT_THAT(result.status().message(), HasSubstr(mentions));
  EXPECT_THAT(result.status().message(), Not(HasSubstr(kSecret)));
}

TEST(HmacTest, MatchesKnownVectors) {
  // RFC 4231, test case 2.
  EXPECT_EQ(internal::HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // The example in GitHub's "Validating webhook deliveries".
  EXPECT_EQ(internal::HmacSha256Hex("It's a Secret to Everybody", "Hello, World!"),
            "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
}

TEST(ConstantTimeTest, ComparesBytes) {
  EXPECT_TRUE(internal::ConstantTimeEquals("", ""));
  EXPECT_TRUE(internal::ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(internal::ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(internal::ConstantTimeEquals("abc", "abcd"));
  EXPECT_FALSE(internal::ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(ConstantTimeTest, TokensOfAnyLengthCompareByDigest) {
  EXPECT_TRUE(internal::TokenMatches(kSecret, kSecret));
  EXPECT_FALSE(internal::TokenMatches("", kSecret));
  EXPECT_FALSE(internal::TokenMatches("s3cret", kSecret));  // a prefix is not a match
  EXPECT_FALSE(internal::TokenMatches(std::string(kSecret) + "x", kSecret));
}

TEST(ConstantTimeTest, HmacHexAcceptsEitherCaseAndNothingElse) {
  const std::string hex = internal::HmacSha256Hex(kSecret, "body");
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(internal::HmacHexMatches(hex, kSecret, "body"));
  EXPECT_TRUE(internal::HmacHexMatches(upper, kSecret, "body"));
  EXPECT_FALSE(internal::HmacHexMatches(hex.substr(0, 63), kSecret, "body"));
  EXPECT_FALSE(internal::HmacHexMatches(hex + "0", kSecret, "body"));
  EXPECT_FALSE(internal::HmacHexMatches(std::string(64, 'g'), kSecret, "body"));
  EXPECT_FALSE(internal::HmacHexMatches(hex, kSecret, "body "));
}

TEST(GitHubSignatureTest, ValidSignatureIsAccepted) {
  const std::string body = testing::ReadFixture("github_push.json");
  auto result = Parse(Provider::kGitHub,
                      {{"X-Hub-Signature-256", SignWebhook(Provider::kGitHub, kSecret, body).value},
                       {"X-GitHub-Event", "push"}},
                      body);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->kind, WebhookKind::kPush);
}

TEST(GitHubSignatureTest, HeaderNamesAreCaseInsensitive) {
  const std::string body = testing::ReadFixture("github_push.json");
  auto result = Parse(Provider::kGitHub,
                      {{"x-hub-signature-256", SignWebhook(Provider::kGitHub, kSecret, body).value},
                       {"x-github-event", "push"}},
                      body);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
}

TEST(GitHubSignatureTest, WrongSecretIsDenied) {
  const std::string body = testing::ReadFixture("github_push.json");
  ExpectDenied(Parse(Provider::kGitHub,
                     {{"X-Hub-Signature-256", SignWebhook(Provider::kGitHub, "other", body).value},
                      {"X-GitHub-Event", "push"}},
                     body),
               "X-Hub-Signature-256 does not match");
}

TEST(GitHubSignatureTest, MissingSignatureIsDenied) {
  ExpectDenied(Parse(Provider::kGitHub, {{"X-GitHub-Event", "push"}}, "{}"),
               "X-Hub-Signature-256 header is missing");
}

TEST(GitHubSignatureTest, LegacySha1SignatureIsNotEnough) {
  ExpectDenied(Parse(Provider::kGitHub,
                     {{"X-Hub-Signature", "sha1=0123456789abcdef0123456789abcdef01234567"},
                      {"X-GitHub-Event", "push"}},
                     "{}"),
               "SHA-1 X-Hub-Signature is not accepted");
}

TEST(GitHubSignatureTest, WrongAlgorithmPrefixIsDenied) {
  const std::string body = "{}";
  const std::string hex = internal::HmacSha256Hex(kSecret, body);
  for (const std::string& value : {"sha1=" + hex, "sha512=" + hex, hex, "SHA256=" + hex}) {
    ExpectDenied(Parse(Provider::kGitHub,
                       {{"X-Hub-Signature-256", value}, {"X-GitHub-Event", "push"}}, body),
                 "must have the form sha256=");
  }
}

TEST(GitHubSignatureTest, TamperedBodyIsDenied) {
  const std::string body = testing::ReadFixture("github_push.json");
  const std::string signature = SignWebhook(Provider::kGitHub, kSecret, body).value;
  std::string tampered = body;
  tampered[tampered.find("refs/heads/main") + 11] = 'M';
  ExpectDenied(Parse(Provider::kGitHub,
                     {{"X-Hub-Signature-256", signature}, {"X-GitHub-Event", "push"}}, tampered),
               "does not match");
}

TEST(GitHubSignatureTest, SignatureIsCheckedBeforeTheEventOrTheBody) {
  // An unsigned ping, and an unsigned body that is not even JSON, are both refused as
  // unauthenticated rather than answered.
  ExpectDenied(Parse(Provider::kGitHub, {{"X-GitHub-Event", "ping"}}, "{}"), "missing");
  ExpectDenied(
      Parse(Provider::kGitHub,
            {{"X-Hub-Signature-256", "sha256=" + std::string(64, '0')}, {"X-GitHub-Event", "push"}},
            "not json"),
      "does not match");
}

TEST(WebhookSecretTest, ProjectWithoutSecretRefusesEverything) {
  const std::string body = "{}";
  for (Provider provider : {Provider::kGitHub, Provider::kGitLab, Provider::kGitea}) {
    const SignatureHeader header = SignWebhook(provider, "", body);
    auto result = Parse(provider, {{header.name, header.value}}, body, "");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), StatusCode::kPermissionDenied);
    EXPECT_THAT(result.status().message(), HasSubstr("no webhook secret"));
  }
}

TEST(GitLabTokenTest, TokenMustEqualTheSecret) {
  const std::string body = testing::ReadFixture("gitlab_push.json");
  auto ok = Parse(Provider::kGitLab, {{"X-Gitlab-Token", kSecret}, {"X-Gitlab-Event", "Push Hook"}},
                  body);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  ExpectDenied(
      Parse(Provider::kGitLab,
            {{"X-Gitlab-Token", "s3cret-Token-9f2c"}, {"X-Gitlab-Event", "Push Hook"}}, body),
      "X-Gitlab-Token does not match");
  ExpectDenied(
      Parse(Provider::kGitLab,
            {{"X-Gitlab-Token", std::string(kSecret) + " "}, {"X-Gitlab-Event", "Push Hook"}},
            body),
      "X-Gitlab-Token does not match");
  ExpectDenied(Parse(Provider::kGitLab, {{"X-Gitlab-Event", "Push Hook"}}, body),
               "X-Gitlab-Token header is missing");
}

TEST(GitLabTokenTest, DenialDoesNotEchoTheGivenToken) {
  auto result = Parse(Provider::kGitLab,
                      {{"X-Gitlab-Token", "guess-1234567"}, {"X-Gitlab-Event", "Push Hook"}}, "{}");
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(), Not(HasSubstr("guess-1234567")));
}

TEST(GiteaSignatureTest, BareHexSignatureOfTheBody) {
  const std::string body = testing::ReadFixture("gitea_push.json");
  const std::string hex = internal::HmacSha256Hex(kSecret, body);
  EXPECT_EQ(SignWebhook(Provider::kGitea, kSecret, body).value, hex);
  auto ok = Parse(Provider::kGitea, {{"X-Gitea-Signature", hex}, {"X-Gitea-Event", "push"}}, body);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  ExpectDenied(Parse(Provider::kGitea,
                     {{"X-Gitea-Signature", "sha256=" + hex}, {"X-Gitea-Event", "push"}}, body),
               "X-Gitea-Signature does not match");
  ExpectDenied(Parse(Provider::kGitea,
                     {{"X-Gitea-Signature", internal::HmacSha256Hex("wrong", body)},
                      {"X-Gitea-Event", "push"}},
                     body),
               "X-Gitea-Signature does not match");
  // Gitea sends the header empty when the hook has no secret.
  ExpectDenied(
      Parse(Provider::kGitea, {{"X-Gitea-Signature", ""}, {"X-Gitea-Event", "push"}}, body),
      "X-Gitea-Signature header is missing");
}

TEST(WebhookSizeTest, OversizedBodyIsRefusedEvenWhenSigned) {
  const std::string body(kMaxWebhookBodyBytes + 1, ' ');
  auto result = Parse(Provider::kGitHub,
                      {{"X-Hub-Signature-256", SignWebhook(Provider::kGitHub, kSecret, body).value},
                       {"X-GitHub-Event", "push"}},
                      body);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(result.status().message(), HasSubstr("over the limit of 5242880 bytes"));
}

}  // namespace
}  // namespace slipway::triggers
