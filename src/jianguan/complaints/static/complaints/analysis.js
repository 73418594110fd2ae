// The complaint analysis charts: every element with data-analysis-plot="<id of a json_script>"
// holding {type, categories, series, percent, horizontal, partial_last, partial_label}.
// Long names (units, classes) go on a horizontal bar chart's category axis with room for them;
// the current, incomplete month is drawn lighter with a dashed edge (the page says so in words).
(function () {
  if (typeof echarts === "undefined") return;
  document.querySelectorAll("[data-analysis-plot]").forEach(function (holder) {
    var source = document.getElementById(holder.dataset.analysisPlot);
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    var percent = !!spec.percent;
    var last = spec.categories.length - 1;
    var format = function (v) { return percent ? Math.round(v * 100) + "%" : v; };
    var categoryAxis = {
      type: "category", data: spec.categories, inverse: !!spec.horizontal,
      axisLabel: spec.horizontal
        ? { width: 200, overflow: "truncate", ellipsis: "…" }
        : { interval: 0, rotate: spec.categories.length > 8 ? 30 : 0, width: 90, overflow: "truncate" },
      axisTick: { alignWithLabel: true }
    };
    var valueAxis = { type: "value", max: percent ? 1 : null, axisLabel: { formatter: format } };
    var chart = echarts.init(holder);
    chart.setOption({
      tooltip: {
        trigger: "axis",
        valueFormatter: function (v) { return v === null || v === undefined ? "—" : percent ? (v * 100).toFixed(1) + "%" : v; }
      },
      legend: { top: 0, show: spec.series.length > 1 },
      grid: { left: 10, right: 24, top: spec.series.length > 1 ? 32 : 16, bottom: 10, containLabel: true },
      xAxis: spec.horizontal ? valueAxis : categoryAxis,
      yAxis: spec.horizontal ? categoryAxis : valueAxis,
      series: spec.series.map(function (s) {
        return {
          name: s.name, type: spec.type || "bar", barMaxWidth: 48,
          data: s.data.map(function (v, i) {
            if (!(spec.partial_last && i === last)) return v;
            return { value: v, itemStyle: { opacity: 0.45, borderType: "dashed", borderColor: "#5470c6", borderWidth: 1 },
                     label: { show: true, position: "top", formatter: spec.partial_label, fontSize: 10 } };
          })
        };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
