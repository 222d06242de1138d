// Stacked bars per instrument: money to participating firms of selected projects vs all others.
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("concentration-chart");
    var src = document.getElementById("concentration-data");
    if (!el || !src || !window.echarts) return;
    var d = JSON.parse(src.textContent);
    var eok = function (v) { return Math.round(v / 1e6) / 100; };
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
        valueFormatter: function (v) { return v.toLocaleString("ko-KR") + "억원"; } },
      legend: { top: 0 },
      grid: { left: 170, right: 30, top: 40, bottom: 30 },
      xAxis: { type: "value", name: "억원" },
      yAxis: { type: "category", data: d.labels, inverse: true },
      series: [
        { name: "선정 프로젝트 참여기업", type: "bar", stack: "all", data: d.participants.map(eok), itemStyle: { color: "#256ef4" } },
        { name: "그 외 기업", type: "bar", stack: "all", data: d.others.map(eok), itemStyle: { color: "#aab2bb" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
