// The @bufbuild/cel side of bench/expr/run: the same 10 rules over the same document as
// expr_gate.cc. Prints one JSON line: prepare (parse + plan) µs per rule, evaluations/s, results.
// Usage: node cel_gate.mjs RULES INPUT ITERATIONS
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const require = createRequire(new URL("../../tests/expr/conformance/", import.meta.url));
const { celEnv, parse, plan, isCelError } = require("@bufbuild/cel");

const [rulesFile, inputFile, iterationsText] = process.argv.slice(2);
const rules = readFileSync(rulesFile, "utf8").split("\n").filter((l) => l.trim() !== "");
const iterations = Number(iterationsText);

// JSON as CEL input the way slipway reads it: objects are maps, integers int (bigint), other
// numbers double. (The document has no integral doubles, so Number.isInteger decides.)
function toCel(v) {
  if (Array.isArray(v)) return v.map(toCel);
  if (v !== null && typeof v === "object")
    return new Map(Object.entries(v).map(([k, e]) => [k, toCel(e)]));
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  return v;
}
const document = JSON.parse(readFileSync(inputFile, "utf8"));
const bindings = Object.fromEntries(Object.entries(document).map(([k, v]) => [k, toCel(v)]));

const env = celEnv();
const prepareRounds = 200;
let start = performance.now();
let plans;
for (let i = 0; i < prepareRounds; i++) plans = rules.map((rule) => plan(env, parse(rule)));
const prepareUs = ((performance.now() - start) * 1000) / (prepareRounds * rules.length);

const results = plans.map((p) => {
  const r = p(bindings);
  return isCelError(r) ? `error: ${r.message}` : r;
});
for (let i = 0; i < Math.min(iterations, 2000); i++) for (const p of plans) p(bindings);  // warm-up
start = performance.now();
let trues = 0;
for (let i = 0; i < iterations; i++) for (const p of plans) if (p(bindings) === true) trues++;
const seconds = (performance.now() - start) / 1000;
console.log(JSON.stringify({
  prepare_us: prepareUs,
  evals_per_sec: (iterations * rules.length) / seconds,
  all_true: trues === iterations * rules.length,
  results,
}));
