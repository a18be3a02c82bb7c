// Secrets given to `slipway run` never leave a job in clear text, in any form a step is likely
// to print them: not on the console, not in --log-dir files, not in the --json result.
#include "e2e/e2e_util.h"

namespace slipway::e2e {
namespace {

// Characters that differ between the plain, base64, URL-encoded and JSON-escaped forms.
constexpr char kToken[] = "Vq7/Zr+x&\"Lm=9pW-tok";
constexpr char kEnvSecret[] = "EnvSecretQ4u8w2";
constexpr char kFileSecret[] = "FileSecretJ3k9z7";
const std::vector<std::string> kMultiLines = {"-----BEGIN E2E KEY-----", "MIIBkeyLineTwo7Qx",
                                              "Zq9lineThreeKeyEnd", "-----END E2E KEY-----"};

constexpr char kSecretsPipeline[] = R"yaml(name: secrets
jobs:
  leak:
    outputs: [plain, encoded, multi, file]
    reports:
      junit: report.xml
    steps:
      - name: print the secrets in every form
        run: |
          urlencode() {
            local s=$1 i c
            for ((i = 0; i < ${#s}; i++)); do
              c=${s:i:1}
              case $c in
                [a-zA-Z0-9.~_-]) printf '%s' "$c" ;;
                *) printf '%%%02X' "'$c" ;;
              esac
            done
          }
          echo "plain: $TOKEN"
          echo "stderr: $TOKEN" >&2
          echo "base64: $(printf '%s' "$TOKEN" | base64 -w0)"
          echo "url: $(urlencode "$TOKEN")"
          printf '{"token": "%s"}\n' "$(printf '%s' "$TOKEN" | sed 's/["\\]/\\&/g')"
          printf 'split: %s' "${TOKEN:0:7}"
          sleep 0.3
          printf '%s\n' "${TOKEN:7}"
          echo "from env: $ENV_SECRET"
          echo "from file: $FILE_SECRET"
          echo "$MULTI"
          echo "second line alone: $(printf '%s\n' "$MULTI" | sed -n 2p)"
      - name: outputs and a JUnit report that hold secrets
        run: |
          echo "plain=$TOKEN" >> "$SLIPWAY_OUTPUT"
          echo "encoded=$(printf '%s' "$TOKEN" | base64 -w0)" >> "$SLIPWAY_OUTPUT"
          { echo "multi<<EOF"; echo "$MULTI"; echo "EOF"; } >> "$SLIPWAY_OUTPUT"
          echo "file=$FILE_SECRET" >> "$SLIPWAY_OUTPUT"
          msg=$(printf '%s' "$TOKEN" | sed 's/&/\&amp;/g; s/"/\&quot;/g')
          printf '<testsuite name="s" tests="1"><testcase classname="c" name="t">' > report.xml
          printf '<failure message="token %s">token %s</failure>' "$msg" "$msg" >> report.xml
          printf '</testcase></testsuite>\n' >> report.xml
  fails:
    steps:
      - name: deploy
        run: |
          echo "deploying with $TOKEN"
          exit 3
)yaml";

// The forms of `secret` a step above prints.
std::vector<std::string> Forms(const std::string& secret) {
  auto base64 = [](const std::string& in) {
    static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
      const unsigned n = (static_cast<unsigned char>(in[i]) << 16) |
                         (static_cast<unsigned char>(in[i + 1]) << 8) |
                         static_cast<unsigned char>(in[i + 2]);
      for (int shift = 18; shift >= 0; shift -= 6) out += table[(n >> shift) & 63];
    }
    if (i < in.size()) {
      unsigned n = static_cast<unsigned char>(in[i]) << 16;
      if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
      out += table[(n >> 18) & 63];
      out += table[(n >> 12) & 63];
      out += i + 1 < in.size() ? table[(n >> 6) & 63] : '=';
      out += '=';
    }
    return out;
  };
  std::string url, json;
  for (unsigned char c : secret) {
    if (std::isalnum(c) || std::string_view(".~_-").find(c) != std::string_view::npos) {
      url += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      url += hex;
    }
    if (c == '"' || c == '\\') json += '\\';
    json += static_cast<char>(c);
  }
  // base64 without its padding: the masker may leave the '=' that depends on the length.
  std::string b64 = base64(secret);
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  return {secret, b64, url, json};
}

