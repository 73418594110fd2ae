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
    // A horizontal chart names every bar on its own line (long department names never overlap,
    // so none is hidden); a vertical one names every category too, rotated when there are many.
    var horizontal = !!spec.horizontal;
    var categoryAxis = horizontal
      ? { type: "category", data: spec.categories, inverse: true, axisLabel: { interval: 0, width: 160, overflow: "break" } }
      : { type: "category", data: spec.categories, axisLabel: { interval: 0, rotate: spec.categories.length > 8 ? 30 : 0 } };
    var valueAxis = { type: "value", axisLabel: { formatter: function (v) { return percent ? Math.round(v * 100) + "%" : v; } },
                      max: percent ? 1 : null };
    if (horizontal) {
      holder.style.height = Math.max(160, 60 + 36 * spec.categories.length) + "px";
      chart.resize();
    }
    chart.setOption({
      tooltip: {
        trigger: "axis",
        valueFormatter: function (v) { return v === null || v === undefined ? "—" : percent ? (v * 100).toFixed(1) + "%" : v; }
      },
      legend: { top: 0 },
      grid: horizontal ? { left: 10, right: 20, top: 40, bottom: 20, containLabel: true } : { left: 60, right: 20, top: 40, bottom: 60 },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: spec.series.map(function (s) {
        return { name: s.name, type: type, stack: spec.stacked ? "total" : undefined, data: s.data, connectNulls: true,
                 itemStyle: s.color ? { color: s.color } : undefined };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
