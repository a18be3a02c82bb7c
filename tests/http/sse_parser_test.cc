// The SSE parser against the WHATWG event stream rules that streams cut at arbitrary points
// exercise: CR, LF and CRLF line ends (a CRLF split across two reads is one line end), a BOM,
// and the last event ID, which persists across events and moves at every blank line.
#include "http/sse_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace slipway::http::testing {
namespace {

// Feeds `pieces` one after the other, as separate reads.
std::vector<SseEvent> FeedPieces(internal::SseParser& parser,
                                 const std::vector<std::string>& pieces) {
  std::vector<SseEvent> events;
  for (const std::string& piece : pieces) {
    for (SseEvent& event : parser.Feed(piece)) events.push_back(std::move(event));
  }
  return events;
}

std::vector<std::string> Data(const std::vector<SseEvent>& events) {
  std::vector<std::string> data;
  for (const SseEvent& event : events) data.push_back(event.data);
  return data;
}

TEST(SseParserTest, CrlfSplitAcrossReadsEndsOneLine) {
  internal::SseParser parser;
  // The CR ends "data: a"; the LF at the start of the next read is its pair, not a blank
  // line: the event goes on with "data: b" and ends at the blank line after it.
  auto events = FeedPieces(parser, {"data: a\r", "\ndata: b\r", "\n\r", "\n"});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "a\nb");
}

TEST(SseParserTest, LoneCrAndLfAndCrlfAllEndLines) {
  internal::SseParser parser;
  auto events = FeedPieces(parser, {"data: cr\r\rdata: lf\n\ndata: crlf\r\n\r\n"});
  EXPECT_EQ(Data(events), (std::vector<std::string>{"cr", "lf", "crlf"}));
  // Two CRs are two line ends: the second one is a blank line, which dispatches.
  internal::SseParser two;
  events = FeedPieces(two, {"data: x\r", "\r"});
  EXPECT_EQ(Data(events), (std::vector<std::string>{"x"}));
}

TEST(SseParserTest, EveryCutOfTheSameStreamGivesTheSameEvents) {
  const std::string wire = ": hello\r\nid: 1\r\nevent: log\r\ndata: one\r\ndata: two\r\n\r\n" +
                           std::string("data:three\rid: 2\r\r") + "data: four\n\n";
  internal::SseParser whole;
  const auto expected = FeedPieces(whole, {wire});
  ASSERT_EQ(Data(expected), (std::vector<std::string>{"one\ntwo", "three", "four"}));
  for (size_t cut = 1; cut < wire.size(); ++cut) {
    internal::SseParser parser;
    auto events = FeedPieces(parser, {wire.substr(0, cut), wire.substr(cut)});
    ASSERT_EQ(Data(events), Data(expected)) << "cut at " << cut;
    EXPECT_EQ(events[0].id, "1") << "cut at " << cut;
    EXPECT_EQ(events[1].id, "2") << "cut at " << cut;
    EXPECT_EQ(events[2].id, "2") << "cut at " << cut;  // no id of its own
  }
}

TEST(SseParserTest, ALeadingByteOrderMarkIsIgnoredEvenWhenSplit) {
  internal::SseParser parser;
  auto events = FeedPieces(parser, {"\xEF", "\xBB",
                                    "\xBF"
                                    "data: after bom\n\n"});
  EXPECT_EQ(Data(events), (std::vector<std::string>{"after bom"}));
  // Bytes that only start like a BOM are text.
  internal::SseParser other;
  events = FeedPieces(other, {"\xEF", "data: x\n\n"});
  ASSERT_EQ(events.size(), 0u);  // "\xEF" "data: x" is an unknown field
  events = FeedPieces(other, {"data: y\n\n"});
  EXPECT_EQ(Data(events), (std::vector<std::string>{"y"}));
}

TEST(SseParserTest, TheLastEventIdPersistsAndMovesAtBlankLines) {
  internal::SseParser parser("7");
  EXPECT_EQ(parser.last_event_id(), "7");  // a reconnection keeps where it was
  auto events = FeedPieces(parser, {"data: no id\n\n"});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].id, "7");  // an event without an id keeps the one before

  // An id in an event that has not ended yet is not the resume point: if the connection
  // broke now, that event would be lost.
  FeedPieces(parser, {"id: 8\ndata: half"});
  EXPECT_EQ(parser.last_event_id(), "7");
  events = FeedPieces(parser, {"\n\n"});
  EXPECT_EQ(events[0].id, "8");
  EXPECT_EQ(parser.last_event_id(), "8");

  // A block with an id and no data dispatches nothing but moves the resume point.
  events = FeedPieces(parser, {"id: 9\n\n"});
  EXPECT_TRUE(events.empty());
  EXPECT_EQ(parser.last_event_id(), "9");

  // An id with NUL is ignored; an empty id clears it.
  FeedPieces(parser, {std::string("id: 1\0"
                                  "0\n\n",
                                  9)});
  EXPECT_EQ(parser.last_event_id(), "9");
  FeedPieces(parser, {"id\n\n"});
  EXPECT_EQ(parser.last_event_id(), "");
}

}  // namespace
}  // namespace slipway::http::testing
