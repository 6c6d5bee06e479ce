/// The Mustache template of report.html. Self-contained: inline CSS, inline SVG, no scripts, no external URLs.
enum ReportTemplate {
    static let html = #"""
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}} — {{runId}}</title>
<style>
:root { --ink:#1d2433; --muted:#5b6475; --line:#d9dee7; --bg:#ffffff; --panel:#f6f8fb; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, "DejaVu Sans", sans-serif; color: var(--ink); background: var(--bg); margin: 0; }
main { max-width: 1000px; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.5em; margin: .2em 0; } h2 { font-size: 1.2em; border-bottom: 2px solid var(--line); padding-bottom: .2em; margin-top: 1.6em; }
h3 { font-size: 1em; margin: 1em 0 .3em; }
.meta { color: var(--muted); font-size: .9em; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 120px; }
.card b { display: block; font-size: 1.6em; }
.alert { border-left: 6px solid #888; background: var(--panel); padding: 8px 12px; margin: 8px 0; border-radius: 4px; }
.a-emergency { border-color: #a41fd6; } .a-warning { border-color: #d7191c; } .a-watch { border-color: #fdae61; } .a-none { border-color: #1a9641; }
.badge { font-weight: 700; letter-spacing: .04em; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: .92em; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.swatch { display: inline-block; width: .9em; height: .9em; border: 1px solid #0003; vertical-align: -2px; margin-right: 4px; }
.scroll { overflow-x: auto; }
svg { max-width: 100%; height: auto; }
.quick { max-width: 100%; border: 1px solid var(--line); }
.thumbs { display: flex; flex-wrap: wrap; gap: 8px; }
.thumbs figure { margin: 0; width: 514px; max-width: 100%; font-size: .85em; } .thumbs img { width: 514px; max-width: 100%; border: 1px solid var(--line); image-rendering: pixelated; }
.quick { width: 100%; max-width: 960px; image-rendering: pixelated; }
.livemap { float: right; font-size: .9em; }
@media (max-width: 600px) { body { font-size: 14px; } .card { min-width: 45%; } }
@media print { main { max-width: none; } .alert, .card { break-inside: avoid; } h2 { break-after: avoid; } }
</style>
</head>
<body>
<main>
<header id="summary">
<h1>{{title}}</h1>
<a class="livemap" href="./" title="The live web map of this run, when the report is opened through tilepipe serve RUN_DIR (opened as a file, the link lists the run folder)">Live map</a>
<div class="meta">Run {{runId}} · pipeline <code>{{pipeline}}</code> · TilePipe {{toolVersion}} · {{started}} → {{finished}}</div>
<div class="cards">
<div class="card"><b>{{done}}</b>tiles processed</div>
<div class="card"><b>{{skipped}}</b>unchanged (resumed)</div>
<div class="card"><b>{{failed}}</b>failed</div>
</div>
</header>
<section id="alerts">
<h2>Alerts</h2>
{{#hasAlerts}}{{#alerts}}<div class="alert {{css}}"><span class="badge">{{level}}</span> {{name}}{{#hasPlace}} at <b>{{place}}</b>{{/hasPlace}} — {{hectares}} ha affected{{#hasCentroid}}, centred at {{centroid}} (lat, lon){{/hasCentroid}}. <span class="meta">{{rule}}. Polygons: {{polygons}}.</span></div>
{{/alerts}}{{/hasAlerts}}
{{^hasAlerts}}<p>No alerts were raised.</p>{{/hasAlerts}}
</section>
{{#hasPlaces}}
<section id="places">
<h2>Places</h2>
<p class="meta">Figures are grouped by place: an input's <code>name:</code>, or tiles of one area and campaign (tile groups whose footprints touch and that share a date). No figure adds two places.</p>
<div class="scroll"><table><tr><th>place</th><th>kind</th><th>tile groups</th><th>bounding box (W, S, E, N; lon/lat)</th></tr>
{{#places}}<tr><td>{{name}}</td><td>{{kind}}</td><td>{{groups}}</td><td>{{bbox}}</td></tr>
{{/places}}</table></div>
</section>
{{/hasPlaces}}
{{#hasLandUse}}
<section id="land-use">
<h2>Land use</h2>
{{#landUse}}
<h3>{{place}} · {{date}}</h3>
{{#hasBBox}}<p class="meta">Bounding box (W, S, E, N; lon/lat): {{bbox}}</p>{{/hasBBox}}
<div class="scroll"><svg viewBox="0 0 {{chartWidth}} {{height}}" width="{{chartWidth}}" height="{{height}}" role="img" aria-label="Land-use areas at {{place}} on {{date}}">
{{#rows}}<text x="{{labelX}}" y="{{ty}}" text-anchor="end" font-size="12">{{name}}</text><rect x="{{gutter}}" y="{{y}}" width="{{w}}" height="18" fill="{{color}}" stroke="#0004"><title>{{name}}: {{ha}} ha</title></rect><text x="{{vx}}" y="{{ty}}" font-size="12">{{ha}} ha ({{pct}} %)</text>
{{/rows}}</svg></div>
<table><tr><th>class</th><th class="num">hectares</th><th class="num">%</th></tr>
{{#rows}}<tr><td><span class="swatch" style="background:{{color}}"></span>{{name}}</td><td class="num">{{ha}}</td><td class="num">{{pct}}</td></tr>
{{/rows}}</table>
{{/landUse}}
</section>
{{/hasLandUse}}
{{#hasChanges}}
<section id="change">
<h2>Change between dates</h2>
{{#changes}}
<h3>{{#hasPlace}}{{place}}: {{/hasPlace}}{{from}} → {{to}} (hectares; rows: before, columns: after)</h3>
{{#hasBBox}}<p class="meta">Bounding box (W, S, E, N; lon/lat): {{bbox}}</p>{{/hasBBox}}
<div class="scroll"><svg viewBox="0 0 {{width}} {{height}}" width="{{width}}" height="{{height}}" role="img" aria-label="Change matrix {{from}} to {{to}}">
{{#colLabels}}<text x="{{x}}" y="{{y}}" font-size="10" text-anchor="start" transform="rotate(-40 {{x}} {{y}})">{{name}}</text>
{{/colLabels}}{{#rowLabels}}<text x="{{lx}}" y="{{y}}" font-size="11" text-anchor="end">{{name}}</text>
{{/rowLabels}}{{#cells}}<rect x="{{x}}" y="{{y}}" width="44" height="44" fill="#08519c" fill-opacity="{{opacity}}" stroke="#fff"><title>{{title}}</title></rect><text x="{{tx}}" y="{{ty}}" font-size="10" text-anchor="middle" fill="{{#dark}}#fff{{/dark}}{{^dark}}#1d2433{{/dark}}">{{label}}</text>
{{/cells}}</svg></div>
{{/changes}}
</section>
{{/hasChanges}}
{{#hasDisasters}}
<section id="disasters">
<h2>Disaster monitoring</h2>
{{#disasters}}
<div class="alert {{css}}"><span class="badge">{{alert}}</span> <b>{{name}}</b>{{#hasPlace}} at <b>{{place}}</b>{{/hasPlace}} ({{kind}}, {{before}} → {{after}}): {{total}} ha{{#hasCentroid}}, centred at {{centroid}} (lat, lon){{/hasCentroid}}. <span class="meta">{{rule}}</span></div>
<p class="meta">{{tileCount}} tile(s){{#hasPlace}}; place bounding box (W, S, E, N): {{bbox}}{{/hasPlace}}. Polygons: {{polygons}}.</p>
{{#hasImage}}<img class="quick" src="{{{image}}}" alt="{{name}} map over every tile of the event">{{/hasImage}}
<table><tr><th>severity</th><th class="num">hectares</th></tr>
{{#rows}}<tr><td><span class="swatch" style="background:{{color}}"></span>{{name}}</td><td class="num">{{ha}}</td></tr>
{{/rows}}</table>
{{/disasters}}
</section>
{{/hasDisasters}}
{{#hasSeries}}
<section id="ndvi-series">
<h2>NDVI over time</h2>
{{#series}}<h3>{{place}}</h3>
{{#hasBBox}}<p class="meta">Bounding box (W, S, E, N; lon/lat): {{bbox}}</p>{{/hasBBox}}
<div class="scroll"><svg viewBox="0 0 600 250" width="600" height="250" role="img" aria-label="Mean NDVI per date at {{place}}">
<line x1="50" y1="20" x2="50" y2="220" stroke="#888"/><line x1="50" y1="220" x2="570" y2="220" stroke="#888"/>
<text x="44" y="24" font-size="10" text-anchor="end">{{yTop}}</text><text x="44" y="222" font-size="10" text-anchor="end">{{yBottom}}</text>
<polyline points="{{points}}" fill="none" stroke="#1a9641" stroke-width="2"/>
{{#dots}}<circle cx="{{x}}" cy="{{y}}" r="4" fill="#1a9641"><title>{{date}}: {{mean}}</title></circle><text x="{{x}}" y="240" font-size="10" text-anchor="middle">{{date}}</text>
{{/dots}}</svg></div>{{/series}}
</section>
{{/hasSeries}}
{{#hasIndices}}
<section id="indices">
<h2>Index statistics</h2>
<table><tr><th>index</th><th class="num">mean</th><th class="num">min</th><th class="num">max</th><th class="num">valid pixels</th></tr>
{{#indices}}<tr><td>{{name}}</td><td class="num">{{mean}}</td><td class="num">{{min}}</td><td class="num">{{max}}</td><td class="num">{{pixels}}</td></tr>
{{/indices}}</table>
</section>
{{/hasIndices}}
{{#hasRegions}}
<section id="regions">
<h2>Regions (hectares per class and affected hectares, per date; also in regions.csv)</h2>
<div class="scroll"><table><tr><th>region</th><th>date</th>{{#classHeaders}}<th class="num">{{.}}</th>{{/classHeaders}}<th>bounding box (W, S, E, N)</th></tr>
{{#regions}}<tr><td>{{name}}</td><td>{{date}}</td>{{#cells}}<td class="num">{{.}}</td>{{/cells}}<td>{{bbox}}</td></tr>
{{/regions}}</table></div>
</section>
{{/hasRegions}}
{{#hasAccuracy}}
<section id="accuracy">
<h2>Accuracy against ground truth</h2>
<table><tr><th>tile</th><th class="num">overall accuracy (%)</th><th class="num">kappa</th></tr>
{{#accuracy}}<tr><td>{{tile}}</td><td class="num">{{overall}}</td><td class="num">{{kappa}}</td></tr>
{{/accuracy}}</table>
</section>
{{/hasAccuracy}}
<section id="tiles">
<h2>Tiles</h2>
<div class="thumbs">{{#tiles}}<figure>{{#hasThumb}}<img src="{{{thumb}}}" alt="quicklook of {{id}}">{{/hasThumb}}<figcaption>{{id}} · {{place}} · {{date}} · {{satellite}} · {{status}}</figcaption></figure>{{/tiles}}</div>
</section>
<section id="failures">
<h2>Failures</h2>
{{#hasFailures}}<div class="scroll"><table><tr><th>file</th><th>stage</th><th>kind</th><th>cause</th></tr>
{{#failures}}<tr><td><code>{{path}}</code></td><td>{{stage}}</td><td>{{kind}}</td><td>{{cause}}</td></tr>
{{/failures}}</table></div>{{/hasFailures}}
{{^hasFailures}}<p>None.</p>{{/hasFailures}}
</section>
<section id="provenance">
<h2>Provenance</h2>
<p>Pipeline <code>{{pipeline}}</code>, hash <code>{{pipelineHash}}</code>, TilePipe {{toolVersion}}.</p>
<ul>{{#inputs}}<li><code>{{.}}</code></li>{{/inputs}}</ul>
<ul>{{#links}}<li><a href="{{href}}">{{name}}</a></li>{{/links}}</ul>
</section>
</main>
</body>
</html>
"""#
}
