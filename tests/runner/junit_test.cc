#include "runner/junit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace slipway::runner {
namespace {

using ::testing::HasSubstr;
using Status = TestCase::Status;

std::vector<TestCase> Parse(std::string_view xml) {
  Result<std::vector<TestCase>> tests = ParseJUnit(xml, "report.xml");
  EXPECT_TRUE(tests.ok()) << tests.status().ToString();
  return tests.ok() ? *tests : std::vector<TestCase>{};
}

TEST(JUnitTest, ParsesSurefireReport) {
  const char* xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" name="com.example.CalculatorTest" time="1,234.5" tests="4" errors="1" skipped="1" failures="1">
  <properties>
    <property name="java.version" value="17.0.9"/>
  </properties>
  <testcase name="adds" classname="com.example.CalculatorTest" time="0.012"/>
  <testcase name="divides" classname="com.example.CalculatorTest" time="1,001.5">
    <failure message="expected: &lt;2&gt; but was: &lt;3&gt;" type="org.opentest4j.AssertionFailedError"><![CDATA[org.opentest4j.AssertionFailedError: expected: <2> but was: <3>
	at com.example.CalculatorTest.divides(CalculatorTest.java:21)
]]></failure>
    <system-out><![CDATA[dividing 6 by 3
]]></system-out>
  </testcase>
  <testcase name="connects" classname="com.example.CalculatorTest" time="0.5">
    <error type="java.net.ConnectException">java.net.ConnectException: refused</error>
  </testcase>
  <testcase name="later" classname="com.example.CalculatorTest" time="0">
    <skipped message="not implemented yet"/>
  </testcase>
</testsuite>
)";
  const std::vector<TestCase> tests = Parse(xml);
  ASSERT_EQ(tests.size(), 4u);
  EXPECT_EQ(tests[0].suite, "com.example.CalculatorTest");
  EXPECT_EQ(tests[0].classname, "com.example.CalculatorTest");
  EXPECT_EQ(tests[0].name, "adds");
  EXPECT_EQ(tests[0].status, Status::kPassed);
  EXPECT_DOUBLE_EQ(tests[0].seconds, 0.012);
  EXPECT_TRUE(tests[0].message.empty());

  EXPECT_EQ(tests[1].status, Status::kFailed);
  EXPECT_DOUBLE_EQ(tests[1].seconds, 1001.5);
  EXPECT_THAT(tests[1].message, ::testing::StartsWith("expected: <2> but was: <3>\n"));
  EXPECT_THAT(tests[1].message, HasSubstr("at com.example.CalculatorTest.divides"));
  EXPECT_EQ(tests[1].output, "dividing 6 by 3");

  EXPECT_EQ(tests[2].status, Status::kError);
  EXPECT_EQ(tests[2].message, "java.net.ConnectException\njava.net.ConnectException: refused");

  EXPECT_EQ(tests[3].status, Status::kSkipped);
  EXPECT_EQ(tests[3].message, "not implemented yet");
}

TEST(JUnitTest, ParsesPytestReport) {
  const char* xml =
      R"(<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="4" time="0.081" timestamp="2024-05-01T12:00:00.000000" hostname="ci"><testcase classname="tests.test_api" name="test_ok" time="0.001" /><testcase classname="tests.test_api" name="test_bad[param-1]" time="0.002"><failure message="assert 1 == 2">def test_bad():
&gt;       assert 1 == 2
E       assert 1 == 2

tests/test_api.py:7: AssertionError</failure></testcase><testcase classname="tests.test_api" name="test_fixture" time="0.000"><error message="failed on setup with &quot;fixture 'db' not found&quot;">file tests/test_api.py, line 9</error></testcase><testcase classname="tests.test_api" name="test_later" time="0.000"><skipped type="pytest.skip" message="no network">tests/test_api.py:12: no network</skipped></testcase></testsuite></testsuites>)";
  const std::vector<TestCase> tests = Parse(xml);
  ASSERT_EQ(tests.size(), 4u);
  EXPECT_EQ(tests[0].suite, "pytest");
  EXPECT_EQ(tests[0].status, Status::kPassed);
  EXPECT_EQ(tests[1].name, "test_bad[param-1]");
  EXPECT_EQ(tests[1].status, Status::kFailed);
  EXPECT_THAT(tests[1].message, HasSubstr(">       assert 1 == 2"));
  EXPECT_EQ(tests[2].status, Status::kError);
  EXPECT_THAT(tests[2].message, HasSubstr("fixture 'db' not found"));
  EXPECT_EQ(tests[3].status, Status::kSkipped);
  EXPECT_EQ(tests[3].message, "no network\ntests/test_api.py:12: no network");
}

