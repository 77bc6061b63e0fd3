// Parsing of command-line values with specific error messages.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

#include "common/error.hpp"
#include "common/types.hpp"

namespace l4sim {

inline u32 parse_u32(const std::string& s, const char* what) {
  try {
    size_t pos = 0;
    const unsigned long long v = std::stoull(s, &pos, 0);
    if (pos != s.size() || v > 0xFFFFFFFFull) throw std::invalid_argument(s);
    return static_cast<u32>(v);
  } catch (const std::exception&) {
    throw ConfigError(std::string(what) + ": '" + s + "' is not a 32-bit number");
  }
}

inline spdlog::level::level_enum parse_log_level(const std::string& s) {
  const auto l = spdlog::level::from_str(s);
  if (l == spdlog::level::off && s != "off") throw ConfigError("--log-level: unknown level '" + s + "'");
  return l;
}

}  // namespace l4sim
