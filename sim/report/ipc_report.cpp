#include "report/ipc_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <sstream>

namespace l4sim {

Spread spread_of(std::vector<u64> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return Spread{v.front(), v.back(), n % 2 ? double(v[n / 2]) : (double(v[n / 2 - 1]) + double(v[n / 2])) / 2};
}

IpcScenario summarize(const std::string& name, std::vector<const IpcRecord*> warm, const IpcRecord* cold) {
  IpcScenario s;
  s.name = name;
  s.warm = std::move(warm);
  s.cold = cold;
  if (s.warm.empty()) return s;
  std::vector<u64> c;
  for (const IpcRecord* r : s.warm) c.push_back(r->cycles);
  const Spread sp = spread_of(std::move(c));
  s.min = sp.min;
  s.max = sp.max;
  s.median = sp.median;
  // Integer sums, one division each: the means are exact where they can be.
  u64 cycles = 0, entry_exit = 0, base = 0, instr = 0, tlb = 0, tlb_c = 0, cache = 0, cache_c = 0, stall = 0, after = 0,
      after_c = 0, cr3 = 0, cr3_c = 0, lost = 0, refills = 0, refills_c = 0, switches = 0;
  for (const IpcRecord* r : s.warm) {
    const CycleCauses& k = r->causes;
    cycles += r->cycles;
    entry_exit += r->entry_base + r->exit_base;
    base += k.base;
    instr += r->kernel_instructions;
    tlb += r->tlb_misses;
    tlb_c += k.tlb_refill;
    cache += r->cache_misses;
    cache_c += k.cache_miss;
    stall += k.agi + k.decode + k.partial_reg + k.misaligned + k.branch + k.write_buffer;
    after += r->after_tlb_misses;
    after_c += r->after_tlb_cycles;
    cr3 += r->cr3_loads;
    if (r->as_switch) {
      ++switches;
      cr3_c += r->cr3_load_cycles;
      lost += r->tlb_entries_lost;
      refills += r->refills_after_switch;
      refills_c += r->refill_cycles_after_switch;
    }
  }
  const double n = double(s.warm.size());
  IpcDecomposition& d = s.d;
  s.mean = double(cycles) / n;
  d.entry_exit = double(entry_exit) / n;
  d.other_instructions = double(base - entry_exit) / n;
  d.kernel_instructions = double(instr) / n;
  d.tlb_misses = double(tlb) / n;
  d.tlb_cycles = double(tlb_c) / n;
  d.cache_misses = double(cache) / n;
  d.cache_cycles = double(cache_c) / n;
  d.stall_cycles = double(stall) / n;
  d.after_tlb_misses = double(after) / n;
  d.after_tlb_cycles = double(after_c) / n;
  d.cr3_loads = double(cr3) / n;
  if (switches) {
    const double m = double(switches);
    d.cr3_load_cycles = double(cr3_c) / m;
    d.tlb_entries_lost = double(lost) / m;
    d.refills_after_switch = double(refills) / m;
    d.refill_cycles_after_switch = double(refills_c) / m;
  }
  d.total = d.entry_exit + d.other_instructions + d.tlb_cycles + d.cache_cycles + d.stall_cycles;
  d.lower_bound = d.entry_exit + d.other_instructions + d.stall_cycles;
  // The median IPC is the one shown.
  for (const IpcRecord* r : s.warm)
    if (double(r->cycles) == s.median || (!s.example && r->cycles >= s.median)) {
      s.example = r;
      if (double(r->cycles) == s.median) break;
    }
  return s;
}

std::string format_report(const IpcScenario& s, double mhz, bool inter) {
  const IpcDecomposition& d = s.d;
  std::string o = fmt::format("{} one-way IPC: {} warm IPCs\n", inter ? "inter-address-space" : "intra-address-space",
                              s.warm.size());
  if (s.warm.empty()) return o + "  (no IPCs recorded)\n";
  o += fmt::format("  cycles: min {}  median {:.1f}  mean {:.1f}  max {}   = {:.2f} us at {:g} MHz\n", s.min, s.median,
                   s.mean, s.max, s.mean / mhz, mhz);
  if (s.cold) o += fmt::format("  cold (first) IPC: {} cycles\n", s.cold->cycles);
  o += fmt::format("  {:<46} {:>12} {:>22}\n", "decomposition, mean per warm IPC", "this kernel",
                   inter ? "published, 486-DX50" : "");
  auto row = [&](const std::string& what, double v, const std::string& pub) {
    o += fmt::format("  {:<46} {:>12.1f} {:>22}\n", what, v, pub);
  };
  row("kernel entry + exit (int + iret)", d.entry_exit, inter ? "107" : "");
  row(fmt::format("other instructions ({:.0f} in all, trap to return)", d.kernel_instructions), d.other_instructions,
      inter ? "~20 instr., 127 with entry+exit" : "");
  row(fmt::format("TLB misses ({:.1f}) x their cost", d.tlb_misses), d.tlb_cycles, inter ? ">= 5 x 9 = 45" : "");
  row(fmt::format("cache misses ({:.1f})", d.cache_misses), d.cache_cycles, "");
  row("pipeline stalls (AGI, decode, branches, buffers)", d.stall_cycles, "");
  row("total (measured: trap to receiver)", d.total, inter ? "250 (L4, measured)" : "");
  row("lower bound: this kernel's path, no misses", d.lower_bound, inter ? "172 (+ TLB misses)" : "");
  if (d.cr3_loads > 0)
    o += fmt::format(
        "  address-space switch: {:.1f} CR3 load(s) per IPC costing {:.1f} cycles; {:.1f} TLB entries lost; refilled "
        "{:.1f} inside the IPC ({:.1f} cycles, in the TLB line above) and {:.1f} by the receiver in user mode "
        "({:.1f} cycles, after the total)\n",
        d.cr3_loads, d.cr3_load_cycles, d.tlb_entries_lost, d.refills_after_switch, d.refill_cycles_after_switch,
        d.after_tlb_misses, d.after_tlb_cycles);
  else
    o += "  no address-space switch: no CR3 load, no TLB refills charged to a switch\n";
  if (inter) {
    const double extra_instr = d.kernel_instructions - published::kInstructions;
    o += fmt::format(
        "  against the papers: {:+.0f} instructions ({:.0f} vs ~{:.0f}), costing {:+.1f} cycles over 127; TLB "
        "refills {:+.1f} cycles against the 45 of the analysis; total {:+.1f} against L4's 250\n",
        extra_instr, d.kernel_instructions, published::kInstructions, d.entry_exit + d.other_instructions - 127,
        d.tlb_cycles - published::kTlbMisses * published::kTlbMissCost, d.total - published::kL4);
  }
  return o;
}

nlohmann::json report_json(const IpcScenario& s, double mhz) {
  const IpcDecomposition& d = s.d;
  nlohmann::json j;
  j["ipcs"] = s.warm.size();
  j["one_way_cycles"] = {{"min", s.min}, {"median", s.median}, {"mean", s.mean}, {"max", s.max}};
  j["one_way_us"] = s.mean / mhz;
  if (s.cold) {
    j["cold_cycles"] = s.cold->cycles;
    j["cold_kernel_instructions"] = s.cold->kernel_instructions;
    j["cold_cache_misses"] = s.cold->cache_misses;
    j["cold_tlb_misses"] = s.cold->tlb_misses;
  }
  if (s.example)
    j["example"] = {{"cycles", s.example->cycles},
                    {"sender_cr3", s.example->sender_cr3},
                    {"receiver_cr3", s.example->receiver_cr3},
                    {"sender_kernel_stack", s.example->sender_kstack},
                    {"receiver_kernel_stack", s.example->receiver_kstack},
                    {"trap_address", s.example->trap_addr},
                    {"return_address", s.example->return_addr}};
  j["decomposition"] = {{"entry_exit", d.entry_exit},
                        {"other_instructions", d.other_instructions},
                        {"kernel_instructions", d.kernel_instructions},
                        {"tlb_misses", d.tlb_misses},
                        {"tlb_cycles", d.tlb_cycles},
                        {"cache_misses", d.cache_misses},
                        {"cache_cycles", d.cache_cycles},
                        {"stall_cycles", d.stall_cycles},
                        {"total", d.total},
                        {"lower_bound", d.lower_bound},
                        {"cr3_loads", d.cr3_loads},
                        {"switch_cr3_load_cycles", d.cr3_load_cycles},
                        {"switch_tlb_entries_lost", d.tlb_entries_lost},
                        {"switch_refills_in_ipc", d.refills_after_switch},
                        {"switch_refill_cycles_in_ipc", d.refill_cycles_after_switch},
                        {"receiver_tlb_misses_after", d.after_tlb_misses},
                        {"receiver_tlb_cycles_after", d.after_tlb_cycles}};
  return j;
}

namespace {

std::string strip_offset(std::string where) {
  const size_t plus = where.find('+');
  return plus == std::string::npos ? where : where.substr(0, plus);
}

// Replaces hexadecimal addresses that name a symbol by the symbol.
std::string symbolize(const std::string& text, const std::function<std::string(u32)>& describe) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, 2, "0x") == 0) {
      size_t j = i + 2;
      while (j < text.size() && std::isxdigit(static_cast<unsigned char>(text[j]))) ++j;
      if (j == i + 2 || j - i > 10) {  // not an address: copy as is
        out += text.substr(i, j - i);
        i = j;
        continue;
      }
      const unsigned long v = std::stoul(text.substr(i + 2, j - i - 2), nullptr, 16);
      const std::string sym = v >= 0x1000 ? describe(static_cast<u32>(v)) : "";
      out += sym.empty() ? text.substr(i, j - i) : strip_offset(sym);
      i = j;
    } else {
      out += text[i++];
    }
  }
  return out;
}

}  // namespace

