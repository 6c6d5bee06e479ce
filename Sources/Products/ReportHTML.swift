import Foundation
import Mustache
import RasterIO

/// report.html: one self-contained page (inline CSS, inline SVG charts, quicklooks embedded as data URIs,
/// no script, no network), readable on a phone and printable. Rendered with swift-mustache from
/// `ReportTemplate.html`; every figure comes from `RunReport`'s derived aggregates.
enum ReportHTML {
    /// Writes the page to `path` atomically, each picture's data URI encoded straight into the file: the pictures are
    /// most of the page (2.7 of 2.8 MB for eight 1024² tiles), and carried as strings through the template, the
    /// joined page and its UTF-8 copy they were copied four times at the end of every run.
    @discardableResult
    static func write(_ r: RunReport, runDirectory: String, to path: String) throws -> WrittenFile {
        let page = try self.page(r, runDirectory: runDirectory)
        return try AtomicFile.writeHashed(to: path) { sink in
            func put(_ text: String) throws {
                var text = text   // `withUTF8` is mutating: a native string's own bytes, no copy
                try text.withUTF8 { try sink.write(UnsafeRawBufferPointer($0)) }
            }
            try put(page.texts[0])
            for (k, picture) in page.pictures.enumerated() {
                try put(uriPrefix)
                try picture.base64EncodedData().withUnsafeBytes { try sink.write($0) }
                try put(page.texts[k + 1])
            }
        }
    }

    /// The rendered page cut at its pictures: `texts[0]`, picture 0, `texts[1]`, … (`texts.count == pictures.count + 1`),
    /// the pictures as the PNG files' bytes.
    struct Page {
        var texts: [String]
        var pictures: [Data]
    }

    /// Renders the template with a unique token where each picture goes, then cuts the text at the tokens.
    static func page(_ r: RunReport, runDirectory: String) throws -> Page {
        let templates: [MustacheTemplate]
        do { templates = try parts(ReportTemplate.html).map { try MustacheTemplate(string: $0) } } catch { throw ReportError.template("\(error)") }
        // A token no report text can hold by chance (a fresh UUID), then the picture's number and a full stop.
        let token = "tilepipe-picture-\(UUID().uuidString)-"
        var pictures: [Data] = []
        let vm = viewModel(r, runDirectory: runDirectory) { data in
            pictures.append(data)
            return "\(token)\(pictures.count - 1)."
        }
        let text = templates.map { $0.render(vm) }.joined()
        var texts: [String] = [], order: [Data] = []
        var rest = Substring(text)
        while let hit = rest.range(of: token) {
            let digits = rest[hit.upperBound...].prefix { $0.isASCII && $0.isNumber }
            guard let k = Int(digits), k < pictures.count, rest[digits.endIndex...].first == "." else {
                throw ReportError.template("a picture token without its number")
            }
            texts.append(String(rest[..<hit.lowerBound]))
            order.append(pictures[k])
            rest = rest[rest.index(after: digits.endIndex)...]
        }
        texts.append(String(rest))
        return Page(texts: texts, pictures: order)
    }

    /// `template` cut before every line where no section is open, into parts of at least `minimum` characters:
    /// runs of whole lines, each with its sections closed, so rendered one after another they give the text the
    /// whole template gives (Mustache's standalone-tag rule looks at one line at a time). Why: swift-mustache's
    /// parser measures the rest of its input at each tag (`String.distance`, linear in characters), which made the
    /// 9 KB report template cost about 9 ms to parse at the end of every run; parts of a few hundred characters
    /// cost a small fraction of that.
    static func parts(_ template: String, minimum: Int = 512) -> [String] {
        func count(_ tag: String, in line: Substring) -> Int { line.components(separatedBy: tag).count - 1 }
        var parts: [String] = [], current = "", depth = 0
        let lines = template.split(separator: "\n", omittingEmptySubsequences: false)
        for (i, line) in lines.enumerated() {
            if depth == 0 && current.utf8.count >= minimum { parts.append(current); current = "" }
            current += line
            if i < lines.count - 1 { current += "\n" }   // each part ends with the newline of its last line
            depth += count("{{#", in: line) + count("{{^", in: line) - count("{{/", in: line)
        }
        parts.append(current)
        return parts
    }

    /// A PNG in the run folder, or nil when it cannot be read. A stored path must stay a file inside the run folder
    /// (no `..`, no link): no other file is ever embedded.
    static func picture(_ relative: String?, in dir: String) -> Data? {
        guard let relative, let full = try? OutputTree.checkedPath(relative, in: dir) else { return nil }
        return FileManager.default.contents(atPath: full)
    }

    static let uriPrefix = "data:image/png;base64,"

