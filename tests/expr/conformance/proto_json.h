// The conformance suite's values: proto3-JSON `cel.expr.Value` objects (int64Value and
// uint64Value as strings, doubleValue as a number or "NaN"/"Infinity"/"-Infinity", bytesValue in
// base64, listValue, mapValue entries with typed keys, typeValue, and objectValue holding a
// well-known type as a google.protobuf.Any) turned into slipway's expr::Value, plus the strict
// comparison and the printed form the runner reports with.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "expr/expr.h"

namespace slipway::conformance {

// Converts one proto3-JSON Value. Throws std::runtime_error naming what it cannot convert (a
// message type other than the well-known ones the extractor lets through).
expr::Value FromProtoJson(const nlohmann::json& value);

// Converts a proto3-JSON cel.expr.Type (a declaration's or a deduced type): primitives, null,
// dyn, wrappers, duration and timestamp, lists, maps, type(T), and the well-known message types
// slipway has as plain values. Throws std::runtime_error for other messages and abstract types.
expr::Type TypeFromProtoJson(const nlohmann::json& type);

// Whether two results are the same value, as the spec's runner compares them (protobuf
// equality of the result): same type (1 and 1u and 1.0 differ), same value, NaN equal to NaN,
// lists and maps element by element.
bool SameValue(const expr::Value& a, const expr::Value& b);

// A CEL-literal-like rendering with types visible: 1, 1u, 1.0, "s", b"\x01", [..], {k: v},
// duration("1.5s"), timestamp("1970-01-01T00:00:00Z"), type(int).
std::string Describe(const expr::Value& value);

}  // namespace slipway::conformance