TEST(JUnitTest, ParsesJestJunitReport) {
  const char* xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="3" failures="1" errors="0" time="1.52">
  <testsuite name="cart" errors="0" failures="1" skipped="1" timestamp="2024-05-01T12:00:00" time="1.2" tests="3">
    <testcase classname="cart adds items" name="cart adds items" time="0.004">
    </testcase>
    <testcase classname="cart totals" name="cart totals" time="0.01">
      <failure>Error: expect(received).toBe(expected) // Object.is equality

Expected: 3
Received: 4
    at Object.&lt;anonymous&gt; (/app/cart.test.js:12:20)</failure>
    </testcase>
    <testcase classname="cart checkout" name="cart checkout" time="0">
      <skipped/>
    </testcase>
  </testsuite>
</testsuites>
)";
  const std::vector<TestCase> tests = Parse(xml);
  ASSERT_EQ(tests.size(), 3u);
  EXPECT_EQ(tests[1].suite, "cart");
  EXPECT_EQ(tests[1].status, Status::kFailed);
  EXPECT_THAT(tests[1].message, ::testing::StartsWith("Error: expect(received).toBe(expected)"));
  EXPECT_THAT(tests[1].message, HasSubstr("Object.<anonymous>"));
  EXPECT_EQ(tests[2].status, Status::kSkipped);
  EXPECT_EQ(tests[2].message, "");
}

TEST(JUnitTest, NestedSuitesUseTheInnermostName) {
  const char* xml = R"(<testsuites>
  <testsuite name="outer">
    <testcase classname="A" name="direct"/>
    <testsuite name="inner">
      <testcase classname="B" name="nested"/>
      <testsuite>
        <testcase classname="C" name="unnamed-suite"/>
      </testsuite>
    </testsuite>
  </testsuite>
</testsuites>)";
  const std::vector<TestCase> tests = Parse(xml);
  ASSERT_EQ(tests.size(), 3u);
  EXPECT_EQ(tests[0].suite, "outer");
  EXPECT_EQ(tests[1].suite, "inner");
  EXPECT_EQ(tests[2].suite, "inner");
}

TEST(JUnitTest, FlakyFailureOfARerunLeavesThePass) {
  const char* xml = R"(<testsuite name="s"><testcase classname="A" name="t" time="0.2">
    <flakyFailure message="timing" type="AssertionError">first attempt failed</flakyFailure>
    <system-out>retrying</system-out><system-err>warn</system-err>
  </testcase></testsuite>)";
  const std::vector<TestCase> tests = Parse(xml);
  ASSERT_EQ(tests.size(), 1u);
  EXPECT_EQ(tests[0].status, Status::kPassed);
  EXPECT_EQ(tests[0].output, "retrying\nwarn");
}

TEST(JUnitTest, EmptyReportHasNoTests) {
  EXPECT_TRUE(Parse("<testsuites/>").empty());
  EXPECT_TRUE(Parse(R"(<testsuite name="none" tests="0"></testsuite>)").empty());
}

TEST(JUnitTest, UnreadableTimeIsZero) {
  const std::vector<TestCase> tests = Parse(
      R"(<testsuite><testcase name="a" time="soon"/><testcase name="b" time="-1"/></testsuite>)");
  ASSERT_EQ(tests.size(), 2u);
  EXPECT_EQ(tests[0].seconds, 0);
  EXPECT_EQ(tests[1].seconds, 0);
}