std::string format_listing(const IpcRecord& r, const std::function<std::string(u32)>& describe, bool for_trace) {
  std::string o;
  for (const IpcStep& s : r.steps) {
    std::string notes;
    const CycleCauses& c = s.causes;
    if (c.tlb_refill) notes += fmt::format(" tlb+{}", c.tlb_refill);
    if (c.cache_miss) notes += fmt::format(" cache+{}", c.cache_miss);
    if (c.agi) notes += fmt::format(" agi+{}", c.agi);
    if (c.branch) notes += fmt::format(" branch+{}", c.branch);
    if (c.decode) notes += fmt::format(" decode+{}", c.decode);
    if (c.partial_reg) notes += fmt::format(" partial+{}", c.partial_reg);
    if (c.misaligned) notes += fmt::format(" misaligned+{}", c.misaligned);
    if (c.write_buffer) notes += fmt::format(" wbuf+{}", c.write_buffer);
    if (s.cr3_loaded) notes += " cr3";
    std::string where = describe(s.addr);
    if (where.empty()) where = fmt::format("{:#010x}", s.addr);
    const std::string text = for_trace ? symbolize(s.text, describe) : s.text;
    if (for_trace) {
      o +=
          fmt::format("{:<28} {} {:<36} {:>4}{}\n", strip_offset(where), s.cpl == 3 ? "u" : "k", text, s.cycles, notes);
    } else {
      o += fmt::format("{:08x} {:<28} {} {:<36} {:>4}{}\n", s.addr, where, s.cpl == 3 ? "u" : "k", text, s.cycles,
                       notes);
    }
  }
  return o;
}

std::string diff_listing(const std::string& reference, const std::string& current, u32* changes) {
  auto lines = [](const std::string& t) {
    std::vector<std::string> v;
    std::istringstream in(t);
    for (std::string l; std::getline(in, l);) v.push_back(l);
    return v;
  };
  const auto a = lines(reference), b = lines(current);
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<u32>> lcs(n + 1, std::vector<u32>(m + 1, 0));
  for (size_t i = n; i-- > 0;)
    for (size_t j = m; j-- > 0;)
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  std::string o;
  u32 count = 0;
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      ++i, ++j;
    } else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      o += "+ " + b[j++] + "\n";
      ++count;
    } else {
      o += "- " + a[i++] + "\n";
      ++count;
    }
  }
  if (changes) *changes = count;
  return o;
}

}  // namespace l4sim
