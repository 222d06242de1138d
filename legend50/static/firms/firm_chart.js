// Yearly sales and exports of one firm (data from the json_script "firm-chart-data"; the table
// below the chart holds the same figures for screen readers).
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("firm-chart");
    var src = document.getElementById("firm-chart-data");
    if (!el || !src || !window.echarts) return;
    var d = JSON.parse(src.textContent);
    var eok = function (v) { return v == null ? null : Math.round(v / 1e6) / 100; };
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "-" : v.toLocaleString("ko-KR") + "억원"; } },
      legend: { top: 0 },
      grid: { left: 60, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: d.years.map(String) },
      yAxis: { type: "value", name: "억원" },
      series: [
        { name: "매출액", type: "bar", data: d.sales.map(eok), itemStyle: { color: "#256ef4" } },
        { name: "직접수출액", type: "bar", stack: "exp", data: d.direct_exports.map(eok), itemStyle: { color: "#1a7b3e" } },
        { name: "간접수출액", type: "bar", stack: "exp", data: d.indirect_exports.map(eok), itemStyle: { color: "#8a5300" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
