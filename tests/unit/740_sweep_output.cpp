#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "report/sweep_output.hpp"

using namespace l4sim;

namespace {

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// A grid over `a` (x axis) and optionally `b`, in cartesian order (a slowest),
// with figures "ipc" = 100 * (x index + 1) + 10 * (b index) and "misses" = x index.
SweepResult grid(const std::vector<std::string>& a, const std::vector<std::string>& b = {}) {
  SweepResult r;
  r.title = "IPC cycles vs a";
  r.version = "v-test";
  r.grid_keys = {"a"};
  r.grid_values = {a};
  if (!b.empty()) {
    r.grid_keys.push_back("b");
    r.grid_values.push_back(b);
  }
  r.figure_names = {"ipc", "misses"};
  r.base_config = {{"tlb", {{"entries", 32}}}};
  const size_t nb = b.empty() ? 1 : b.size();
  for (size_t i = 0; i < a.size(); ++i) {
    for (size_t j = 0; j < nb; ++j) {
      SweepPoint p;
      p.values = {a[i]};
      if (!b.empty()) p.values.push_back(b[j]);
      p.figures = {100.0 * static_cast<double>(i + 1) + 10.0 * static_cast<double>(j), static_cast<double>(i)};
      r.points.push_back(p);
    }
  }
  return r;
}

void fail(SweepResult& r, size_t point, const std::string& why) {
  r.points[point].ok = false;
  r.points[point].error = why;
  r.points[point].figures.clear();
}

}  // namespace

TEST_CASE("740 sweep output: given ok and failed points when written as CSV then the header and rows follow RFC 4180",
          "[sweep]") {
  SweepResult r = grid({"8K", "16,x"});
  r.points[0].figures = {250.04, 12.96};
  fail(r, 1, "guest said \"no\", then stopped");
  const std::string csv = sweep_csv(r);
  CHECK(csv ==
        "a,status,ipc,misses,error\n"
        "8K,ok,250,13,\n"
        "\"16,x\",error,,,\"guest said \"\"no\"\", then stopped\"\n");
}

TEST_CASE("740 sweep output: given figures when formatted then integral values have no decimals and others one",
          "[sweep]") {
  CHECK(sweep_format_figure(250) == "250");
  CHECK(sweep_format_figure(12.34) == "12.3");
  CHECK(sweep_format_figure(12.96) == "13");
  CHECK(sweep_format_figure(-0.04) == "0");
  CHECK(sweep_format_figure(1234567.25) == "1234567.3");  // 1234567.25 is exact in binary: rounds away from zero
}

TEST_CASE("740 sweep output: given a sweep when written as JSON then grid, figures, config and points are there",
          "[sweep]") {
  SweepResult r = grid({"8K", "16K"}, {"true", "false"});
  fail(r, 3, "triple fault");
  const nlohmann::json j = sweep_json(r);
  CHECK(j["title"] == "IPC cycles vs a");
  CHECK(j["version"] == "v-test");
  REQUIRE(j["grid"].size() == 2);
  CHECK(j["grid"][0]["key"] == "a");
  CHECK(j["grid"][1]["values"] == nlohmann::json({"true", "false"}));
  CHECK(j["figures"] == nlohmann::json({"ipc", "misses"}));
  CHECK(j["base_config"]["tlb"]["entries"] == 32);
  REQUIRE(j["points"].size() == 4);
  const auto& p1 = j["points"][1];
  CHECK(p1["params"] == nlohmann::json({{"a", "8K"}, {"b", "false"}}));
  CHECK(p1["status"] == "ok");
  CHECK_FALSE(p1.contains("error"));
  CHECK(p1["figures"]["ipc"] == 110.0);
  CHECK(p1["figures"]["misses"] == 0.0);
  const auto& p3 = j["points"][3];
  CHECK(p3["status"] == "error");
  CHECK(p3["error"] == "triple fault");
  CHECK(p3["figures"].empty());
}

