// `l4sim run`: boot a kernel (multiboot), a ROM (reset boot) or a raw image and
// run it to completion, reporting why it stopped.
#pragma once

#include <string>
#include <vector>

namespace l4sim {

int run_command(const std::vector<std::string>& args, const char* version);

}  // namespace l4sim
