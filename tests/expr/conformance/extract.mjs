// Flattens the cel-spec conformance suite shipped by @bufbuild/cel-spec (testdata/conformance.js:
// nested suites of proto3-JSON `SimpleTest` objects) into one plain JSON array that the C++
// runner (conformance_main.cc) reads, and decides here which cases are skipped and why.
//
// Usage: node extract.mjs OUT.json
// Each case: {file, section, name, expr, bindings?, check, types?, deducedType?,
//              expect: "value"|"error"|"type", value?, skip?}
// `check`: type-check before evaluating (the suite's disableCheck unset); `types`: the declared
// variables' types (proto3-JSON cel.expr.Type by name); `deducedType`: the type the checker must
// deduce; expect "type": check only, nothing is evaluated. `skip` is one of the SKIP reasons
// below (absent when the case runs).
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";

const require = createRequire(import.meta.url);
const { tests } = require("@bufbuild/cel-spec/testdata/conformance.js");

// Why a case is not run. Each names a feature slipway does not have on purpose or cannot have
// without protobuf descriptors.
const SKIP = {
  proto: "protobuf message types",
  container: "container (proto package) resolution",
  functionDecls: "declares functions or abstract types",
  unknowns: "unknown / partial-state results",
};

// Files that exercise protobuf messages, enums and extensions throughout.
const PROTO_FILES = new Set([
  "dynamic", "enums", "proto2", "proto2_ext", "proto3", "wrappers", "namespace",
]);

// Well-known types the runner converts to plain CEL values; any other `@type` is a message.
const WELL_KNOWN = new Set([
  "google.protobuf.Duration", "google.protobuf.Timestamp", "google.protobuf.Value",
  "google.protobuf.Struct", "google.protobuf.ListValue", "google.protobuf.Int32Value",
  "google.protobuf.Int64Value", "google.protobuf.UInt32Value", "google.protobuf.UInt64Value",
  "google.protobuf.FloatValue", "google.protobuf.DoubleValue", "google.protobuf.BoolValue",
  "google.protobuf.StringValue", "google.protobuf.BytesValue",
]);

// Whether a proto3-JSON value (or anything nested in it) holds a message or an enum.
function needsMessages(v) {
  if (v === null || typeof v !== "object") return false;
  if (v.objectValue) {
    const type = String(v.objectValue["@type"] ?? "").replace(/^type\.googleapis\.com\//, "");
    if (!WELL_KNOWN.has(type)) return true;
  }
  if (v.enumValue) return true;
  if (typeof v.typeValue === "string" && /^cel\.expr\.conformance\./.test(v.typeValue)) return true;
  return Object.values(v).some(needsMessages);
}

// Whether an expression names a message type, constructs a message (`pkg.Msg{…}`), or uses
// the conformance test protos.
function exprNeedsMessages(expr) {
  return /TestAllTypes|NestedTestAllTypes|cel\.expr\.conformance|GlobalEnum|NestedEnum/.test(expr) ||
    /\b(google\.protobuf\.)?[A-Z]\w*\s*\{/.test(expr);
}

function skipReason(file, t) {
  if (PROTO_FILES.has(file)) return SKIP.proto;
  if (t.container) return SKIP.container;
  if (exprNeedsMessages(t.expr)) return SKIP.proto;
  if ((t.typeEnv ?? []).some((d) => JSON.stringify(d).includes("messageType"))) return SKIP.proto;
  if (needsMessages(t.bindings) || needsMessages(t.value) || needsMessages(t.typedResult))
    return SKIP.proto;
  if ((t.typeEnv ?? []).some((d) => d.function) || /abstractType|typeParam/.test(JSON.stringify(t)))
    return SKIP.functionDecls;
  if (t.unknown || t.anyUnknowns) return SKIP.unknowns;
  return undefined;
}

const cases = [];
function walk(suite, path) {
  for (const test of suite.tests ?? []) {
    const t = test.original;
    const c = { file: path[0], section: path.slice(1).join("/"), name: t.name, expr: t.expr };
    if (t.bindings) {
      c.bindings = {};
      for (const [name, exprValue] of Object.entries(t.bindings)) c.bindings[name] = exprValue.value;
    }
    c.check = !t.disableCheck;
    for (const decl of t.typeEnv ?? []) {
      if (decl.ident) (c.types ??= {})[decl.name] = decl.ident.type;
    }
    if (t.typedResult?.deducedType) c.deducedType = t.typedResult.deducedType;
    if (t.checkOnly || (t.typedResult && !t.typedResult.result)) {
      c.expect = "type";
    } else if (t.evalError || t.anyEvalErrors) {
      c.expect = "error";
    } else {
      c.expect = "value";
      // A SimpleTest with no result set expects `true`.
      c.value = t.value ?? t.typedResult?.result ?? { boolValue: true };
    }
    const skip = skipReason(c.file, t);
    if (skip) c.skip = skip;
    cases.push(c);
  }
  for (const child of suite.suites ?? []) walk(child, [...path, child.name]);
}
for (const file of tests.suites) walk(file, [file.name]);

if (process.argv.length !== 3) {
  console.error("usage: node extract.mjs OUT.json");
  process.exit(2);
}
writeFileSync(process.argv[2], JSON.stringify(cases));
console.log(`extract: ${cases.length} cases, ${cases.filter((c) => !c.skip).length} to run`);
