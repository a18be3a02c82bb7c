// `slipway audit list|verify`: the server's hash-chained audit trail (admin).
#include <cstdio>
#include <ctime>

#include "cli/client.h"
#include "store/store.h"

namespace slipway::cli {
namespace {

// "2026-11-26T13:31:16.123Z", as the API writes a record's time, in the milliseconds the hash
// covers; nullopt for any other form.
std::optional<store::Time> RecordTime(const std::string& text) {
  std::tm utc{};
  int millis = 0, consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ%n", &utc.tm_year, &utc.tm_mon,
                  &utc.tm_mday, &utc.tm_hour, &utc.tm_min, &utc.tm_sec, &millis, &consumed) != 7 ||
      static_cast<size_t>(consumed) != text.size()) {
    return std::nullopt;
  }
  utc.tm_year -= 1900;
  utc.tm_mon -= 1;
  return store::Time(std::chrono::seconds(timegm(&utc)) + std::chrono::milliseconds(millis));
}

// A record as GET /api/v1/audit returns it, with the details text its hash covers.
// kInternal when a field is missing (details_json: a server older than this client).
Result<store::AuditRecord> RecordFromApi(const Json& record) {
  for (const char* field :
       {"time", "actor", "action", "target", "details_json", "prev_hash", "hash"}) {
    if (!record.contains(field) || !record[field].is_string()) {
      return Internal("the server's audit record " + Field(record, "seq") + " has no '" + field +
                      "' (a server older than this client?): cannot re-verify it");
    }
  }
  store::AuditRecord r;
  r.seq = record.value("seq", int64_t{0});
  auto time = RecordTime(record["time"].get<std::string>());
  if (!time) {
    return Internal("the server's audit record " + Field(record, "seq") +
                    " has a malformed time: " + Field(record, "time"));
  }
  r.time = *time;
  r.actor = record["actor"].get<std::string>();
  r.action = record["action"].get<std::string>();
  r.target = record["target"].get<std::string>();
  r.details_json = record["details_json"].get<std::string>();
  r.prev_hash = record["prev_hash"].get<std::string>();
  r.hash = record["hash"].get<std::string>();
  return r;
}

// Re-verifies the whole chain here, from the records the server returns, rather than asking
// the server whether it verifies (GET /api/v1/audit/verify): a client that keeps the last hash
// needs no trust in the server's check. OK when intact; kFailedPrecondition where it breaks.
Status CheckChain(Api& api, store::AuditChainChecker& checker) {
  constexpr int kPage = 1000;  // the API's largest
  for (;;) {
    SLIPWAY_ASSIGN_OR_RETURN(Json page,
                             api.Get("/api/v1/audit?after=" + std::to_string(checker.checked()) +
                                     "&limit=" + std::to_string(kPage)));
    const Json records = page.value("records", Json::array());
    if (records.empty()) return Status::Ok();
    for (const Json& json : records) {
      SLIPWAY_ASSIGN_OR_RETURN(store::AuditRecord record, RecordFromApi(json));
      SLIPWAY_RETURN_IF_ERROR(checker.Check(record));
    }
  }
}

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
    // The stored text (compact JSON), as the hash covers it; a server older than this client
    // sends only the parsed details.
    std::string text = record.contains("details_json")
                           ? Field(record, "details_json")
                           : record.value("details", Json::object())
                                 .dump(-1, ' ', false, Json::error_handler_t::replace);
    if (text == "{}") text.clear();
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
              "Reads the whole audit trail and recomputes its hash chain here, from each record's\n"
              "details exactly as stored. Exits 1 when a record was changed, removed or inserted,\n"
              "naming where the chain breaks; else prints the last record's hash: keep it, since\n"
              "a trail cut short at its end still verifies but no longer ends with it.");
  AddClientFlags(set, &flags);
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 0, 0)) return *exit;
  auto api = Api::Connect(flags);
  if (!api.ok()) return Fail(api.status());
  store::AuditChainChecker checker;
  const Status checked = CheckChain(**api, checker);
  if (!checked.ok() && checked.code() != StatusCode::kFailedPrecondition) return Fail(checked);
  if (flags.json) {
    Json answer = {{"ok", checked.ok()}, {"records", checker.checked()}, {"head", checker.head()}};
    if (!checked.ok()) answer["message"] = checked.message();
    PrintJson(answer);
  }
  if (checked.ok()) {
    if (!flags.json) {
      std::printf(
          "audit trail intact: the hash chain of %lld records verifies; the last hash is %s\n",
          static_cast<long long>(checker.checked()), checker.head().c_str());
    }
    return 0;
  }
  std::fprintf(stderr, "slipway: the audit trail does not verify: %s\n", checked.message().c_str());
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
