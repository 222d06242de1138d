// K-SME 50+ dashboard charts (ECharts). Data comes from the json_script block; no inline scripts (CSP).
(function () {
  "use strict";

  var FONT = '"Pretendard GOV", "Pretendard", "Noto Sans KR", sans-serif';
  var OFFICIAL = "#0b50d0";
  var COMPUTED = "#c65f00";
  var TREND = "#5f6b7a";

  function pct(v, digits) {
    if (v === null || v === undefined || isNaN(v)) return "—";
    return (v * 100).toFixed(digits === undefined ? 1 : digits) + "%";
  }

  function toolbox(name) {
    return {
      right: 8,
      top: 0,
      feature: { saveAsImage: { title: "PNG로 저장", name: name, pixelRatio: 2, backgroundColor: "#fff" } },
    };
  }

  function indicatorOption(d) {
    var band = d.lower.map(function (lo, i) {
      var hi = d.upper[i];
      return lo === null || hi === null ? null : hi - lo;
    });
    var hasBand = band.some(function (v) { return v !== null; });
    var series = [
      {
        name: "공식 통계",
        type: "scatter",
        symbol: "diamond",
        symbolSize: 14,
        itemStyle: { color: OFFICIAL },
        data: d.official,
        z: 5,
        markLine: {
          silent: true,
          symbol: "none",
          lineStyle: { color: "#b3261e", type: "solid", width: 1.5 },
          label: { formatter: "목표 " + pct(d.target, 0) + " (" + d.target_year + ")", position: "insideEndTop", color: "#b3261e" },
          data: [{ yAxis: d.target }],
        },
      },
      {
        name: "산출값(표본)",
        type: "line",
        symbol: "circle",
        symbolSize: 7,
        connectNulls: false,
        itemStyle: { color: COMPUTED },
        lineStyle: { color: COMPUTED },
        data: d.computed,
        z: 4,
      },
    ];
    if (d.trend_label) {
      series.push({
        name: d.trend_label,
        type: "line",
        symbol: "none",
        lineStyle: { type: "dashed", color: TREND },
        itemStyle: { color: TREND },
        data: d.trend,
        z: 3,
      });
    }
    if (hasBand) {
      series.push(
        { name: "구간 하한", type: "line", stack: "band", symbol: "none", lineStyle: { opacity: 0 }, data: d.lower, tooltip: { show: false }, silent: true },
        {
          name: "90% 예측구간",
          type: "line",
          stack: "band",
          symbol: "none",
          lineStyle: { opacity: 0 },
          areaStyle: { color: "rgba(95,107,122,.18)" },
          itemStyle: { color: "rgba(95,107,122,.35)" },
          data: band,
          silent: true,
        }
      );
    }
    var values = [].concat(d.official, d.computed, d.trend, d.upper, [d.target]).filter(function (v) { return v !== null; });
    var lo = Math.max(0, Math.floor((Math.min.apply(null, values) - 0.03) * 20) / 20);
    var hi = Math.min(1, Math.ceil((Math.max.apply(null, values) + 0.03) * 20) / 20);
    return {
      textStyle: { fontFamily: FONT },
      toolbox: toolbox("K-SME50-" + d.key),
      legend: { bottom: 0, data: ["공식 통계", "산출값(표본)"].concat(d.trend_label ? [d.trend_label] : []).concat(hasBand ? ["90% 예측구간"] : []) },
      grid: { left: 52, right: 20, top: 36, bottom: 56 },
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var year = items.length ? items[0].axisValue : "";
          var lines = [year + "년"];
          var i = d.years.indexOf(year);
          if (d.official[i] !== null) lines.push("◆ 공식 통계: " + pct(d.official[i]));
          if (d.computed[i] !== null) lines.push("● 산출값(표본): " + pct(d.computed[i]));
          if (d.trend[i] !== null) lines.push(d.trend_label + ": " + pct(d.trend[i]));
          if (d.lower[i] !== null) lines.push("90% 예측구간: " + pct(d.lower[i]) + " ~ " + pct(d.upper[i]));
          return lines.join("<br>");
        },
      },
      xAxis: { type: "category", data: d.years, boundaryGap: false },
      yAxis: { type: "value", min: lo, max: hi, axisLabel: { formatter: function (v) { return pct(v, 0); } } },
      series: series,
    };
  }

  function mix(a, b, t) {
    var pa = [parseInt(a.slice(1, 3), 16), parseInt(a.slice(3, 5), 16), parseInt(a.slice(5, 7), 16)];
    var pb = [parseInt(b.slice(1, 3), 16), parseInt(b.slice(3, 5), 16), parseInt(b.slice(5, 7), 16)];
    return "rgb(" + pa.map(function (x, i) { return Math.round(x + (pb[i] - x) * t); }).join(",") + ")";
  }

  function tileOption(d) {
    var span = d.max - d.min;
    function level(t) { return t.value === null ? null : span > 0 ? (t.value - d.min) / span : 0.5; }
    function fill(t) {
      if (t.suppressed) return "#e6e8ea";
      if (t.value === null) return "#f4f5f6";
      return mix("#d8e6fd", "#063a74", level(t));
    }
    function ink(t) { var l = level(t); return l !== null && l > 0.5 ? "#ffffff" : "#1e2124"; }
    return {
      textStyle: { fontFamily: FONT },
      toolbox: toolbox("시도-타일지도"),
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var t = d.tiles[p.dataIndex];
          var v = t.suppressed ? d.suppressed_label + " (3개사 미만)" : t.value === null ? d.empty_label : t.display;
          return t.name + "<br>" + d.metric + (d.year ? " (" + d.year + "년)" : "") + ": " + v;
        },
      },
      grid: { left: 8, right: 8, top: 36, bottom: 8 },
      xAxis: { type: "value", min: 0, max: d.cols, show: false },
      yAxis: { type: "value", min: 0, max: d.rows - 1, inverse: true, show: false },
      series: [
        {
          type: "custom",
          data: d.tiles.map(function (t) { return [t.col, t.row - 1, t.value]; }),
          encode: { x: 0, y: 1 },
          renderItem: function (params, api) {
            var t = d.tiles[params.dataIndex];
            var p = api.coord([t.col, t.row - 1]);
            var s = api.size([1, 1]);
            var label = t.short + "\n" + (t.suppressed ? "—" : t.value === null ? "" : t.display);
            return {
              type: "group",
              children: [
                { type: "rect", shape: { x: p[0] + 3, y: p[1] + 3, width: s[0] - 6, height: s[1] - 6, r: 6 }, style: { fill: fill(t), stroke: "#ffffff", lineWidth: 1 } },
                {
                  type: "text",
                  style: {
                    text: label,
                    x: p[0] + s[0] / 2,
                    y: p[1] + s[1] / 2,
                    align: "center",
                    verticalAlign: "middle",
                    fill: t.suppressed || t.value === null ? "#58616a" : ink(t),
                    font: "600 14px " + FONT,
                    lineHeight: 18,
                  },
                },
              ],
            };
          },
        },
      ],
    };
  }

  function kpiOption(d) {
    return {
      textStyle: { fontFamily: FONT },
      toolbox: toolbox("과제-성과지표-달성률"),
      grid: { left: 220, right: 64, top: 40, bottom: 24 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return v === null ? "—" : v.toFixed(1) + "%"; } },
      xAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: d.labels, inverse: true, axisLabel: { width: 200, overflow: "truncate" } },
      series: [
        {
          name: "평균 달성률",
          type: "bar",
          data: d.values,
          barMaxWidth: 22,
          itemStyle: { color: OFFICIAL },
          label: { show: true, position: "right", formatter: function (p) { return p.value === null ? "—" : p.value.toFixed(1) + "%"; } },
          markLine: { silent: true, symbol: "none", lineStyle: { color: "#b3261e", type: "dashed" }, label: { position: "end", formatter: "목표 100%", color: "#b3261e" }, data: [{ xAxis: 100 }] },
        },
      ],
    };
  }

  function draw() {
    var source = document.getElementById("monitoring-chart-data");
    if (!source || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var option = null;
      if (el.dataset.chart === "indicator") option = indicatorOption(data.indicators[Number(el.dataset.index)]);
      else if (el.dataset.chart === "tiles" && data.tiles) option = tileOption(data.tiles);
      else if (el.dataset.chart === "kpi" && data.kpi) {
        el.style.height = Math.max(220, 60 + 34 * data.kpi.labels.length) + "px";
        option = kpiOption(data.kpi);
      }
      if (!option) { el.hidden = true; return; }
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option);
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
