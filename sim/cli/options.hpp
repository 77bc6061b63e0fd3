// Parsing a command's options: help, unknown options and missing values are
// handled the same way for every command.
#pragma once

#include <boost/program_options.hpp>
#include <iostream>
#include <string>
#include <vector>

namespace l4sim {

// Parses `args` into the variables bound in `desc`. Returns false when help
// was asked for (and printed); throws boost::program_options::error on bad
// options, which main() reports with exit status 2.
inline bool parse_options(const boost::program_options::options_description& desc, const std::vector<std::string>& args,
                          boost::program_options::variables_map& vm) {
  namespace po = boost::program_options;
  po::store(po::command_line_parser(args).options(desc).run(), vm);
  if (vm.count("help")) {
    std::cout << desc;
    return false;
  }
  po::notify(vm);
  return true;
}

}  // namespace l4sim
