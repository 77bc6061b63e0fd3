#include "report/sweep_output.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace l4sim {
namespace {

// The shape every writer relies on; a mismatch is a bug in the caller, so it
// is reported rather than written as a misleading file.
void check_shape(const SweepResult& r) {
  if (r.grid_values.size() != r.grid_keys.size())
    throw std::invalid_argument(
        fmt::format("sweep: {} grid keys but {} value lists", r.grid_keys.size(), r.grid_values.size()));
  for (size_t i = 0; i < r.points.size(); ++i) {
    const SweepPoint& p = r.points[i];
    if (p.values.size() != r.grid_keys.size())
      throw std::invalid_argument(
          fmt::format("sweep: point {} has {} values for {} grid keys", i, p.values.size(), r.grid_keys.size()));
    if (p.ok && p.figures.size() != r.figure_names.size())
      throw std::invalid_argument(
          fmt::format("sweep: point {} has {} figures for {} names", i, p.figures.size(), r.figure_names.size()));
  }
}

size_t metric_index(const SweepResult& r, const std::string& metric) {
  const auto it = std::find(r.figure_names.begin(), r.figure_names.end(), metric);
  if (it == r.figure_names.end()) {
    std::string allowed;
    for (const auto& n : r.figure_names) allowed += (allowed.empty() ? "" : ", ") + n;
    throw std::invalid_argument(fmt::format("sweep: unknown metric '{}' (allowed: {})", metric, allowed));
  }
  return static_cast<size_t>(it - r.figure_names.begin());
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

// "key=value key2=value2" for tooltips.
std::string point_params(const SweepResult& r, const SweepPoint& p) {
  std::string s;
  for (size_t k = 0; k < r.grid_keys.size(); ++k)
    s += fmt::format("{}{}={}", k ? " " : "", r.grid_keys[k], p.values[k]);
  return s;
}

// --- Chart geometry ----------------------------------------------------------

constexpr double kWidth = 720, kMinHeight = 440;
constexpr double kPlotLeft = 72, kPlotRight = 600, kPlotTop = 48, kPlotBottom = 340;
constexpr double kXPad = 20;  // keeps the first and last points off the axes
constexpr double kLegendLeft = 36, kLegendTop = kPlotBottom + 58, kLegendRow = 16, kLegendSwatch = 30;
constexpr double kCharWidth = 6.6;  // an estimate for 11 px sans-serif; no font metrics without a renderer

// Tableau 10-like colours that stay apart on white; past eight series the
// colours repeat with a dash pattern.
constexpr std::array<const char*, 8> kPalette = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                                 "#9467bd", "#8c564b", "#e377c2", "#17becf"};
constexpr std::array<const char*, 4> kDashes = {"", "6,3", "2,2", "8,3,2,3"};

std::string num(double v) { return fmt::format("{:.1f}", v); }

std::string dash_attr(size_t series) {
  const char* d = kDashes[(series / kPalette.size()) % kDashes.size()];
  return *d ? fmt::format(" stroke-dasharray=\"{}\"", d) : "";
}

size_t text_chars(const std::string& s) {  // UTF-8 code points
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// Decimals that print every multiple of `step` exactly (2.5 needs one more).
int tick_decimals(double step) {
  const int e = static_cast<int>(std::floor(std::log10(step) + 1e-9));
  const double mantissa = step / std::pow(10.0, e);
  return std::max(0, -e + (std::fabs(mantissa - 2.5) < 1e-6 ? 1 : 0));
}

struct Series {
  std::string name;
  std::vector<size_t> points;  // index into r.points per x value (in grid_values[0] order)
};

// Groups the points into series by the values of the keys after the first,
// relying on the documented order (cartesian product, first key slowest) and
// checking it, so that a point is never drawn at the wrong place.
std::vector<Series> group_series(const SweepResult& r, const std::string& metric) {
  size_t expected = 1;
  for (const auto& v : r.grid_values) expected *= v.size();
  if (r.grid_keys.empty() || expected == 0 || r.points.size() != expected)
    throw std::invalid_argument(fmt::format("sweep: {} points for a grid of {}", r.points.size(), expected));
  const size_t per_x = expected / r.grid_values[0].size();
  std::vector<Series> series(per_x);
  for (size_t i = 0; i < r.points.size(); ++i) {
    size_t rest = i;
    for (size_t k = r.grid_keys.size(); k-- > 0;) {
      const auto& vals = r.grid_values[k];
      if (r.points[i].values[k] != vals[rest % vals.size()])
        throw std::invalid_argument(fmt::format("sweep: point {} has {}={}, expected {} (cartesian order)", i,
                                                r.grid_keys[k], r.points[i].values[k], vals[rest % vals.size()]));
      rest /= vals.size();
    }
    series[i % per_x].points.push_back(i);
  }
  for (auto& s : series) {
    const SweepPoint& p = r.points[s.points.front()];
    if (r.grid_keys.size() == 1) s.name = metric;
    for (size_t k = 1; k < r.grid_keys.size(); ++k)
      s.name += fmt::format("{}{}={}", k > 1 ? ", " : "", r.grid_keys[k], p.values[k]);
  }
  return series;
}

}  // namespace

// --- Helpers -----------------------------------------------------------------

bool sweep_parse_number(const std::string& text, double* out) {
  std::string s = text;
  double scale = 1;
  auto strip = [&](const char* suffix, double factor) {
    const size_t n = std::char_traits<char>::length(suffix);
    if (s.size() <= n) return false;
    for (size_t i = 0; i < n; ++i)
      if (std::toupper(static_cast<unsigned char>(s[s.size() - n + i])) != suffix[i]) return false;
    s.resize(s.size() - n);
    scale = factor;
    return true;
  };
  strip("KB", 1024) || strip("K", 1024) || strip("MB", 1024.0 * 1024) || strip("M", 1024.0 * 1024) ||
      strip("GB", 1024.0 * 1024 * 1024) || strip("G", 1024.0 * 1024 * 1024);
  if (s.empty()) return false;
  double v = 0;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    unsigned long long h = 0;
    const auto res = std::from_chars(s.data() + 2, s.data() + s.size(), h, 16);
    if (res.ec != std::errc() || res.ptr != s.data() + s.size()) return false;
    v = static_cast<double>(h);
  } else {
    const auto res = std::from_chars(s.data(), s.data() + s.size(), v);
    if (res.ec != std::errc() || res.ptr != s.data() + s.size() || !std::isfinite(v)) return false;
  }
  *out = v * scale;
  return true;
}

