#!/usr/bin/env bash
# Builds the expression fuzz targets (CMake preset "fuzz": clang, libFuzzer, ASan + UBSan, in
# build-fuzz/) and runs each for SECONDS on one core, one after the other, seeded with the
# cel-spec conformance expressions (when scripts/setup installed them) and fuzz/seeds/.
# Findings land in build-fuzz/findings/TARGET/ (crash-*, timeout-*, oom-*); the exit status is
# 1 when any target found one. Not part of .ci/run: a useful run takes minutes.
#
# Usage: fuzz/run.sh [SECONDS=60] [TARGET...]   (targets: expr_parse_fuzzer expr_eval_fuzzer)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(expr_parse_fuzzer expr_eval_fuzzer)

# clang with libFuzzer's runtime (Debian: clang, and libclang-rt-*-dev which it recommends).
if ! command -v clang++ >/dev/null || ! compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "fuzz: installing clang and libFuzzer"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq clang >/dev/null
fi

cmake --preset fuzz >/dev/null
ninja -C build-fuzz -j2 "${targets[@]}"

# Seeds: every conformance expression, one per file, plus the hand-written ones.
seeds=build-fuzz/seeds
rm -rf "$seeds" && mkdir -p "$seeds"
cp fuzz/seeds/* "$seeds/"
cases=tests/expr/conformance/node_modules/@bufbuild/cel-spec
if [ -d "$cases" ]; then
  node tests/expr/conformance/extract.mjs build-fuzz/conformance_cases.json >/dev/null
  node -e '
    const fs = require("fs");
    const cases = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    cases.forEach((c, i) => fs.writeFileSync(`${process.argv[2]}/conformance-${i}`, c.expr));
  ' build-fuzz/conformance_cases.json "$seeds"
fi

status=0
for target in "${targets[@]}"; do
  corpus=build-fuzz/corpus/$target findings=build-fuzz/findings/$target
  mkdir -p "$corpus" "$findings"
  echo "fuzz: $target for ${seconds}s (corpus $corpus, findings $findings)"
  log=build-fuzz/$target.log
  # -timeout: one input taking over 10 s is a hang; -rss_limit_mb: memory growth is a finding.
  if ! build-fuzz/fuzz/$target "$corpus" "$seeds" -dict=fuzz/cel.dict -max_total_time="$seconds" \
      -timeout=10 -rss_limit_mb=2048 -max_len=512 -print_final_stats=1 \
      -artifact_prefix="$findings/" >"$log" 2>&1; then
    status=1
  fi
  grep -E "^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|^Done|SUMMARY|ERROR" "$log" || true
  echo "fuzz: $target corpus $(ls "$corpus" | wc -l) inputs; findings: $(ls "$findings" | wc -l)"
done
exit $status
