//===- Json.h - the JSON subset of safetensors headers ----------*- C++ -*-===//

#ifndef TICK_RUNTIME_LIB_JSON_H
#define TICK_RUNTIME_LIB_JSON_H

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace tickrt::json {

/// A parsed JSON value. Numbers are kept only when they are integers that
/// fit in 64 bits: a safetensors header has no other numbers.
struct Value {
  enum Kind { Null, Bool, Integer, String, Array, Object } kind = Null;
  bool boolean = false;
  int64_t integer = 0;
  std::string string;
  std::vector<Value> array;
  std::vector<std::pair<std::string, Value>> object;

  const Value *find(const std::string &key) const;
};

/// Parses `text` strictly (no trailing commas, no duplicate keys, no
/// comments, nesting at most 16 deep). On failure returns false and sets
/// `error` to what is wrong and at which byte.
bool parse(const std::string &text, Value &out, std::string &error);

/// `s` as a JSON string literal.
std::string quote(const std::string &s);

} // namespace tickrt::json

#endif // TICK_RUNTIME_LIB_JSON_H