TEST_CASE("740 sweep output: given a metric that is not a figure when charted then the error names the allowed ones",
          "[sweep]") {
  const SweepResult r = grid({"1", "2"});
  try {
    sweep_svg(r, "cycles", {});
    FAIL("accepted");
  } catch (const std::invalid_argument& e) {
    CHECK_THAT(e.what(), Catch::Matchers::Contains("'cycles'") && Catch::Matchers::Contains("ipc, misses"));
  }
  CHECK_THROWS_AS(sweep_html(r, "cycles", {}), std::invalid_argument);
}

TEST_CASE("740 sweep output: given grid values when parsed then sizes are 1024-based and hex is accepted", "[sweep]") {
  double v = 0;
  CHECK((sweep_parse_number("8K", &v) && v == 8192));
  CHECK((sweep_parse_number("8kb", &v) && v == 8192));
  CHECK((sweep_parse_number("2M", &v) && v == 2097152));
  CHECK((sweep_parse_number("1MB", &v) && v == 1048576));
  CHECK((sweep_parse_number("0x10", &v) && v == 16));
  CHECK((sweep_parse_number("2.5", &v) && v == 2.5));
  CHECK_FALSE(sweep_parse_number("true", &v));
  CHECK_FALSE(sweep_parse_number("K", &v));
  CHECK_FALSE(sweep_parse_number("0x", &v));
  CHECK_FALSE(sweep_parse_number("8 K", &v));
  CHECK_FALSE(sweep_parse_number("inf", &v));
}

TEST_CASE("740 sweep output: given three or more powers of two when placed then the x axis is log2", "[sweep]") {
  const std::vector<std::string> v = {"1K", "2K", "8K", "0x4000"};
  CHECK(sweep_axis_scale(v) == SweepAxisScale::kLog2);
  const auto x = sweep_x_positions(v);
  REQUIRE(x.size() == 4);
  CHECK(x[0] == Approx(0.0));
  CHECK(x[1] == Approx(0.25));
  CHECK(x[2] == Approx(0.75));
  CHECK(x[3] == Approx(1.0));
}

TEST_CASE("740 sweep output: given numbers that are not all powers of two, or only two, when placed then linear",
          "[sweep]") {
  const std::vector<std::string> v = {"1", "2", "3", "10"};
  CHECK(sweep_axis_scale(v) == SweepAxisScale::kLinear);
  auto x = sweep_x_positions(v);
  CHECK(x[1] == Approx(1.0 / 9));
  CHECK(x[2] == Approx(2.0 / 9));
  CHECK(x[3] == Approx(1.0));
  CHECK(sweep_axis_scale({"8", "64"}) == SweepAxisScale::kLinear);  // two powers of two are not enough for log2
  // Unsorted numbers are placed by value.
  x = sweep_x_positions({"20", "10", "15"});
  CHECK(x[0] == Approx(1.0));
  CHECK(x[1] == Approx(0.0));
  CHECK(x[2] == Approx(0.5));
  CHECK(sweep_x_positions({"7"}) == std::vector<double>{0.5});
}

TEST_CASE("740 sweep output: given values that are not all numbers when placed then evenly in the order given",
          "[sweep]") {
  const std::vector<std::string> v = {"lru", "fifo", "8", "random"};
  CHECK(sweep_axis_scale(v) == SweepAxisScale::kCategorical);
  const auto x = sweep_x_positions(v);
  CHECK(x[0] == Approx(0.0));
  CHECK(x[1] == Approx(1.0 / 3));
  CHECK(x[2] == Approx(2.0 / 3));
  CHECK(x[3] == Approx(1.0));
}

