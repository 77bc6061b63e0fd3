// Write policies of a tags-only cache model. The i486's on-chip cache is
// write-through with no allocation on write misses (Embedded Intel486 HRM §3.3;
// REFERENCE.md); write-back is the what-if (and the Pentium data cache's mode).
#pragma once

#include <optional>
#include <string_view>

#include "common/types.hpp"

namespace l4sim {

enum class WritePolicy : u8 {
  kWriteThrough,  // every write also goes to memory; lines are never dirty
  kWriteBack,     // write hits only dirty the line; memory is written when it is evicted
};

// "write-through" | "write-back"; nullopt for anything else (the caller names the key).
inline std::optional<WritePolicy> parse_write_policy(std::string_view name) {
  if (name == "write-through") return WritePolicy::kWriteThrough;
  if (name == "write-back") return WritePolicy::kWriteBack;
  return std::nullopt;
}

}  // namespace l4sim
