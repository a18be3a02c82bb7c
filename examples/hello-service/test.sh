#!/usr/bin/env bash
# Smoke test for hello-service: starts the binary on free ports, checks its answers over
# bash's /dev/tcp (no curl needed) and writes a JUnit XML report.
#
#   ./test.sh [BINARY] [REPORT]      defaults: build/hello reports/smoke.xml
#
# EXPECT_VERSION (default: the VERSION file) is the version GET / must report.
# Exits 0 when every check passed, 1 otherwise.
set -uo pipefail

bin=${1:-build/hello}
report=${2:-reports/smoke.xml}
here=$(cd "$(dirname "$0")" && pwd)
expect_version=${EXPECT_VERSION:-$(cat "$here/VERSION")}
suite="hello-service smoke ($(basename "$bin"))"

if [[ ! -x $bin ]]; then
  echo "test.sh: $bin is not an executable file (build it with make)" >&2
  exit 1
fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
mkdir -p "$(dirname "$report")"
tmp=$(mktemp -d)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

# --- tiny HTTP client and server control ---------------------------------------------------
port=""
status="" headers="" body=""

# start NAME [VAR=value...]: starts the binary on a free port; sets $port. Fails after 5 s.
start() {
  local name=$1 line i
  shift
  env HELLO_PORT=0 "$@" "$bin" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  pids+=($!)
  for ((i = 0; i < 100; i++)); do
    line=$(head -n 1 "$tmp/$name.out")
    if [[ $line =~ listening\ on\ [0-9.]+:([0-9]+)$ ]]; then
      port=${BASH_REMATCH[1]}
      return 0
    fi
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.05
  done
  echo "server '$name' did not start: $(cat "$tmp/$name.err")"
  return 1
}

# request METHOD PATH: sets $status, $headers and $body (trailing newlines dropped).
request() {
  local fd response
  exec {fd}<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf '%s %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$1" "$2" >&"$fd"
  response=$(timeout 10 cat <&"$fd")
  exec {fd}>&-
  headers=${response%%$'\r\n\r\n'*}
  body=${response#*$'\r\n\r\n'}
  status=${headers#HTTP/1.? }
  status=${status%% *}
}

# expect_response METHOD PATH STATUS [BODY]: prints what differs, fails if anything does.
expect_response() {
  request "$1" "$2" || { echo "cannot connect to port $port"; return 1; }
  if [[ $status != "$3" ]]; then
    echo "$1 $2: expected status $3, got '$status' (body '$body')"
    return 1
  fi
  if [[ $# -ge 4 && $body != "$4" ]]; then
    echo "$1 $2: expected body '$4', got '$body'"
    return 1
  fi
}

# --- the checks (each prints why it failed) --------------------------------------------------
test_starts() { start main; }
test_root_says_hello() { expect_response GET / 200 "hello from $expect_version"; }
test_healthz() { expect_response GET /healthz 200 ok; }
test_version_header() {
  request GET /healthz || return 1
  [[ $headers == *$'\r\nX-Hello-Version: '"$expect_version"* ]] ||
    { echo "no 'X-Hello-Version: $expect_version' header in: $headers"; return 1; }
}
test_unknown_path_is_404() { expect_response GET /nope 404; }
test_post_is_405() { expect_response POST / 405; }
test_version_override_and_error_rate() {
  start faulty HELLO_VERSION=2.0.0-canary HELLO_ERROR_RATE=1 || return 1
  expect_response GET / 500 error || return 1
  expect_response GET /healthz 200 ok || return 1
  request GET /healthz && [[ $headers == *'X-Hello-Version: 2.0.0-canary'* ]] ||
    { echo "HELLO_VERSION was not reported: $headers"; return 1; }
}
test_delay_still_answers() {
  start slow HELLO_DELAY_MS=20 || return 1
  expect_response GET / 200 "hello from $expect_version"
}
test_rejects_bad_settings() {
  local code
  HELLO_ERROR_RATE=2 HELLO_PORT=0 timeout 5 "$bin" >/dev/null 2>"$tmp/bad.err"
  code=$?
  [[ $code == 2 ]] || { echo "HELLO_ERROR_RATE=2: expected exit 2, got $code"; return 1; }
  [[ $(<"$tmp/bad.err") == *'HELLO_ERROR_RATE must be 0..1'* ]] ||
    { echo "no clear message: $(cat "$tmp/bad.err")"; return 1; }
}
test_stops_on_sigterm() {
  start stoppable || return 1
  local pid=${pids[-1]} i
  kill -TERM "$pid"
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.05
  done
  echo "still running 5 s after SIGTERM"
  return 1
}

# --- run them, write JUnit XML ---------------------------------------------------------------
xml_escape() {
  local s=${1//$'\r'/}
  s=${s//&/&amp;} s=${s//</&lt;} s=${s//>/&gt;} s=${s//\"/&quot;}
  printf '%s' "$s"
}

tests=(test_starts test_root_says_hello test_healthz test_version_header test_unknown_path_is_404
       test_post_is_405 test_version_override_and_error_rate test_delay_still_answers
       test_rejects_bad_settings test_stops_on_sigterm)
cases="" failures=0
# Seconds since $1 (an $EPOCHREALTIME value) with millisecond precision, in pure bash.
elapsed() {
  local us=$((${EPOCHREALTIME/./} - ${1/./}))
  printf '%d.%03d' $((us / 1000000)) $((us / 1000 % 1000))
}
suite_start=$EPOCHREALTIME
for t in "${tests[@]}"; do
  name=${t#test_}
  t0=$EPOCHREALTIME
  if [[ $t != test_starts && -z $port ]]; then
    out="skipped: the service did not start"
    rc=1
  else
    # Each check runs in this shell (start() must record pids), output captured per check.
    "$t" >"$tmp/check.out" 2>&1
    rc=$?
    out=$(cat "$tmp/check.out")
  fi
  if [[ $t == test_starts ]]; then main_port=$port; fi
  port=${main_port:-}
  secs=$(elapsed "$t0")
  if ((rc == 0)); then
    echo "PASS $name"
    cases+="    <testcase classname=\"hello-service.smoke\" name=\"$name\" time=\"$secs\"/>"$'\n'
  else
    echo "FAIL $name: $out"
    failures=$((failures + 1))
    msg=$(xml_escape "${out%%$'\n'*}")
    cases+="    <testcase classname=\"hello-service.smoke\" name=\"$name\" time=\"$secs\">"$'\n'
    cases+="      <failure message=\"$msg\">$(xml_escape "$out")</failure>"$'\n'
    cases+="    </testcase>"$'\n'
  fi
done
total=$(elapsed "$suite_start")

{
  echo '<?xml version="1.0" encoding="UTF-8"?>'
  echo "<testsuites tests=\"${#tests[@]}\" failures=\"$failures\" time=\"$total\">"
  echo "  <testsuite name=\"$(xml_escape "$suite")\" tests=\"${#tests[@]}\" failures=\"$failures\" errors=\"0\" skipped=\"0\" time=\"$total\">"
  printf '%s' "$cases"
  echo '  </testsuite>'
  echo '</testsuites>'
} >"$report"

echo "$(basename "$bin"): $((${#tests[@]} - failures)) passed, $failures failed (report: $report)"
((failures == 0))
