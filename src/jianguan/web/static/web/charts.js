(function () {
  var holder = document.getElementById("chart");
  var data = document.getElementById("chart-data");
  if (!holder || !data || typeof echarts === "undefined") return;
  var rows = JSON.parse(data.textContent);
  var chart = echarts.init(holder);
  chart.setOption({
    tooltip: {},
    grid: { left: 60, right: 20, top: 20, bottom: 60 },
    xAxis: { type: "category", data: rows.map(function (r) { return r[0]; }), axisLabel: { rotate: 30 } },
    yAxis: { type: "value" },
    series: [{ name: holder.dataset.seriesName, type: "bar", data: rows.map(function (r) { return r[1]; }) }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
