#include "loader/symbols.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace l4sim {

void SymbolTable::sort() const {
  if (sorted_) return;
  // Stable order for equal addresses (aliases): sized symbols first, then by
  // name, so lookups are deterministic.
  std::sort(syms_.begin(), syms_.end(), [](const Symbol& a, const Symbol& b) {
    if (a.addr != b.addr) return a.addr < b.addr;
    if ((a.size == 0) != (b.size == 0)) return a.size != 0;
    return a.name < b.name;
  });
  sorted_ = true;
}

const std::vector<Symbol>& SymbolTable::symbols() const {
  sort();
  return syms_;
}

const Symbol* SymbolTable::lookup(u32 addr) const {
  sort();
  auto it = std::upper_bound(syms_.begin(), syms_.end(), addr, [](u32 a, const Symbol& s) { return a < s.addr; });
  while (it != syms_.begin()) {
    --it;
    if (it->size != 0) {
      if (addr - it->addr < it->size) return &*it;
      continue;  // a sized symbol that ends before addr: try an enclosing one below
    }
    // Unsized (assembly labels): covers up to the next symbol at a higher address.
    auto next = std::upper_bound(it, syms_.end(), it->addr, [](u32 a, const Symbol& s) { return a < s.addr; });
    if (next == syms_.end() || addr < next->addr) return &*it;
    return nullptr;
  }
  return nullptr;
}

const Symbol* SymbolTable::find(const std::string& name) const {
  for (const Symbol& s : syms_)
    if (s.name == name) return &s;
  return nullptr;
}

std::string SymbolTable::describe(u32 addr) const {
  const Symbol* s = lookup(addr);
  if (!s) return {};
  return addr == s->addr ? s->name : fmt::format("{}+{:#x}", s->name, addr - s->addr);
}

}  // namespace l4sim
