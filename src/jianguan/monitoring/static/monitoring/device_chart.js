// A device's readings, hour by hour (a day by day for the year): the mean as a line over a band from each hour's minimum to its
// maximum (the band is drawn as the minimum plus a stacked difference, so the tooltip names the
// real values). The range buttons fetch the same data from the page's data-source and redraw.
(function () {
  var holder = document.getElementById("device-chart");
  var source = document.getElementById("device-chart-data");
  if (!holder || !source || typeof echarts === "undefined") return;
  var chart = echarts.init(holder);

  function option(spec) {
    var spread = spec.max.map(function (high, i) {
      return high === null || spec.min[i] === null ? null : high - spec.min[i];
    });
    var show = function (v) { return v === null || v === undefined ? "—" : (+v).toFixed(2).replace(/\.?0+$/, "") + " " + spec.unit; };
    return {
      animation: false,
      tooltip: {
        trigger: "axis",
        formatter: function (points) {
          var i = points[0].dataIndex;
          return spec.categories[i] + "<br>" + spec.names.mean + ": " + show(spec.mean[i]) + "<br>" +
            spec.names.band + ": " + show(spec.min[i]) + " – " + show(spec.max[i]) + "<br>" +
            spec.names.count + ": " + spec.count[i];
        }
      },
      legend: { top: 0, data: [spec.names.mean, spec.names.band] },
      grid: { left: 10, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: spec.categories, boundaryGap: false, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", scale: true, name: spec.unit, nameTextStyle: { align: "right" } },
      series: [
        { name: "min", type: "line", stack: "band", data: spec.min, symbol: "none", lineStyle: { opacity: 0 }, silent: true },
        { name: spec.names.band, type: "line", stack: "band", data: spread, symbol: "none", lineStyle: { opacity: 0 },
          areaStyle: { color: "rgba(84, 112, 198, 0.2)" }, itemStyle: { color: "rgba(84, 112, 198, 0.35)" }, silent: true },
        { name: spec.names.mean, type: "line", data: spec.mean, symbol: "none", itemStyle: { color: "#5470c6" }, lineStyle: { width: 2 } }
      ]
    };
  }

  function draw(spec) {
    chart.setOption(option(spec), true);
    var empty = document.getElementById("chart-empty");
    if (empty) empty.hidden = !spec.empty;
    var title = document.getElementById("chart-title");
    if (title && spec.names.title) title.textContent = spec.names.title;
    var caption = document.getElementById("chart-caption");
    if (caption && spec.names.caption) caption.textContent = spec.names.caption;
  }

  draw(JSON.parse(source.textContent));
  document.querySelectorAll("#chart-range [data-days]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      fetch(holder.dataset.source + "?days=" + button.dataset.days, { headers: { Accept: "application/json" } })
        .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
        .then(function (spec) {
          draw(spec);
          document.querySelectorAll("#chart-range [data-days]").forEach(function (b) {
            b.classList.toggle("active", b === button);
            if (b === button) b.setAttribute("aria-current", "true"); else b.removeAttribute("aria-current");
          });
          history.replaceState(null, "", "?days=" + button.dataset.days);
        })
        .catch(function () { window.location = button.href; });
    });
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
