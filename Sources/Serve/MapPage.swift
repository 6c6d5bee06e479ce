/// The map page served at `/`: Leaflet (from `/leaflet/`, Debian's libjs-leaflet; nothing from another host),
/// a panel with the layer and date selectors, an opacity slider, the layer's legend, a link to the report, and the
/// affected polygons of `affected.geojson` with popups (kind, severity, hectares, place).
///
/// The state lives in the URL hash (`#layer=flood&date=2025-06-02_2025-06-18&opacity=0.8`) so a view can be
/// shared; `#status` counts the tiles loaded and failed (`tiles: 12 loaded, 0 failed`).
enum MapPage {
    static let html = #"""
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>TilePipe map</title>
<link rel="stylesheet" href="/leaflet/leaflet.css">
<link rel="icon" href="data:,">
<style>
  html, body { margin: 0; height: 100%; font: 13px "DejaVu Sans", sans-serif; }
  #map { position: absolute; inset: 0 300px 0 0; background: #dde3e8; }
  #panel { position: absolute; top: 0; right: 0; bottom: 0; width: 284px; padding: 8px; overflow-y: auto; background: #fafafa; border-left: 1px solid #bbb; }
  #panel h1 { font-size: 16px; margin: 0 0 8px; }
  #panel label { display: block; margin: 8px 0 2px; font-weight: bold; }
  #panel select, #panel input[type=range] { width: 100%; }
  #legend img { max-width: 100%; background: #fff; }
  #status { color: #555; margin-top: 10px; font-size: 11px; }
  .popup td { padding: 1px 6px 1px 0; }
</style>
</head>
<body>
<div id="map"></div>
<div id="panel">
  <h1>TilePipe run</h1>
  <label for="layer">Layer</label><select id="layer"></select>
  <label for="date">Date</label><select id="date"></select>
  <label for="opacity">Opacity <span id="opacity-value"></span></label><input id="opacity" type="range" min="0" max="1" step="0.05" value="0.85">
  <label><input id="affected" type="checkbox" checked> Affected areas</label>
  <label>Legend</label><div id="legend"></div>
  <p id="report-link"></p>
  <div id="status">tiles: 0 loaded, 0 failed</div>
</div>
<script src="/leaflet/leaflet.js"></script>
<script>
"use strict";
const state = Object.fromEntries(new URLSearchParams(location.hash.slice(1)));
const map = L.map("map", { zoomControl: true, attributionControl: true });
map.attributionControl.setPrefix("Leaflet");
let layers = [], tiles = null, loaded = 0, failed = 0, polygons = null;
const $ = (id) => document.getElementById(id);
function status() { $("status").textContent = "tiles: " + loaded + " loaded, " + failed + " failed"; }
function current() { return layers.find((l) => l.name === $("layer").value); }
function saveHash() {
  const p = new URLSearchParams({ layer: $("layer").value, date: $("date").value, opacity: $("opacity").value });
  history.replaceState(null, "", "#" + p.toString());
}
function fillDates(keep) {
  const l = current(), sel = $("date");
  sel.innerHTML = "";
  for (const d of l.dates) { const o = document.createElement("option"); o.value = d; o.textContent = d.replace("_", " → "); sel.appendChild(o); }
  if (keep && l.dates.includes(keep)) sel.value = keep;
}
function show() {
  const l = current(), date = $("date").value;
  if (tiles) map.removeLayer(tiles);
  tiles = L.tileLayer("/tiles/" + encodeURIComponent(l.name) + "/" + encodeURIComponent(date) + "/{z}/{x}/{y}.png",
                      { maxZoom: 20, opacity: Number($("opacity").value), attribution: l.title + " " + date });
  tiles.on("tileload", () => { loaded++; status(); });
  tiles.on("tileerror", () => { failed++; status(); });
  tiles.addTo(map);
  if (polygons) polygons.bringToFront();
  $("legend").innerHTML = "";
  const img = document.createElement("img");
  img.alt = l.title + " legend"; img.src = "/legend/" + encodeURIComponent(l.name) + ".svg";
  $("legend").appendChild(img);
  $("opacity-value").textContent = Math.round(Number($("opacity").value) * 100) + " %";
  saveHash();
}
function cell(tr, text) { const td = document.createElement("td"); td.textContent = text; tr.appendChild(td); }
function popup(f) {
  const p = f.properties || {}, table = document.createElement("table");
  table.className = "popup";
  const rows = [["Kind", p.job || p.kind || ""], ["Severity", p.class_name || p.severity || ""],
                ["Hectares", p.area_ha != null ? Number(p.area_ha).toFixed(2) : ""],
                ["Place", p.region || p.place || p.tile_id || ""], ["Dates", (p.dates || []).join(" → ")]];
  for (const [k, v] of rows) { const tr = document.createElement("tr"); cell(tr, k); cell(tr, String(v)); table.appendChild(tr); }
  return table;
}
const kindColours = { flood: "#08519c", burn: "#a50f15", drought: "#8c510a", landslide: "#54278f" };
fetch("/layers.json").then((r) => r.json()).then((doc) => {
  layers = doc.layers;
  for (const l of layers) { const o = document.createElement("option"); o.value = l.name; o.textContent = l.title; $("layer").appendChild(o); }
  if (state.layer && layers.some((l) => l.name === state.layer)) $("layer").value = state.layer;
  if (state.opacity) $("opacity").value = state.opacity;
  fillDates(state.date);
  const b = current().bounds;
  map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
  show();
  if (doc.report) {
    const a = document.createElement("a"); a.href = "/report.html"; a.textContent = "Open the run report"; $("report-link").appendChild(a);
  }
  if (doc.affected) {
    fetch("/affected.geojson").then((r) => r.json()).then((gj) => {
      polygons = L.geoJSON(gj, {
        style: (f) => ({ color: kindColours[(f.properties || {}).job] || "#d7301f", weight: 1.5, fillOpacity: 0.05 }),
        onEachFeature: (f, layer) => layer.bindPopup(() => popup(f)),
      });
      if ($("affected").checked) polygons.addTo(map);
    });
  }
});
$("layer").addEventListener("change", () => { fillDates($("date").value); show(); });
$("date").addEventListener("change", show);
$("opacity").addEventListener("input", () => { if (tiles) tiles.setOpacity(Number($("opacity").value));
  $("opacity-value").textContent = Math.round(Number($("opacity").value) * 100) + " %"; saveHash(); });
$("affected").addEventListener("change", () => { if (!polygons) return; if ($("affected").checked) polygons.addTo(map); else map.removeLayer(polygons); });
</script>
</body>
</html>
"""#
}
