#!/usr/bin/env bash
# The server half of the demo (scripts/demo runs it after the local run): the same pipeline,
# now as a team would run it — `slipway server` on embedded SQLite, a remote `slipway agent`,
# and the CLI client. Everything lives in a temp dir and stops when the script ends.
# Usage: scripts/demo_server.sh SLIPWAY_BINARY
set -euo pipefail
slipway="$1"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/slipway-demo.XXXXXX)"
pids=()
cleanup() {
  # The environments' processes outlive the server: take them down while it still answers.
  for env in production staging; do
    "$slipway" env destroy "$env" --project hello >/dev/null 2>&1 || true
  done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${SLIPWAY_DEMO_KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
export SLIPWAY_CONFIG_DIR="$work/config"  # the client's credentials stay in the demo

step() { printf '\n== %s\n' "$*"; }

step "a git repository holding the example service"
cp -r "$root/examples/hello-service" "$work/repo"
git -C "$work/repo" init -q -b main
git -C "$work/repo" add -A
git -C "$work/repo" -c user.name=demo -c user.email=demo@example.com commit -qm "hello-service"
git -C "$work/repo" log --oneline

step "slipway server --data $work/data --listen 127.0.0.1:0 (SQLite, one embedded agent)"
"$slipway" server --data "$work/data" --listen 127.0.0.1:0 >"$work/server.log" 2>&1 &
pids+=($!)
url=""
for _ in $(seq 100); do
  url="$(grep -o 'listening on http://[0-9.:]*' "$work/server.log" | cut -d' ' -f3 || true)"
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$work/server.log"; echo "demo: the server did not start" >&2; exit 1; }
cat "$work/server.log"

step "slipway login with the initial admin token"
"$slipway" login --server "$url" --token-file "$work/data/initial-admin-token"

step "slipway project add hello --repo $work/repo"
"$slipway" project add hello --repo "$work/repo"

step "a remote agent: slipway agent --server $url --token <registration token> --labels demo"
registration="$("$slipway" token create demo-agents --kind registration --json |
  grep -o "slw_[A-Za-z0-9_-]*")"
"$slipway" agent --server "$url" --token "$registration" --name demo-agent --labels demo \
  --work-dir "$work/agent" >"$work/agent.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  "$slipway" agents --json | grep -q '"demo-agent"' && break
  sleep 0.1
done
"$slipway" agents

step "slipway runs start hello --wait"
"$slipway" runs start hello --wait

step "slipway runs show hello/1"
"$slipway" runs show hello/1

step "slipway logs hello/1/package"
"$slipway" logs hello/1/package | tail -n 12

step "slipway logs hello/1/deploy-production (run by the server's deploy agent)"
"$slipway" logs hello/1/deploy-production

step "slipway env status production --project hello"
"$slipway" env status production --project hello

step "slipway audit verify (the hash-chained audit log)"
"$slipway" audit verify
