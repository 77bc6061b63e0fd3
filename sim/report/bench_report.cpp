#include "report/bench_report.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace l4sim {

Spread spread(std::vector<double> v) {
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  const double median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  return Spread{v.front(), median, v.back()};
}

namespace {

template <class F>
Spread per_sample(const std::vector<BenchSample>& s, F f) {
  std::vector<double> v;
  for (const BenchSample& x : s) v.push_back(f(x));
  return spread(std::move(v));
}

double per_second(double count, double seconds) { return seconds > 0 ? count / seconds : 0; }

}  // namespace

Spread BenchRow::wall() const {
  return per_sample(samples, [](const BenchSample& s) { return s.wall_seconds; });
}
Spread BenchRow::mips() const {
  return per_sample(samples,
                    [&](const BenchSample& s) { return per_second(double(instructions), s.wall_seconds) / 1e6; });
}
Spread BenchRow::net_mips() const {
  return per_sample(samples, [&](const BenchSample& s) {
    return per_second(double(instructions), s.wall_seconds - startup_seconds) / 1e6;
  });
}
Spread BenchRow::cpu_mips() const {
  return per_sample(samples,
                    [&](const BenchSample& s) { return per_second(double(instructions), s.cpu_seconds) / 1e6; });
}
Spread BenchRow::mcps() const {
  return per_sample(samples, [&](const BenchSample& s) { return per_second(double(cycles), s.wall_seconds) / 1e6; });
}
double BenchRow::realtime_factor() const { return cpu_hz ? mcps().median * 1e6 / double(cpu_hz) : 0; }
double BenchRow::net_ns_per_insn() const {
  const double net = wall().median - startup_seconds;
  return instructions && net > 0 ? net * 1e9 / double(instructions) : 0;
}

std::vector<BenchRatio> bench_ratios(const std::vector<BenchRow>& rows, const std::string& against) {
  std::vector<BenchRatio> out;
  for (const BenchRow& b : rows) {
    if (b.engine != against || is_startup(b) || b.net_ns_per_insn() <= 0) continue;
    for (const BenchRow& a : rows)
      if (a.workload == b.workload && a.engine != against && a.net_ns_per_insn() > 0)
        out.push_back(BenchRatio{a.workload, a.engine, b.engine, a.net_ns_per_insn() / b.net_ns_per_insn()});
  }
  return out;
}

bool is_startup(const BenchRow& r) { return r.workload.rfind("startup", 0) == 0; }

std::string bench_table(const std::vector<BenchRow>& rows, const std::vector<BenchRatio>& ratios) {
  std::string o;
  bool any_startup = false;
  for (const BenchRow& r : rows)
    if (is_startup(r)) {
      if (!any_startup) o += fmt::format("{:<14} {:<17} {:>28}\n", "start-up", "engine", "ms, process start to exit");
      any_startup = true;
      const Spread w = r.wall();
      o += fmt::format("{:<14} {:<17} {:>28}\n", r.workload.substr(8), r.engine,
                       fmt::format("{:.1f}/{:.1f}/{:.1f}", w.min * 1e3, w.median * 1e3, w.max * 1e3));
    }
  if (any_startup) o += "\n";
  o += fmt::format("{:<10} {:<17} {:>12} {:>11} {:>22} {:>20} {:>6} {:>6} {:>7} {:>6}\n", "workload", "engine",
                   "instructions", "cycles", "host s (min/med/max)", "M insn/s (min/med/max)", "net", "cpu", "M cyc/s",
                   "x real");
  for (const BenchRow& r : rows) {
    if (is_startup(r)) continue;
    const Spread w = r.wall(), m = r.mips();
    const std::string insns = fmt::format("{}{}", r.instructions, r.instructions_from_l4sim ? "*" : "");
    o += fmt::format("{:<10} {:<17} {:>12} {:>11} {:>22} {:>20} {:>6.1f} {:>6.1f} {:>7} {:>6}\n", r.workload, r.engine,
                     insns, r.cycles ? fmt::format("{}", r.cycles) : "-",
                     fmt::format("{:.3f}/{:.3f}/{:.3f}", w.min, w.median, w.max),
                     fmt::format("{:.1f}/{:.1f}/{:.1f}", m.min, m.median, m.max), r.net_mips().median,
                     r.cpu_mips().median, r.cycles ? fmt::format("{:.1f}", r.mcps().median) : "-",
                     r.cycles && r.cpu_hz ? fmt::format("{:.2f}", r.realtime_factor()) : "-");
  }
  for (const BenchRatio& q : ratios)
    o += fmt::format("{}: {} takes {:.2f}x the host time per guest instruction of {} (start-up subtracted)\n",
                     q.workload, q.a, q.ratio, q.b);
  return o;
}

nlohmann::json bench_json(const std::vector<BenchRow>& rows, const std::vector<BenchRatio>& ratios) {
  auto sp = [](const Spread& s) { return nlohmann::json{{"min", s.min}, {"median", s.median}, {"max", s.max}}; };
  nlohmann::json out = nlohmann::json::object();
  nlohmann::json rs = nlohmann::json::array();
  for (const BenchRow& r : rows) {
    nlohmann::json samples = nlohmann::json::array();
    for (const BenchSample& s : r.samples)
      samples.push_back({{"wall_seconds", s.wall_seconds}, {"cpu_seconds", s.cpu_seconds}});
    rs.push_back({{"workload", r.workload},
                  {"engine", r.engine},
                  {"instructions", r.instructions},
                  {"instructions_from_l4sim", r.instructions_from_l4sim},
                  {"cycles", r.cycles},
                  {"cpu_hz", r.cpu_hz},
                  {"startup_seconds", r.startup_seconds},
                  {"wall_seconds", sp(r.wall())},
                  {"minsn_per_second", sp(r.mips())},
                  {"net_minsn_per_second", sp(r.net_mips())},
                  {"cpu_minsn_per_second", sp(r.cpu_mips())},
                  {"mcycles_per_second", sp(r.mcps())},
                  {"realtime_factor", r.realtime_factor()},
                  {"net_ns_per_instruction", r.net_ns_per_insn()},
                  {"samples", samples}});
  }
  out["rows"] = rs;
  nlohmann::json qs = nlohmann::json::array();
  for (const BenchRatio& q : ratios)
    qs.push_back({{"workload", q.workload}, {"engine", q.a}, {"against", q.b}, {"ratio", q.ratio}});
  out["ratios"] = qs;
  return out;
}

}  // namespace l4sim