TEST_CASE("740 sweep output: given maxima when a nice y axis is chosen then 1/2/2.5/5 steps give 5 to 8 ticks",
          "[sweep]") {
  for (double v : {0.0, 0.07, 1.0, 7.3, 9.0, 99.0, 172.0, 250.0, 251.0, 1234.0, 7.9e6}) {
    const SweepNiceAxis a = sweep_nice_axis(v);
    INFO(v);
    CHECK(a.max >= v);
    const double ticks = a.max / a.step;
    CHECK(ticks == Approx(std::round(ticks)));
    CHECK(ticks >= 5 - 1e-9);
    CHECK(ticks <= 8 + 1e-9);
    const double mantissa = a.step / std::pow(10.0, std::floor(std::log10(a.step) + 1e-9));
    CHECK((mantissa == Approx(1) || mantissa == Approx(2) || mantissa == Approx(2.5) || mantissa == Approx(5)));
  }
  CHECK(sweep_nice_axis(250).max == Approx(250));
  CHECK(sweep_nice_axis(251).max == Approx(300));
  CHECK(sweep_nice_axis(7.3).max == Approx(8));
}

TEST_CASE("740 sweep output: given a failed point in the middle of a series when charted then the line has a gap",
          "[sweep]") {
  SweepResult r = grid({"1", "2", "3", "4", "5"});
  fail(r, 2, "cycle limit reached");
  const std::string svg = sweep_svg(r, "ipc", {});
  CHECK(count(svg, "<polyline") == 2);
  // Four markers with values, one cross with the error.
  CHECK(count(svg, "<circle") == 4 + 1);  // + the legend marker
  CHECK_THAT(svg, Catch::Matchers::Contains("<title>a=3: error: cycle limit reached</title>"));
  CHECK_THAT(svg, Catch::Matchers::Contains("<title>a=4: ipc = 400</title>"));
  // Each polyline joins two points: 1-2 and 4-5.
  const std::string tag = "<polyline points=\"";
  for (size_t at = svg.find(tag); at != std::string::npos; at = svg.find(tag, at + 1)) {
    const size_t from = at + tag.size();
    CHECK(count(svg.substr(from, svg.find('"', from) - from), ",") == 2);
  }
}

TEST_CASE("740 sweep output: given a second key when charted then one series and legend entry per combination",
          "[sweep]") {
  const SweepResult r = grid({"8K", "16K", "32K"}, {"true", "false"});
  const std::string svg = sweep_svg(r, "ipc", {});
  CHECK(count(svg, "class=\"legend\"") == 2);
  CHECK(count(svg, "class=\"series\"") == 2);
  CHECK(count(svg, "<polyline") == 2);
  CHECK_THAT(svg, Catch::Matchers::Contains(">b=true</text>"));
  CHECK_THAT(svg, Catch::Matchers::Contains(">b=false</text>"));
  CHECK_THAT(svg, Catch::Matchers::Contains("<title>a=16K b=false: ipc = 210</title>"));
  // Tick labels as typed.
  CHECK_THAT(svg, Catch::Matchers::Contains(">32K</text>"));
  // With a single key the series is named after the metric.
  const std::string one = sweep_svg(grid({"1", "2"}), "misses", {});
  CHECK(count(one, "class=\"legend\"") == 1);
  CHECK_THAT(one, Catch::Matchers::Contains(">misses</text></g>"));
}

TEST_CASE("740 sweep output: given more series than colours when charted then later series are dashed", "[sweep]") {
  std::vector<std::string> b;
  for (int i = 0; i < 9; ++i) b.push_back(std::to_string(i));
  const std::string svg = sweep_svg(grid({"1", "2"}, b), "ipc", {});
  CHECK(count(svg, "class=\"legend\"") == 9);
  // Only the ninth series (colour 1 again) has a dash pattern: its polyline and its legend swatch.
  CHECK(count(svg, "stroke=\"#1f77b4\" stroke-width=\"2\" stroke-dasharray=\"6,3\"") == 2);
}

TEST_CASE("740 sweep output: given reference lines when charted then they are dashed, labelled and on the axis",
          "[sweep]") {
  const SweepResult r = grid({"1", "2"});  // ipc up to 200
  const std::string svg = sweep_svg(r, "ipc", {{"L4 (published)", 250}});
  CHECK_THAT(svg, Catch::Matchers::Contains("stroke-dasharray=\"6,4\""));
  CHECK_THAT(svg, Catch::Matchers::Contains(">L4 (published)</text>"));
  CHECK_THAT(svg, Catch::Matchers::Contains(">250</text>"));  // the y axis grew to cover the reference
  CHECK_THROWS_AS(sweep_svg(r, "ipc", {{"bad", std::nan("")}}), std::invalid_argument);
}