// Every string in `json` (keys and values), one a line: what a program reading --json sees.
std::string JsonStrings(const Json& json) {
  std::string text;
  if (json.is_string()) return json.get<std::string>() + "\n";
  if (json.is_object()) {
    for (const auto& [key, value] : json.items()) text += key + "\n" + JsonStrings(value);
  } else if (json.is_array()) {
    for (const auto& value : json) text += JsonStrings(value);
  }
  return text;
}

class SecretsTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    CommitPipeline(kSecretsPipeline);
    std::string file = std::string("FILE_SECRET=") + kFileSecret + "\nMULTI<<EOF\n";
    for (const auto& line : kMultiLines) file += line + "\n";
    file += "EOF\n";
    secrets_file_ = root_ / "secrets.env";
    std::ofstream(secrets_file_) << file;
  }

  Outcome RunWithSecrets(const std::vector<std::string>& extra, const fs::path& log_dir) {
    std::vector<std::string> args = {
        "--secret",       std::string("TOKEN=") + kToken, "--secret",  "ENV_SECRET",
        "--secrets-file", secrets_file_.string(),         "--log-dir", log_dir.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return Run(args, {{"ENV_SECRET", kEnvSecret}});
  }

  std::vector<std::string> Leaks() const {
    std::vector<std::string> leaks = Forms(kToken);
    leaks.push_back(kEnvSecret);
    leaks.push_back(kFileSecret);
    leaks.insert(leaks.end(), kMultiLines.begin(), kMultiLines.end());
    return leaks;
  }

  // Every text a user can read after the run.
  static std::string LogFiles(const fs::path& log_dir) {
    std::string text;
    for (const auto& entry : fs::directory_iterator(log_dir)) text += ReadText(entry.path());
    return text;
  }

  fs::path secrets_file_;
};

TEST_F(SecretsTest, NoFormOfAnySecretReachesConsoleLogsOrJson) {
  const fs::path logs = root_ / "logs";
  Outcome run = RunWithSecrets({"--json"}, logs);
  ASSERT_EQ(run.exit_code, 1) << run;  // the job 'fails' fails on purpose
  ASSERT_TRUE(run.json.is_object()) << run;
  const std::string log_files = LogFiles(logs);
  ASSERT_TRUE(::slipway::e2e::TextContains("", "", log_files, "plain: ***"));

  const std::string json_strings = JsonStrings(run.json);
  for (const auto& leak : Leaks()) {
    EXPECT_NOT_CONTAINS(run.out, leak) << "stdout (--json) leaks '" << leak << "'";
    EXPECT_NOT_CONTAINS(json_strings, leak) << "a --json value leaks '" << leak << "'";
    EXPECT_NOT_CONTAINS(run.err, leak) << "stderr leaks '" << leak << "'";
    EXPECT_NOT_CONTAINS(log_files, leak) << "--log-dir leaks '" << leak << "'";
  }
  for (const std::string& text : {run.err, log_files}) {
    EXPECT_CONTAINS(text, "plain: ***");
    EXPECT_CONTAINS(text, "stderr: ***");
    EXPECT_CONTAINS(text, "base64: ***");
    EXPECT_CONTAINS(text, "url: ***");
    EXPECT_CONTAINS(text, "{\"token\": \"***\"}");
    EXPECT_CONTAINS(text, "split: ***");
    EXPECT_CONTAINS(text, "from env: ***");
    EXPECT_CONTAINS(text, "from file: ***");
    EXPECT_CONTAINS(text, "second line alone: ***");
    EXPECT_CONTAINS(text, "deploying with ***");
  }

  const Json& leak = run.Job("leak");
  EXPECT_EQ(leak["outputs"]["plain"], "***");
  EXPECT_EQ(leak["outputs"]["file"], "***");
  EXPECT_CONTAINS(leak["outputs"]["encoded"].get<std::string>(), "***");
  EXPECT_CONTAINS(leak["outputs"]["multi"].get<std::string>(), "***");
  const Json& tests = leak["attempts"].back()["tests"];
  ASSERT_EQ(tests.size(), 1u) << leak.dump(2);
  EXPECT_EQ(tests[0]["message"], "token ***");
}