SweepAxisScale sweep_axis_scale(const std::vector<std::string>& values) {
  bool all_powers = values.size() >= 3;
  for (const auto& t : values) {
    double v = 0;
    if (!sweep_parse_number(t, &v)) return SweepAxisScale::kCategorical;
    int e = 0;
    // frexp gives v = 0.5 * 2^e exactly for powers of two (and 1 = 2^0 counts).
    if (!(v >= 1 && std::frexp(v, &e) == 0.5)) all_powers = false;
  }
  return all_powers ? SweepAxisScale::kLog2 : SweepAxisScale::kLinear;
}

std::vector<double> sweep_x_positions(const std::vector<std::string>& values) {
  const SweepAxisScale scale = sweep_axis_scale(values);
  std::vector<double> pos(values.size());
  if (scale == SweepAxisScale::kCategorical) {
    for (size_t i = 0; i < values.size(); ++i)
      pos[i] = values.size() == 1 ? 0.5 : static_cast<double>(i) / static_cast<double>(values.size() - 1);
    return pos;
  }
  for (size_t i = 0; i < values.size(); ++i) {
    sweep_parse_number(values[i], &pos[i]);
    if (scale == SweepAxisScale::kLog2) pos[i] = std::log2(pos[i]);
  }
  const auto [lo, hi] = std::minmax_element(pos.begin(), pos.end());
  const double min = *lo, span = *hi - *lo;
  for (double& p : pos) p = span > 0 ? (p - min) / span : 0.5;
  return pos;
}

std::string sweep_format_figure(double v) {
  if (!std::isfinite(v)) return fmt::format("{}", v);
  double rounded = std::round(v * 10) / 10;
  if (rounded == 0) rounded = 0;  // no "-0"
  return fmt::format("{}", rounded);
}

