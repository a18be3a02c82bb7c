#!/usr/bin/env bash
# The deploy half of the demo (scripts/demo runs it first): the example service's pipeline
# deploys itself on this machine — staging (blue-green) then production (canary with
# analysis) behind slipway's built-in proxy — while a load generator sends it traffic:
#   release 1.0.0  first deploy of both environments
#   release 1.1.0  a good release, promoted through the canary steps
#   release 1.2.0  a bad one (half its answers are 500), rolled back by the canary judge
# with the proxy's live numbers printed between. Everything lives in a temp dir and stops at
# the end. Usage: scripts/demo_deploy.sh SLIPWAY_BINARY
set -euo pipefail
slipway="$(realpath "$1")"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/slipway-deploy-demo.XXXXXX)"
export SLIPWAY_STATE_DIR="$work/state"  # the environments live in the demo
load_pids=()
cleanup() {
  for pid in "${load_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -d "$work/repo" ]; then
    (cd "$work/repo" && for env in production staging; do
      "$slipway" env destroy "$env" --local >/dev/null 2>&1 || true
    done)
  fi
  wait 2>/dev/null || true
  [ -n "${SLIPWAY_DEMO_KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
production=http://127.0.0.1:18080/

# Commits a release: its version and its settings (hello.env, packaged with it).
release() {
  echo "$1" >VERSION
  printf 'HELLO_DELAY_MS=0\nHELLO_ERROR_RATE=%s\n' "$2" >hello.env
  git add -A
  git -c user.name=demo -c user.email=demo@example.com commit -qm "release $1"
}

# `slipway run`, showing the deploy jobs' lines and the summary table.
run() {
  local status=0
  "$slipway" run --secret DEMO_TOKEN=s3cr3t-demo-token >"$work/run.log" 2>&1 || status=$?
  grep -E '^\[deploy-|^JOB|^(check|build|test|package|deploy-)|^pipeline' "$work/run.log" || true
  return $status
}

cp -r "$root/examples/hello-service" "$work/repo"
cd "$work/repo"
git init -q -b main

step "release 1.0.0: slipway run deploys staging (blue-green) and production (canary)"
release 1.0.0 0
run
printf 'production answers: %s' "$(curl -s "$production")"

step "traffic: two clients, about 60 requests/s to production ($production)"
for _ in 1 2; do
  (while :; do curl -s -o /dev/null "$production" || true; sleep 0.03; done) &
  load_pids+=($!)
done
sleep 2
"$slipway" env status production --local

step "release 1.1.0 (good): canary 20% -> analysis -> 60% -> 100%"
release 1.1.0 0
run
"$slipway" env status production --local

step "release 1.2.0 (bad: HELLO_ERROR_RATE=0.5): the canary judge rolls it back on its own"
release 1.2.0 0.5
if run; then
  echo "demo: the bad release was not rolled back" >&2
  exit 1
fi
"$slipway" env status production --local
printf 'production answers: %s' "$(curl -s "$production")"

step "the judge's numbers: slipway analysis list / show"
"$slipway" analysis list production --local
last=$("$slipway" analysis list production --local | awk 'NR > 1 { id = $1 } END { print id }')
"$slipway" analysis show "$last" --local

step "slipway env history production --local"
"$slipway" env history production --local