// A step name may use a secret through ${{ env.NAME }} (the docs advise against it, but it
// must not leak): masked in the console, the summary and the --json result.
TEST_F(SecretsTest, SecretInAStepNameIsMaskedEverywhere) {
  CommitPipeline(R"yaml(jobs:
  fails:
    steps:
      - name: deploy with ${{ env.TOKEN }}
        run: exit 3
)yaml");
  Outcome run = Run({"--json", "--secret", std::string("TOKEN=") + kToken});
  ASSERT_EQ(run.exit_code, 1) << run;
  EXPECT_NOT_CONTAINS(run.err, kToken);
  EXPECT_CONTAINS(run.err, "step 'deploy with ***' exited with 3");
  EXPECT_EQ(run.Job("fails")["reason"], "step 'deploy with ***' exited with 3");
  EXPECT_NOT_CONTAINS(JsonStrings(run.json), kToken);  // attempts[].steps[].name
}

TEST_F(SecretsTest, PlainConsoleOutputIsMaskedToo) {
  const fs::path logs = root_ / "logs";
  Outcome run = RunWithSecrets({}, logs);
  ASSERT_EQ(run.exit_code, 1) << run;
  for (const auto& leak : Leaks()) {
    EXPECT_NOT_CONTAINS(run.out, leak) << "stdout leaks '" << leak << "'";
    EXPECT_NOT_CONTAINS(run.err, leak) << "stderr leaks '" << leak << "'";
  }
  EXPECT_CONTAINS(run.out, "[leak] plain: ***");
  EXPECT_CONTAINS(run.out, "[leak] split: ***");
  EXPECT_CONTAINS(run.out, "[fails] deploying with ***");
}

TEST_F(SecretsTest, SecretNameWithoutValueNeedsTheVariable) {
  Outcome run = Run({"--secret", "NOT_SET_ANYWHERE_E2E"});
  EXPECT_EQ(run.exit_code, 2) << run;
  EXPECT_CONTAINS(run.err, "NOT_SET_ANYWHERE_E2E");
  EXPECT_NOT_CONTAINS(run.out, "[leak]");  // nothing ran
}

// A malformed secrets file is reported by file and line, without echoing the line: it is
// likely to hold a secret (here a YAML habit: `NAME: value`).
TEST_F(SecretsTest, MalformedSecretsFileIsRejectedWithoutPrintingItsContents) {
  const fs::path file = root_ / "bad-secrets.env";
  std::ofstream(file) << "GOOD=fine\nAPI_TOKEN: hunter2-e2e-value\n";
  Outcome run = Run({"--secrets-file", file.string()});
  EXPECT_EQ(run.exit_code, 2) << run;
  EXPECT_CONTAINS(run.err, file.string() + ":2");
  EXPECT_NOT_CONTAINS(run.all(), "hunter2-e2e-value");
  EXPECT_NOT_CONTAINS(run.out, "[leak]");  // nothing ran
}

TEST_F(SecretsTest, ValuesRegisteredWithMaskCommandAreMaskedFromThenOn) {
  CommitPipeline(R"yaml(jobs:
  register:
    outputs: [token]
    steps:
      - run: |
          value="dyn-${E2E_MARKER}-v"
          echo "::mask::$value"
          echo "same step: $value"
          echo "token=$value" >> "$SLIPWAY_OUTPUT"
      - run: |
          echo "next step: dyn-${E2E_MARKER}-v"
      - run: |
          echo "::add-mask::gh-${E2E_MARKER}-v"
          echo "github spelling: gh-${E2E_MARKER}-v"
  later:
    needs: register
    steps:
      - run: |
          echo "later job: dyn-${E2E_MARKER}-v"
)yaml");
  const fs::path logs = root_ / "logs";
  Outcome run = Run({"--json", "--log-dir", logs.string()});
  ASSERT_EQ(run.exit_code, 0) << run;
  const std::string log_files = LogFiles(logs);
  for (const std::string& value : {"dyn-" + marker_ + "-v", "gh-" + marker_ + "-v"}) {
    EXPECT_NOT_CONTAINS(run.out, value);
    EXPECT_NOT_CONTAINS(run.err, value);
    EXPECT_NOT_CONTAINS(log_files, value);
  }
  EXPECT_CONTAINS(run.err, "[register] same step: ***");
  EXPECT_CONTAINS(run.err, "[register] next step: ***");
  EXPECT_CONTAINS(run.err, "[register] github spelling: ***");
  EXPECT_CONTAINS(run.err, "[later] later job: ***");
  EXPECT_EQ(run.Job("register")["outputs"]["token"], "***");
}

}  // namespace
}  // namespace slipway::e2e