TEST(JUnitTest, LongMessagesAreCapped) {
  const std::string trace(200000, 'x');
  const std::vector<TestCase> tests = Parse("<testsuite><testcase name=\"a\"><failure>" + trace +
                                            "</failure></testcase></testsuite>");
  ASSERT_EQ(tests.size(), 1u);
  EXPECT_LT(tests[0].message.size(), kMaxTestMessageBytes + 100);
  EXPECT_THAT(tests[0].message, HasSubstr("(truncated)"));
}

TEST(JUnitTest, MalformedXmlNamesFileLineAndColumn) {
  Result<std::vector<TestCase>> tests = ParseJUnit(
      "<testsuite>\n  <testcase name=\"a\">\n  </testsuite>\n", "build/reports/TEST-a.xml");
  ASSERT_FALSE(tests.ok());
  EXPECT_EQ(tests.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(tests.status().message(), HasSubstr("build/reports/TEST-a.xml:3:"));
  EXPECT_THAT(tests.status().message(), HasSubstr("malformed XML"));
}

TEST(JUnitTest, TruncatedFileIsAnError) {
  Result<std::vector<TestCase>> tests =
      ParseJUnit(R"(<testsuite name="s"><testcase name="a" time="0.1"/><testca)", "r.xml");
  ASSERT_FALSE(tests.ok());
  EXPECT_THAT(tests.status().message(), HasSubstr("r.xml:1:"));
}

TEST(JUnitTest, OtherXmlIsNotAReport) {
  Result<std::vector<TestCase>> tests = ParseJUnit("<html><body/></html>", "index.xml");
  ASSERT_FALSE(tests.ok());
  EXPECT_THAT(tests.status().message(), HasSubstr("index.xml: not a JUnit report"));
  EXPECT_THAT(tests.status().message(), HasSubstr("<html>"));
  EXPECT_FALSE(ParseJUnit("", "empty.xml").ok());
}

TEST(JUnitTest, OversizedReportIsRejected) {
  const std::string huge(kMaxJUnitBytes + 1, ' ');
  Result<std::vector<TestCase>> tests = ParseJUnit(huge, "huge.xml");
  ASSERT_FALSE(tests.ok());
  EXPECT_EQ(tests.status().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(tests.status().message(), HasSubstr("huge.xml"));
}

TEST(JUnitTest, DeeplyNestedSuitesAreRejected) {
  std::string xml;
  for (int i = 0; i < 100; ++i) xml += "<testsuite>";
  for (int i = 0; i < 100; ++i) xml += "</testsuite>";
  Result<std::vector<TestCase>> tests = ParseJUnit(xml, "deep.xml");
  ASSERT_FALSE(tests.ok());
  EXPECT_THAT(tests.status().message(), HasSubstr("nested deeper"));
}

TEST(JUnitTest, ExternalEntitiesAreNotLoaded) {
  const char* xml = R"(<?xml version="1.0"?>
<!DOCTYPE testsuite [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<testsuite><testcase name="a"><failure message="&xxe;">x</failure></testcase></testsuite>)";
  Result<std::vector<TestCase>> tests = ParseJUnit(xml, "xxe.xml");
  ASSERT_TRUE(tests.ok()) << tests.status().ToString();
  ASSERT_EQ(tests->size(), 1u);
  EXPECT_THAT((*tests)[0].message, ::testing::Not(HasSubstr("root:")));
}

TEST(JUnitTest, ReadsFileAndReportsMissingFile) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("junit_test_" + std::to_string(getpid()) + ".xml");
  std::ofstream(path) << R"(<testsuite name="s"><testcase name="a"/></testsuite>)";
  Result<std::vector<TestCase>> tests = ReadJUnitFile(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(tests.ok()) << tests.status().ToString();
  EXPECT_EQ(tests->size(), 1u);
  Result<std::vector<TestCase>> missing = ReadJUnitFile(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace slipway::runner