TEST_CASE("740 sweep output: given markup characters when charted then text is escaped for XML", "[sweep]") {
  SweepResult r = grid({"<8>", "a&b"});
  r.title = "cycles \"vs\" <size> & more";
  fail(r, 1, "bad <value> & \"quote\"");
  const std::string svg = sweep_svg(r, "ipc", {{"x<y", 10}});
  CHECK_THAT(svg, Catch::Matchers::Contains("cycles &quot;vs&quot; &lt;size&gt; &amp; more"));
  CHECK_THAT(svg, Catch::Matchers::Contains(">&lt;8&gt;</text>"));
  CHECK_THAT(svg, Catch::Matchers::Contains("error: bad &lt;value&gt; &amp; &quot;quote&quot;"));
  CHECK_THAT(svg, Catch::Matchers::Contains(">x&lt;y</text>"));
  CHECK_FALSE(svg.find("<8>") != std::string::npos);
  CHECK_FALSE(svg.find("a&b") != std::string::npos);
  CHECK(sweep_xml_escape(std::string("a\x01z")) == "a?z");
}

TEST_CASE("740 sweep output: given the same sweep twice when written then the bytes are the same", "[sweep]") {
  SweepResult a = grid({"8K", "16K", "32K"}, {"lru", "fifo"});
  SweepResult b = grid({"8K", "16K", "32K"}, {"lru", "fifo"});
  fail(a, 2, "x");
  fail(b, 2, "x");
  const std::vector<SweepReference> refs = {{"L4", 250}, {"bound", 172}};
  CHECK(sweep_svg(a, "ipc", refs) == sweep_svg(b, "ipc", refs));
  CHECK(sweep_html(a, "ipc", refs) == sweep_html(b, "ipc", refs));
  CHECK(sweep_csv(a) == sweep_csv(b));
  CHECK(sweep_json(a).dump() == sweep_json(b).dump());
  // And the chart does depend on the figures.
  b.points[0].figures[0] += 1;
  CHECK(sweep_svg(a, "ipc", refs) != sweep_svg(b, "ipc", refs));
}

TEST_CASE("740 sweep output: given a sweep when written as HTML then the page holds the chart, rows and config",
          "[sweep]") {
  SweepResult r = grid({"8K", "16K", "32K"}, {"true", "false"});
  fail(r, 4, "boom");
  const std::string html = sweep_html(r, "ipc", {});
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK_THAT(html, Catch::Matchers::Contains(sweep_svg(r, "ipc", {})));
  const size_t body = html.find("<tbody>"), end = html.find("</tbody>");
  REQUIRE(body != std::string::npos);
  REQUIRE(end != std::string::npos);
  CHECK(count(html.substr(body, end - body), "<tr") == r.points.size());
  CHECK(count(html, "<tr class=\"error\">") == 1);
  CHECK_THAT(html, Catch::Matchers::Contains("<td>boom</td>"));
  CHECK_THAT(html, Catch::Matchers::Contains("&quot;entries&quot;: 32"));
  CHECK_FALSE(html.find("<script") != std::string::npos);
}

TEST_CASE("740 sweep output: given points out of cartesian order or misshapen when charted then it is refused",
          "[sweep]") {
  SweepResult r = grid({"1", "2"}, {"x", "y"});
  std::swap(r.points[1], r.points[2]);
  CHECK_THROWS_AS(sweep_svg(r, "ipc", {}), std::invalid_argument);
  r = grid({"1", "2"});
  r.points.pop_back();
  CHECK_THROWS_AS(sweep_svg(r, "ipc", {}), std::invalid_argument);
  r = grid({"1", "2"});
  r.points[0].figures.pop_back();
  CHECK_THROWS_AS(sweep_csv(r), std::invalid_argument);
  CHECK_THROWS_AS(sweep_json(r), std::invalid_argument);
}
