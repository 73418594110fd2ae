// The complaint map: the province's county boundaries (shipped with the app), over the deployment's own
// tile server when one is configured (data-tiles, a {z}/{x}/{y} template; none by default), the
// location pin, and on the filing form a pin the citizen places by clicking: it fills the hidden
// latitude/longitude fields and names the county the point falls in.
(function () {
  var holder = document.getElementById("pin-map");
  if (!holder || typeof echarts === "undefined") return;
  var pick = holder.dataset.pick === "1";
  var latField = pick ? document.getElementById(holder.dataset.latField) : null;
  var lngField = pick ? document.getElementById(holder.dataset.lngField) : null;
  var countyOut = pick ? document.getElementById(holder.dataset.countyOut) : null;
  var start = [parseFloat(holder.dataset.lng), parseFloat(holder.dataset.lat)];
  var pin = isNaN(start[0]) || isNaN(start[1]) ? null : start;
  var features = [];

  function inside(ring, x, y) {
    var hit = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) hit = !hit;
    }
    return hit;
  }

  // As the server does (complaints.geo.county_at): inside a boundary, else the county whose
  // boundary passes within 0.01° (the slivers that simplified neighbours leave between them).
  function countyAt(point) {
    var best = null, bestDistance = 0.01 * 0.01;
    for (var f = 0; f < features.length; f++) {
      var g = features[f].geometry;
      var polygons = g.type === "MultiPolygon" ? g.coordinates : [g.coordinates];
      for (var p = 0; p < polygons.length; p++) {
        if (inside(polygons[p][0], point[0], point[1]) &&
            !polygons[p].slice(1).some(function (hole) { return inside(hole, point[0], point[1]); })) {
          return features[f].properties;
        }
        polygons[p][0].forEach(function (v) {
          var d = (v[0] - point[0]) * (v[0] - point[0]) + (v[1] - point[1]) * (v[1] - point[1]);
          if (d <= bestDistance) { best = features[f].properties; bestDistance = d; }
        });
      }
    }
    return best;
  }

  var tiles = holder.dataset.tiles || "";
  var chart = echarts.init(holder);
  window.addEventListener("resize", function () { chart.resize(); drawTiles(); });

  // Web Mercator tile numbers (the tile servers' scheme) and back.
  function tileLng(x, z) { return x / Math.pow(2, z) * 360 - 180; }
  function tileLat(y, z) {
    var n = Math.PI - 2 * Math.PI * y / Math.pow(2, z);
    return 180 / Math.PI * Math.atan(0.5 * (Math.exp(n) - Math.exp(-n)));
  }
  function lngTile(lng, z) { return Math.floor((lng + 180) / 360 * Math.pow(2, z)); }
  function latTile(lat, z) {
    var r = lat * Math.PI / 180;
    return Math.floor((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2 * Math.pow(2, z));
  }

  // The tiles under the visible part of the map, each placed by its corners (behind the boundaries).
  function drawTiles() {
    if (!tiles) return;
    var w = chart.getWidth(), h = chart.getHeight();
    var a = chart.convertFromPixel({ geoIndex: 0 }, [0, 0]), b = chart.convertFromPixel({ geoIndex: 0 }, [w, h]);
    if (!a || !b) return;
    var west = Math.max(a[0], -180), east = Math.min(b[0], 180);
    var north = Math.min(a[1], 85), south = Math.max(b[1], -85);
    if (east <= west || north <= south) return;
    var z = Math.max(0, Math.min(18, Math.round(Math.log(360 * w / (256 * (east - west))) / Math.LN2)));
    var x0 = lngTile(west, z), x1 = lngTile(east, z), y0 = latTile(north, z), y1 = latTile(south, z);
    if ((x1 - x0 + 1) * (y1 - y0 + 1) > 120) return;
    var elements = [];
    for (var x = x0; x <= x1; x++) {
      for (var y = y0; y <= y1; y++) {
        var p = chart.convertToPixel({ geoIndex: 0 }, [tileLng(x, z), tileLat(y, z)]);
        var q = chart.convertToPixel({ geoIndex: 0 }, [tileLng(x + 1, z), tileLat(y + 1, z)]);
        elements.push({
          type: "image", silent: true, z: -10,
          style: {
            image: tiles.replace("{z}", z).replace("{x}", x).replace("{y}", y),
            x: p[0], y: p[1], width: q[0] - p[0], height: q[1] - p[1]
          }
        });
      }
    }
    chart.setOption({ graphic: { elements: elements } }, { replaceMerge: ["graphic"] });
  }
  chart.on("georoam", function () { window.requestAnimationFrame(drawTiles); });

  function show() {
    chart.setOption({
      series: [{
        id: "pin", type: "scatter", coordinateSystem: "geo", symbol: "pin", symbolSize: 34,
        itemStyle: { color: "#d63384" }, data: pin ? [pin] : [], z: 10
      }]
    });
    if (!pick) return;
    latField.value = pin ? pin[1].toFixed(6) : "";
    lngField.value = pin ? pin[0].toFixed(6) : "";
    var county = pin ? countyAt(pin) : null;
    countyOut.textContent = !pin ? countyOut.dataset.none : county ? county.name : countyOut.dataset.outside;
    countyOut.dataset.code = county ? county.code : "";
  }

  fetch(holder.dataset.mapUrl).then(function (r) { return r.json(); }).then(function (geojson) {
    features = geojson.features;
    echarts.registerMap("counties", geojson);
    // Ready for a click once the map is drawn (tests and people wait for the same moment).
    chart.on("finished", function () { holder.dataset.ready = "1"; });
    chart.setOption({
      tooltip: { show: true, formatter: function (p) { return p.name || ""; } },
      geo: {
        map: "counties", roam: true, scaleLimit: { min: 1, max: 40 },
        center: pin || undefined, zoom: pin && !pick ? 6 : 1,
        label: { show: false },
        itemStyle: { areaColor: tiles ? "rgba(238,243,248,0.3)" : "#eef3f8", borderColor: "#9aa9b8", borderWidth: 0.6 },
        emphasis: { label: { show: true, fontSize: 11 }, itemStyle: { areaColor: "#cfe2ff" } },
        select: { disabled: true }
      }
    });
    show();
    drawTiles();
  });

  if (pick) {
    chart.getZr().on("click", function (event) {
      var point = chart.convertFromPixel({ geoIndex: 0 }, [event.offsetX, event.offsetY]);
      if (!point) return;
      pin = [Math.round(point[0] * 1e6) / 1e6, Math.round(point[1] * 1e6) / 1e6];
      show();
    });
    var clear = document.getElementById("pin-clear");
    if (clear) clear.addEventListener("click", function () { pin = null; show(); });
  }
})();
