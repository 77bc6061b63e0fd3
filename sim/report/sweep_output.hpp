// The files a sweep writes: the collected per-point figures as CSV and JSON,
// a chart of one figure against the first grid key as SVG, and a
// self-contained HTML page with the chart, a table of every point and the
// configuration shared by all points. Pure functions: they return text and
// never touch the file system, so the sweep command decides where it goes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace l4sim {

struct SweepPoint {
  std::vector<std::string> values;  // one per grid key, as the user typed it ("8K", "true", "16")
  bool ok = true;
  std::string error;            // when !ok: why the point failed (one line)
  std::vector<double> figures;  // one per SweepResult::figure_names, when ok
};

struct SweepReference {  // a horizontal dashed line on the chart (a published figure)
  std::string label;
  double value;
};

struct SweepResult {
  std::string title;                                  // e.g. "IPC cycles vs tlb.entries"
  std::vector<std::string> grid_keys;                 // in --grid order; the first is the x axis
  std::vector<std::vector<std::string>> grid_values;  // per key, in the order given
  std::vector<std::string> figure_names;              // e.g. "inter_as.one_way_median", ...
  std::vector<SweepPoint> points;                     // cartesian product, first key varies slowest
  nlohmann::json base_config;                         // the effective configuration shared by all points (object)
  std::string version;                                // l4sim version string
};

// Header: the grid keys, "status", the figure names, "error"; one row per
// point. A failed point has status "error", empty figures and its message in
// the last column. RFC 4180 quoting, rows end with "\n".
std::string sweep_csv(const SweepResult& r);
// {"title","version","grid":[{"key","values"}],"figures":[...],"base_config":{...},
//  "points":[{"params":{key:value},"status":"ok"|"error","error":"..." (only on error),
//  "figures":{name:value}}]}. Figures keep their full precision here.
nlohmann::json sweep_json(const SweepResult& r);
// The chart of `metric` (one of figure_names, else std::invalid_argument)
// against grid_keys[0], one series per combination of the other keys, with
// `refs` as dashed horizontal lines. SVG 1.1 without an XML declaration, so
// that it can also be inlined in HTML.
std::string sweep_svg(const SweepResult& r, const std::string& metric, const std::vector<SweepReference>& refs);
// A self-contained page: the title, the chart inline, a table of every point
// and figure, the base configuration as <pre>.
std::string sweep_html(const SweepResult& r, const std::string& metric, const std::vector<SweepReference>& refs);

// --- Helpers, exposed for the tests ---------------------------------------

enum class SweepAxisScale { kLog2, kLinear, kCategorical };
// The spacing of the x axis for these values: log2 when all are numbers
// that are positive powers of two and there are at least three, linear when
// all are numbers, otherwise categorical (even spacing in the order given).
SweepAxisScale sweep_axis_scale(const std::vector<std::string>& values);
// The x position of each value in [0, 1] under sweep_axis_scale (a single
// value, or numbers that are all equal, sit at 0.5).
std::vector<double> sweep_x_positions(const std::vector<std::string>& values);
// A grid value as a number: decimal or 0x hex, with an optional 1024-based
// K/KB/M/MB suffix (any case). False when it is not a number ("true", "lru").
bool sweep_parse_number(const std::string& text, double* out);
// A figure as printed in the CSV, the table and the tooltips: integral values
// without decimals, others rounded to one decimal.
std::string sweep_format_figure(double v);

struct SweepNiceAxis {
  double max = 1;   // a multiple of step, >= every value
  double step = 1;  // 1, 2, 2.5 or 5 times a power of ten; max / step is 5 to 8
};
// The y axis from 0 covering `max_value`.
SweepNiceAxis sweep_nice_axis(double max_value);
// Text escaped for XML and HTML content and attribute values.
std::string sweep_xml_escape(const std::string& text);

}  // namespace l4sim