SweepNiceAxis sweep_nice_axis(double max_value) {
  if (!(max_value > 0)) max_value = 1;
  // Starting a decade below guarantees the first candidates give more than
  // eight ticks, so the first that fits gives at least five.
  const int e = static_cast<int>(std::floor(std::log10(max_value)));
  for (int k = e - 1;; ++k) {
    for (double m : {1.0, 2.0, 2.5, 5.0}) {
      const double step = m * std::pow(10.0, k);
      const double ticks = std::ceil(max_value / step - 1e-9);
      if (ticks <= 8) return {std::max(ticks, 1.0) * step, step};
    }
  }
}

std::string sweep_xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        // Control characters other than tab and newlines are not allowed in XML 1.0 at all.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r')
          out += '?';
        else
          out += c;
    }
  }
  return out;
}

// --- CSV and JSON ------------------------------------------------------------

std::string sweep_csv(const SweepResult& r) {
  check_shape(r);
  std::vector<std::string> header = r.grid_keys;
  header.push_back("status");
  header.insert(header.end(), r.figure_names.begin(), r.figure_names.end());
  header.push_back("error");
  auto row = [](const std::vector<std::string>& fields) {
    std::string line;
    for (size_t i = 0; i < fields.size(); ++i) line += (i ? "," : "") + csv_field(fields[i]);
    return line + "\n";
  };
  std::string out = row(header);
  for (const SweepPoint& p : r.points) {
    std::vector<std::string> fields = p.values;
    fields.push_back(p.ok ? "ok" : "error");
    for (size_t f = 0; f < r.figure_names.size(); ++f) fields.push_back(p.ok ? sweep_format_figure(p.figures[f]) : "");
    fields.push_back(p.ok ? "" : p.error);
    out += row(fields);
  }
  return out;
}

nlohmann::json sweep_json(const SweepResult& r) {
  check_shape(r);
  nlohmann::json j;
  j["title"] = r.title;
  j["version"] = r.version;
  j["grid"] = nlohmann::json::array();
  for (size_t k = 0; k < r.grid_keys.size(); ++k)
    j["grid"].push_back({{"key", r.grid_keys[k]}, {"values", r.grid_values[k]}});
  j["figures"] = r.figure_names;
  j["base_config"] = r.base_config.is_null() ? nlohmann::json::object() : r.base_config;
  j["points"] = nlohmann::json::array();
  for (const SweepPoint& p : r.points) {
    nlohmann::json jp;
    jp["params"] = nlohmann::json::object();
    for (size_t k = 0; k < r.grid_keys.size(); ++k) jp["params"][r.grid_keys[k]] = p.values[k];
    jp["status"] = p.ok ? "ok" : "error";
    if (!p.ok) jp["error"] = p.error;
    jp["figures"] = nlohmann::json::object();
    if (p.ok)
      for (size_t f = 0; f < r.figure_names.size(); ++f) jp["figures"][r.figure_names[f]] = p.figures[f];
    j["points"].push_back(std::move(jp));
  }
  return j;
}

// --- SVG chart ---------------------------------------------------------------

