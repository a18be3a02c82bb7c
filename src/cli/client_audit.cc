// `slipway audit list|verify`: the server's hash-chained audit trail (admin).
#include <cstdio>

#include "cli/client.h"

namespace slipway::cli {
namespace {

int List(const std::vector<std::string>& args) {
  ClientFlags flags;
  int after = 0, limit = 0;
  FlagSet set("slipway audit list", "[flags]",
              "Lists audit records oldest first: who changed what, when.");
  AddClientFlags(set, &flags);
  set.Int("after", 0, &after, "SEQ", "records after sequence number SEQ (default: from the start)");
  set.Int("limit", 0, &limit, "N", "at most N records (default 100, at most 1000)");
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 0, 0)) return *exit;
  std::string query;
  if (after != 0) query += "&after=" + std::to_string(after);
  if (limit != 0) query += "&limit=" + std::to_string(limit);
  if (!query.empty()) query[0] = '?';
  auto api = Api::Connect(flags);
  if (!api.ok()) return Fail(api.status());
  auto answer = (*api)->Get("/api/v1/audit" + query);
  if (!answer.ok()) return Fail(answer.status());
  if (flags.json) {
    PrintJson(*answer);
    return 0;
  }
  // Details can be long: the table shows their start, --json all of them.
  constexpr size_t kDetailsShown = 60;
  Table table({"SEQ", "TIME", "ACTOR", "ACTION", "TARGET", "DETAILS"});
  const Json records = answer->value("records", Json::array());
  for (const Json& record : records) {
    const Json details = record.value("details", Json::object());
    std::string text =
        details.empty() ? "" : details.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (text.size() > kDetailsShown) {
      size_t cut = kDetailsShown;
      while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
      text = text.substr(0, cut) + "…";
    }
    table.Add({Field(record, "seq"), Field(record, "time"), Field(record, "actor"),
               Field(record, "action"), Field(record, "target"), text});
  }
  if (table.size() == 0) {
    std::printf("no audit records%s\n", after != 0 ? " after that" : "");
    return 0;
  }
  table.Print();
  if (const Json next = answer->value("next_after", Json());
      next.is_number() && (limit == 0 ? 100u : static_cast<size_t>(limit)) == records.size()) {
    std::fprintf(stderr, "more: slipway audit list --after %lld\n", next.get<long long>());
  }
  return 0;
}

int Verify(const std::vector<std::string>& args) {
  ClientFlags flags;
  FlagSet set("slipway audit verify", "[flags]",
              "Checks the audit trail's hash chain on the server. Exits 1 when a record was\n"
              "changed, removed or inserted, naming where the chain breaks.");
  AddClientFlags(set, &flags);
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 0, 0)) return *exit;
  auto api = Api::Connect(flags);
  if (!api.ok()) return Fail(api.status());
  auto answer = (*api)->Get("/api/v1/audit/verify");
  if (!answer.ok()) return Fail(answer.status());
  const bool ok = answer->value("ok", false);
  if (flags.json) PrintJson(*answer);
  if (ok) {
    if (!flags.json) std::printf("audit trail intact: the hash chain verifies\n");
    return 0;
  }
  std::fprintf(stderr, "slipway: the audit trail does not verify: %s\n",
               Field(*answer, "message").c_str());
  return kExitFailure;
}

}  // namespace

int AuditCommand(const std::vector<std::string>& args) {
  return DispatchSubcommand("audit",
                            {{"list", "list audit records", List},
                             {"verify", "check the audit trail's hash chain", Verify}},
                            args);
}

}  // namespace slipway::cli
