// Reading the files a command is given, with a specific error for a missing
// or empty one.
#pragma once

#include <fmt/format.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/types.hpp"

namespace l4sim {

inline std::vector<u8> read_input_file(const std::string& path, const char* what, const char* hint = "") {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw ConfigError(fmt::format("cannot open {} '{}'{}", what, path, hint));
  std::vector<u8> v((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (v.empty()) throw ConfigError(fmt::format("{} '{}' is empty", what, path));
  return v;
}

}  // namespace l4sim