std::string sweep_svg(const SweepResult& r, const std::string& metric, const std::vector<SweepReference>& refs) {
  check_shape(r);
  const size_t m = metric_index(r, metric);
  const std::vector<Series> series = group_series(r, metric);
  const std::vector<std::string>& xs = r.grid_values[0];
  const std::vector<double> xpos = sweep_x_positions(xs);
  // Lines join neighbours along the axis, which is not the order given when numbers were typed unsorted.
  std::vector<size_t> order(xs.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return xpos[a] < xpos[b]; });

  auto has_value = [&](size_t i) { return r.points[i].ok && std::isfinite(r.points[i].figures[m]); };
  double max_value = 0;
  for (size_t i = 0; i < r.points.size(); ++i)
    if (has_value(i)) max_value = std::max(max_value, r.points[i].figures[m]);
  for (const auto& ref : refs) {
    if (!std::isfinite(ref.value))
      throw std::invalid_argument(fmt::format("sweep: reference '{}' is not a finite number", ref.label));
    max_value = std::max(max_value, ref.value);
  }
  const SweepNiceAxis axis = sweep_nice_axis(max_value);
  auto px = [&](size_t x) { return kPlotLeft + kXPad + xpos[x] * (kPlotRight - kPlotLeft - 2 * kXPad); };
  auto py = [&](double v) { return kPlotBottom - v / axis.max * (kPlotBottom - kPlotTop); };

  // The legend flows in as many columns as the widest entry allows.
  size_t widest = 0;
  for (const auto& s : series) widest = std::max(widest, text_chars(s.name));
  const double entry_width = kLegendSwatch + 8 + static_cast<double>(widest) * kCharWidth + 16;
  const size_t columns = std::max<size_t>(1, static_cast<size_t>((kWidth - 2 * kLegendLeft) / entry_width));
  const size_t rows = (series.size() + columns - 1) / columns;
  const double height = std::max(kMinHeight, kLegendTop + static_cast<double>(rows) * kLegendRow + 8);

  std::string o;
  o += fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"sans-serif\" font-size=\"11\">\n",
      kWidth, height);
  o += fmt::format("<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n", kWidth, height);
  o += fmt::format("<text x=\"{}\" y=\"26\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">{}</text>\n",
                   num(kWidth / 2), sweep_xml_escape(r.title));

  // Y axis: gridlines and ticks from 0 to the nice maximum.
  const int decimals = tick_decimals(axis.step);
  const int ticks = static_cast<int>(std::lround(axis.max / axis.step));
  for (int t = 0; t <= ticks; ++t) {
    const double v = t * axis.step, y = py(v);
    o += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#dddddd\"/>\n", num(kPlotLeft), num(y),
                     num(kPlotRight), num(y));
    o += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{:.{}f}</text>\n", num(kPlotLeft - 6), num(y + 4), v,
                     decimals);
  }
  o += fmt::format("<text x=\"18\" y=\"{0}\" text-anchor=\"middle\" transform=\"rotate(-90 18 {0})\">{1}</text>\n",
                   num((kPlotTop + kPlotBottom) / 2), sweep_xml_escape(metric));

  // X axis: one tick per value, labelled as typed.
  for (size_t x = 0; x < xs.size(); ++x) {
    o += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#000000\"/>\n", num(px(x)),
                     num(kPlotBottom), num(kPlotBottom + 5));
    o += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", num(px(x)), num(kPlotBottom + 18),
                     sweep_xml_escape(xs[x]));
  }
  o += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", num((kPlotLeft + kPlotRight) / 2),
                   num(kPlotBottom + 38), sweep_xml_escape(r.grid_keys[0]));
  o += fmt::format("<path d=\"M {0} {1} L {0} {2} L {3} {2}\" fill=\"none\" stroke=\"#000000\"/>\n", num(kPlotLeft),
                   num(kPlotTop), num(kPlotBottom), num(kPlotRight));

  for (const auto& ref : refs) {
    const double y = py(ref.value);
    o += fmt::format("<g><title>{}: {} = {}</title>\n", sweep_xml_escape(ref.label), sweep_xml_escape(metric),
                     sweep_format_figure(ref.value));
    o += fmt::format(
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#555555\" stroke-width=\"1.5\" "
        "stroke-dasharray=\"6,4\"/>\n",
        num(kPlotLeft), num(y), num(kPlotRight), num(y));
    o += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#555555\">{}</text></g>\n", num(kPlotRight + 4), num(y + 4),
                     sweep_xml_escape(ref.label));
  }

  for (size_t s = 0; s < series.size(); ++s) {
    const char* colour = kPalette[s % kPalette.size()];
    o += fmt::format("<g class=\"series\">\n");
    // Runs of neighbouring points with a value become one polyline each: a
    // failed point leaves a gap rather than a line that suggests a value.
    std::vector<size_t> run;
    auto flush = [&] {
      if (run.size() >= 2) {
        std::string pts;
        for (size_t x : run)
          pts += fmt::format("{}{},{}", pts.empty() ? "" : " ", num(px(x)),
                             num(py(r.points[series[s].points[x]].figures[m])));
        o += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{}/>\n", pts, colour,
                         dash_attr(s));
      }
      run.clear();
    };
    for (size_t x : order) {
      if (has_value(series[s].points[x]))
        run.push_back(x);
      else
        flush();
    }
    flush();
    for (size_t x = 0; x < xs.size(); ++x) {
      const size_t i = series[s].points[x];
      const SweepPoint& p = r.points[i];
      const std::string params = sweep_xml_escape(point_params(r, p));
      if (has_value(i)) {
        o += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\"><title>{}: {} = {}</title></circle>\n",
                         num(px(x)), num(py(p.figures[m])), colour, params, sweep_xml_escape(metric),
                         sweep_format_figure(p.figures[m]));
      } else {
        const double cx = px(x), cy = kPlotBottom;
        const std::string why = p.ok ? metric + " has no value" : "error: " + p.error;
        o += fmt::format(
            "<path d=\"M {} {} L {} {} M {} {} L {} {}\" stroke=\"{}\" stroke-width=\"2\"><title>{}: {}</title>"
            "</path>\n",
            num(cx - 4), num(cy - 4), num(cx + 4), num(cy + 4), num(cx - 4), num(cy + 4), num(cx + 4), num(cy - 4),
            colour, params, sweep_xml_escape(why));
      }
    }
    o += "</g>\n";
  }

  for (size_t s = 0; s < series.size(); ++s) {
    const double x = kLegendLeft + static_cast<double>(s % columns) * entry_width;
    const double y = kLegendTop + static_cast<double>(s / columns) * kLegendRow;
    const char* colour = kPalette[s % kPalette.size()];
    o += fmt::format(
        "<g class=\"legend\"><line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2\"{}/>",
        num(x), num(y), num(x + kLegendSwatch), num(y), colour, dash_attr(s));
    o += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\"/>", num(x + kLegendSwatch / 2), num(y), colour);
    o += fmt::format("<text x=\"{}\" y=\"{}\">{}</text></g>\n", num(x + kLegendSwatch + 6), num(y + 4),
                     sweep_xml_escape(series[s].name));
  }
  o += "</svg>\n";
  return o;
}