    /// A PNG's bytes as a data URI. The template inserts it unescaped (`{{{thumb}}}`, `{{{image}}}`): it is
    /// `data:image/png;base64,` and the base64 alphabet only, where HTML escaping changes nothing and cost 40 % of a
    /// run's tail, character by character over megabytes.
    static func dataURI(_ png: Data) -> String { uriPrefix + png.base64EncodedString() }

    /// The template's values; `embed` gives what stands for a picture in the page (by default its data URI).
    static func viewModel(_ r: RunReport, runDirectory dir: String, embed: (Data) -> String = dataURI) -> [String: Any] {
        func embedded(_ relative: String?) -> String? { picture(relative, in: dir).map(embed) }
        let s = r.statusCounts
        let alertClass = ["emergency": "a-emergency", "warning": "a-warning", "watch": "a-watch"]
        var vm: [String: Any] = [
            "title": r.run.title ?? "TilePipe report", "runId": r.run.id, "toolVersion": r.run.toolVersion, "pipeline": r.run.pipeline, "pipelineHash": r.run.pipelineHash,
            "started": r.run.started, "finished": r.run.finished,
            "done": s.done, "skipped": s.skipped, "failed": s.failed,
            "alerts": r.alerts.map { d -> [String: Any] in
                ["level": d.alert.uppercased(), "css": alertClass[d.alert] ?? "", "name": d.name, "rule": d.rule,
                 "hectares": ReportNumber.ha(d.affectedHectares), "place": d.place ?? "", "hasPlace": d.place != nil,
                 "centroid": d.centroidText, "hasCentroid": d.centroid != nil, "polygons": d.polygonNote]
            },
            "inputs": r.run.inputs,
            "links": r.links.sorted { $0.key < $1.key }.map { ["name": $0.key, "href": $0.value] },
        ]
        vm["hasAlerts"] = !r.alerts.isEmpty
        vm["places"] = r.places.map { ["name": $0.name, "kind": $0.kind.rawValue, "groups": $0.groups.joined(separator: " "), "bbox": $0.bboxText] }
        vm["hasPlaces"] = !r.places.isEmpty

        // Land-use bars, one chart per date; the gutter fits the longest class name (about 6.5 px per character at 12 px).
        let areas = r.areasByDate
        let labelGutter = 20 + Int(6.5 * Double(r.classes.map(\.name.count).max() ?? 10))
        let barWidth = 330.0
        vm["gutter"] = labelGutter
        vm["labelX"] = labelGutter - 6
        vm["chartWidth"] = labelGutter + Int(barWidth) + 150
        vm["landUse"] = areas.map { d -> [String: Any] in
            // Bars scale per place (places differ in size; a small place's bars stay readable).
            let maxHa = max(areas.filter { $0.place == d.place }.flatMap { $0.rows.map(\.hectares) }.max() ?? 0, 1e-9)
            let rows = d.rows.enumerated().map { i, row -> [String: Any] in
                ["y": 6 + i * 24, "ty": 21 + i * 24, "w": ReportNumber.fixed(barWidth * row.hectares / maxHa, 1), "color": row.info.color,
                 "name": row.info.name, "ha": ReportNumber.ha(row.hectares), "pct": ReportNumber.pct(row.percent),
                 "vx": ReportNumber.fixed(Double(labelGutter) + barWidth * row.hectares / maxHa + 6, 1)]
            }
            return ["place": d.place, "date": d.date, "rows": rows, "height": 12 + d.rows.count * 24,
                    "bbox": r.place(d.place)?.bboxText ?? "", "hasBBox": r.place(d.place)?.bbox != nil]
        }
        vm["hasLandUse"] = !areas.isEmpty

        // Change matrices as heat maps.
        vm["changes"] = r.changes.map { c -> [String: Any] in
            let n = c.classes.count
            let maxCell = max(c.pixels.flatMap { $0 }.max() ?? 0, 1)
            let cell = 44, left = 20 + Int(6 * Double(c.classes.map { r.classInfo($0).name.count }.max() ?? 10)), top = 130
            var cells: [[String: Any]] = []
            for i in 0..<n { for j in 0..<n {
                let v = c.pixels[i][j]
                cells.append(["x": left + j * cell, "y": top + i * cell, "tx": left + j * cell + cell / 2, "ty": top + i * cell + cell / 2 + 4,
                              "opacity": ReportNumber.fixed(v == 0 ? 0.04 : 0.15 + 0.85 * Double(v) / Double(maxCell), 3),
                              "label": v == 0 ? "" : ReportNumber.fixed(c.hectares(i, j), 0), "title": "\(r.classInfo(c.classes[i]).name) → \(r.classInfo(c.classes[j]).name): \(ReportNumber.ha(c.hectares(i, j))) ha",
                              "dark": Double(v) / Double(maxCell) > 0.5])
            } }
            let rowLabels = c.classes.enumerated().map { i, code in ["y": top + i * cell + cell / 2 + 4, "name": r.classInfo(code).name] as [String: Any] }
            let colLabels = c.classes.enumerated().map { j, code in ["x": left + j * cell + cell / 2, "y": top - 8, "name": r.classInfo(code).name] as [String: Any] }
            return ["place": c.place ?? "", "hasPlace": c.place != nil, "from": c.fromDate, "to": c.toDate, "cells": cells,
                    "bbox": r.place(c.place)?.bboxText ?? "", "hasBBox": r.place(c.place)?.bbox != nil, "rowLabels": rowLabels, "colLabels": colLabels,
                    "width": left + n * cell + 10, "height": top + n * cell + 10, "lx": left - 6]
        }
        vm["hasChanges"] = !r.changes.isEmpty

        vm["disasters"] = r.disasters.map { d -> [String: Any] in
            let image = embedded(d.quicklook)
            return ["name": d.name, "kind": d.kind, "before": d.before, "after": d.after, "alert": d.alert.uppercased(),
                    "css": alertClass[d.alert] ?? "a-none", "rule": d.rule, "image": image as Any, "hasImage": image != nil,
                    "tileCount": d.tiles.count, "place": d.place ?? "", "hasPlace": d.place != nil,
                    "bbox": r.place(d.place)?.bboxText ?? "", "centroid": d.centroidText, "hasCentroid": d.centroid != nil,
                    "polygons": d.polygonNote,
                    "rows": d.severities.map { ["name": $0.name, "color": $0.color, "ha": ReportNumber.ha(d.hectares($0))] },
                    "total": ReportNumber.ha(d.affectedHectares)]
        }
        vm["hasDisasters"] = !r.disasters.isEmpty

        // NDVI time series, one polyline per place (a line never joins two places).
        let series = r.seriesByPlace(of: "ndvi").filter { $0.points.count > 1 }
        vm["series"] = series.map { place, points -> [String: Any] in
            let lo = min(points.map(\.mean).min()!, 0), hi = max(points.map(\.mean).max()!, 1)
            let w = 520.0, h = 200.0, x0 = 50.0, y0 = 20.0
            let pts = points.enumerated().map { i, p -> (Double, Double) in
                (x0 + w * Double(i) / Double(points.count - 1), y0 + h * (1 - (p.mean - lo) / (hi - lo)))
            }
            return [
                "place": place, "bbox": r.place(place)?.bboxText ?? "", "hasBBox": r.place(place)?.bbox != nil,
                "points": pts.map { "\(ReportNumber.fixed($0.0, 1)),\(ReportNumber.fixed($0.1, 1))" }.joined(separator: " "),
                "dots": zip(pts, points).map { p, s in ["x": ReportNumber.fixed(p.0, 1), "y": ReportNumber.fixed(p.1, 1), "date": s.date, "mean": ReportNumber.index(s.mean)] },
                "yTop": ReportNumber.index(hi), "yBottom": ReportNumber.index(lo),
            ]
        }
        vm["hasSeries"] = !series.isEmpty
        vm["indices"] = r.indexTotals.map { t -> [String: Any] in
            let a = t.statistics, any = a.count > 0
            return ["name": t.name, "mean": any ? ReportNumber.index(a.mean) : "", "min": any ? ReportNumber.index(a.minimum) : "",
                    "max": any ? ReportNumber.index(a.maximum) : "", "pixels": a.count]
        }
        vm["hasIndices"] = !r.indexTotals.isEmpty
        let regionJobs = Array(Set(r.regions.flatMap(\.affectedHectares.keys))).sorted()
        vm["classHeaders"] = r.classes.map(\.name) + regionJobs.map { "\($0) affected" }
        vm["regions"] = r.regions.map { g in
            ["name": g.region ?? g.name, "date": g.date ?? "", "bbox": r.place(g.region)?.bboxText ?? "",
             "cells": r.classes.map { ReportNumber.ha(g.classHectares[String($0.code)] ?? 0) } + regionJobs.map { g.affectedHectares[$0].map(ReportNumber.ha) ?? "" }] as [String: Any]
        }
        vm["hasRegions"] = !r.regions.isEmpty
        vm["accuracy"] = r.accuracy.map { ["tile": $0.tile, "overall": ReportNumber.pct(100 * $0.overall), "kappa": ReportNumber.index($0.kappa)] }
        vm["hasAccuracy"] = !r.accuracy.isEmpty
        vm["failures"] = r.failures.map { ["path": $0.path, "stage": $0.stage, "kind": $0.kind.rawValue, "cause": $0.cause] }
        vm["hasFailures"] = !r.failures.isEmpty
        vm["tiles"] = r.tiles.map { t -> [String: Any] in
            let thumb = embedded(t.quicklook)
            return ["id": t.id, "status": t.status.rawValue, "date": t.date ?? "", "satellite": t.satellite ?? "", "place": t.place ?? "",
                    "thumb": thumb as Any, "hasThumb": thumb != nil]
        }
        return vm
    }
}
