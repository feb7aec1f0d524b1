// depin explorer: the map (Leaflet + h3-js over world-atlas outlines, no
// tiles) and the charts (uPlot). Data comes from this server only.
"use strict";

(function () {
  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent || "null") : null;
  }

  // colour for a payout relative to the largest in view: grey for none,
  // then from pale to deep green.
  function colour(v, max) {
    if (!(v > 0) || !(max > 0)) return "#8d9692";
    var t = Math.sqrt(v / max);
    var from = [199, 233, 192], to = [0, 90, 50];
    var c = from.map(function (f, i) { return Math.round(f + (to[i] - f) * t); });
    return "rgb(" + c.join(",") + ")";
  }

  function basemap(map) {
    return fetch("/static/vendor/world-atlas/countries-110m.json")
      .then(function (r) { return r.json(); })
      .then(function (topo) {
        L.geoJSON(topojson.feature(topo, topo.objects.countries), {
          style: { color: "#8aa39b", weight: 1, fillColor: "#f1efe6", fillOpacity: 1 },
          interactive: false,
        }).addTo(map);
      });
  }

  function newMap(el) {
    var map = L.map(el, { worldCopyJump: true, minZoom: 2, maxZoom: 17, preferCanvas: false, attributionControl: false });
    map.setView([20, 0], 2);
    return map;
  }

  function networkMap(el) {
    var map = newMap(el);
    var layer = L.layerGroup().addTo(map);
    var seq = 0, settling = true;
    el.dataset.state = "loading";
    function load() {
      var b = map.getBounds(), my = ++seq;
      var bbox = [b.getWest(), Math.max(-90, b.getSouth()), b.getEast(), Math.min(90, b.getNorth())]
        .map(function (v) { return v.toFixed(5); }).join(",");
      if (b.getEast() - b.getWest() >= 360) bbox = "-180," + Math.max(-90, b.getSouth()).toFixed(5) + ",180," + Math.min(90, b.getNorth()).toFixed(5);
      fetch("/api/map?bbox=" + bbox + "&zoom=" + map.getZoom())
        .then(function (r) { return r.json(); })
        .then(function (v) {
          if (my !== seq) return;
          layer.clearLayers();
          var items = v.mode === "devices" ? (v.devices || []) : (v.hexes || []);
          var max = 0;
          items.forEach(function (x) { max = Math.max(max, Number(x.payout)); });
          var bounds = [];
          if (v.mode === "devices") {
            items.forEach(function (d) {
              var ll = [Number(d.lat_e7) / 1e7, Number(d.lng_e7) / 1e7];
              bounds.push(ll);
              if (map.getZoom() >= 14) {
                L.polygon(h3.cellToBoundary(d.cell), { color: "#16302b", weight: 1, fillColor: colour(Number(d.payout), max), fillOpacity: 0.5, interactive: false }).addTo(layer);
              }
              var m = L.circleMarker(ll, { radius: 6, color: "#16302b", weight: 1, fillColor: colour(Number(d.payout), max), fillOpacity: 0.9, className: "device-marker" });
              m.bindTooltip(d.address.slice(0, 12) + "… " + d.status);
              m.on("click", function () { window.location.href = "/devices/" + d.address; });
              m.addTo(layer);
              if (m._path) m._path.setAttribute("data-device", d.address);
            });
          } else {
            items.forEach(function (h) {
              var poly = h3.cellToBoundary(h.cell);
              poly.forEach(function (p) { bounds.push(p); });
              var p = L.polygon(poly, { color: "#16302b", weight: 1, fillColor: colour(Number(h.payout), max), fillOpacity: 0.7, className: "hex-cell" });
              p.bindTooltip(h.devices + " devices");
              p.on("click", function () { map.setView(h3.cellToLatLng(h.cell), Math.min(map.getZoom() + 3, 17)); });
              p.addTo(layer);
            });
          }
          el.dataset.mode = v.mode;
          el.dataset.count = String(items.length);
          // On first load, zoom in to the network: hexes first, then
          // their finer hexes, until the devices show one by one.
          if (settling && bounds.length) {
            var lb = L.latLngBounds(bounds);
            var z = Math.min(map.getBoundsZoom(lb, false, L.point(40, 40)), 13);
            if (z > map.getZoom() || !map.getBounds().contains(lb)) {
              map.fitBounds(lb, { maxZoom: 13, padding: [20, 20] });
              return;
            }
          }
          settling = false;
          el.dataset.state = "ready";
        })
        .catch(function (e) { console.warn("map: " + e); });
    }
    map.on("moveend", load);
    basemap(map).then(load);
  }

  function deviceMap(el) {
    var locs = readJSON(el.dataset.source) || [];
    var map = newMap(el);
    var pts = [];
    locs.forEach(function (l, i) {
      var poly = h3.cellToBoundary(l.cell);
      poly.forEach(function (p) { pts.push(p); });
      L.polygon(poly, { color: i === 0 ? "#b5412a" : "#16302b", weight: i === 0 ? 2 : 1, fillOpacity: i === 0 ? 0.4 : 0.1, className: "location-cell" })
        .bindTooltip("height " + l.height).addTo(map);
    });
    basemap(map).then(function () {
      if (pts.length) map.fitBounds(pts, { maxZoom: 15, padding: [20, 20] });
      el.dataset.state = "ready";
    });
  }

  function chart(el) {
    var data = readJSON(el.dataset.source) || [];
    var width = Math.max(280, el.clientWidth - 10);
    var opts, rows;
    if (el.dataset.chart === "supply") {
      rows = [data.map(function (p) { return Number(p.from_height); }),
        data.map(function (p) { return Number(p.minted) / 1e6; }),
        data.map(function (p) { return Number(p.burned) / 1e6; })];
      opts = { width: width, height: 220, scales: { x: { time: false } },
        series: [{ label: "height" }, { label: "minted PIN", stroke: "#176b58", width: 2 }, { label: "burned PIN", stroke: "#b5412a", width: 2 }] };
    } else {
      data = data.slice().reverse();
      rows = [data.map(function (r) { return Number(r.epoch); }), data.map(function (r) { return Number(r.payout) / 1e6; })];
      opts = { width: width, height: 220, scales: { x: { time: false } },
        series: [{ label: "epoch" }, { label: "payout PIN", stroke: "#176b58", width: 2, fill: "rgba(23,107,88,0.12)", points: { show: true } }] };
    }
    new uPlot(opts, rows, el);
    el.dataset.state = "ready";
  }

  function start() {
    document.querySelectorAll("[data-map=network]").forEach(networkMap);
    document.querySelectorAll("[data-map=device]").forEach(deviceMap);
    document.querySelectorAll("[data-chart]").forEach(chart);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