// --- HTML page ---------------------------------------------------------------

std::string sweep_html(const SweepResult& r, const std::string& metric, const std::vector<SweepReference>& refs) {
  const std::string svg = sweep_svg(r, metric, refs);  // validates the shape and the metric first
  const std::string title = sweep_xml_escape(r.title);
  std::string o;
  o += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  o += fmt::format("<title>{}</title>\n", title);
  o += "<style>\n"
       "body { font-family: sans-serif; margin: 1.5em; }\n"
       "table { border-collapse: collapse; margin: 1em 0; }\n"
       "th, td { border: 1px solid #ccc; padding: 2px 8px; }\n"
       "td.num { text-align: right; font-variant-numeric: tabular-nums; }\n"
       "th.metric, td.metric { background: #eef4fb; }\n"
       "tr.error td { color: #a00; }\n"
       "pre { background: #f6f6f6; padding: 0.5em; }\n"
       "</style>\n</head>\n<body>\n";
  o += fmt::format("<h1>{}</h1>\n<p>l4sim {}; chart of {} against {}.</p>\n", title, sweep_xml_escape(r.version),
                   sweep_xml_escape(metric), sweep_xml_escape(r.grid_keys[0]));
  o += svg;
  o += "<h2>Points</h2>\n<table>\n<thead>\n<tr>";
  for (const auto& k : r.grid_keys) o += fmt::format("<th>{}</th>", sweep_xml_escape(k));
  o += "<th>status</th>";
  for (const auto& f : r.figure_names)
    o += fmt::format("<th{}>{}</th>", f == metric ? " class=\"metric\"" : "", sweep_xml_escape(f));
  o += "<th>error</th></tr>\n</thead>\n<tbody>\n";
  for (const SweepPoint& p : r.points) {
    o += p.ok ? "<tr>" : "<tr class=\"error\">";
    for (const auto& v : p.values) o += fmt::format("<td>{}</td>", sweep_xml_escape(v));
    o += p.ok ? "<td>ok</td>" : "<td>error</td>";
    for (size_t f = 0; f < r.figure_names.size(); ++f)
      o += fmt::format("<td class=\"num{}\">{}</td>", r.figure_names[f] == metric ? " metric" : "",
                       p.ok ? sweep_format_figure(p.figures[f]) : "");
    o += fmt::format("<td>{}</td></tr>\n", p.ok ? "" : sweep_xml_escape(p.error));
  }
  o += "</tbody>\n</table>\n";
  const nlohmann::json config = r.base_config.is_null() ? nlohmann::json::object() : r.base_config;
  o += fmt::format("<h2>Base configuration</h2>\n<pre>{}</pre>\n</body>\n</html>\n",
                   sweep_xml_escape(config.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)));
  return o;
}

}  // namespace l4sim
