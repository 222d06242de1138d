// Expo statistics charts (ECharts). Data comes from the json_script block; no inline scripts (CSP).
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("expo-chart-data");
    if (!source || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var palette = ["#0b50d0", "#1d8a4e", "#c65f00", "#7a3fc2", "#b0234a", "#00798c", "#5f6b7a"];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var series = data[el.dataset.chart];
      if (!series || !series.labels.length) {
        el.hidden = true;
        return;
      }
      var chart = echarts.init(el, null, { renderer: "svg" });
      var pie = el.dataset.chart === "kinds";
      chart.setOption(
        pie
          ? {
              color: palette,
              tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
              series: [
                {
                  type: "pie",
                  radius: ["35%", "65%"],
                  label: { formatter: "{b}\n{c}" },
                  data: series.labels.map(function (label, i) {
                    return { name: label, value: series.values[i] };
                  }),
                },
              ],
            }
          : {
              color: palette,
              grid: { left: 40, right: 16, top: 24, bottom: 48 },
              tooltip: { trigger: "axis" },
              xAxis: { type: "category", data: series.labels, axisLabel: { interval: 0, rotate: series.labels.length > 8 ? 30 : 0 } },
              yAxis: { type: "value", minInterval: 1 },
              series: [{ type: "bar", data: series.values, label: { show: true, position: "top" }, barMaxWidth: 48 }],
            }
      );
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
