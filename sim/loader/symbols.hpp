// Symbols of a loaded image (kernel or boot module), kept for reports and
// traces: "address → name+offset".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/types.hpp"

namespace l4sim {

struct Symbol {
  u32 addr = 0;
  u32 size = 0;  // 0 when the ELF file does not say
  std::string name;
};

class SymbolTable {
 public:
  void add(Symbol s) {
    syms_.push_back(std::move(s));
    sorted_ = false;
  }
  size_t size() const { return syms_.size(); }
  const std::vector<Symbol>& symbols() const;

  // The symbol covering `addr`: the nearest one at or below it, if `addr` lies
  // within its size (or, for symbols without a size, before the next symbol).
  const Symbol* lookup(u32 addr) const;
  const Symbol* find(const std::string& name) const;
  // "name+0x1c", or "" when no symbol covers the address.
  std::string describe(u32 addr) const;

 private:
  void sort() const;
  mutable std::vector<Symbol> syms_;
  mutable bool sorted_ = true;
};

}  // namespace l4sim
