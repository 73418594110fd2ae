// Renders every element with data-plot="<id of a json_script>": {type, categories, series, percent}.
(function () {
  if (typeof echarts === "undefined") return;
  document.querySelectorAll("[data-plot]").forEach(function (holder) {
    var source = document.getElementById(holder.dataset.plot);
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    var type = spec.type || "line";
    var percent = !!spec.percent;
    var chart = echarts.init(holder);
    chart.setOption({
      tooltip: {
        trigger: "axis",
        valueFormatter: function (v) { return v === null || v === undefined ? "—" : percent ? (v * 100).toFixed(1) + "%" : v; }
      },
      legend: { top: 0 },
      grid: { left: 60, right: 20, top: 40, bottom: 60 },
      xAxis: { type: "category", data: spec.categories, axisLabel: { rotate: spec.categories.length > 8 ? 30 : 0 } },
      yAxis: { type: "value", axisLabel: { formatter: function (v) { return percent ? Math.round(v * 100) + "%" : v; } },
               max: percent ? 1 : null },
      series: spec.series.map(function (s) {
        return { name: s.name, type: type, stack: spec.stacked ? "total" : undefined, data: s.data, connectNulls: true };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
