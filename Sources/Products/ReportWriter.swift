import Foundation
import RasterIO

/// Errors while writing reports.
public enum ReportError: Error, CustomStringConvertible, Sendable {
    /// The HTML template failed to parse (a programming error, caught by tests).
    case template(String)
    /// A report file could not be written.
    case write(path: String, reason: String)

    public var description: String {
        switch self {
        case .template(let m): "report template: \(m)"
        case .write(let p, let r): "\(p): \(r)"
        }
    }
}

/// Writes the reports of a run into its folder: report.json, areas.csv, changes.csv, disasters.csv,
/// failures.csv, report.md and report.html, or the subset of formats a config asks for. Each file is written atomically.
public enum ReportWriter {
    /// A report format (`report.formats` in pipeline.yaml) and the files it stands for.
    public enum Format: String, CaseIterable, Sendable {
        /// report.json.
        case json
        /// areas.csv, changes.csv, disasters.csv, failures.csv, regions.csv.
        case csv
        /// report.md.
        case md
        /// report.html.
        case html

        /// The files of this format, relative to the run folder.
        public var fileNames: [String] {
            switch self {
            case .json: return ["report.json"]
            case .csv: return ["areas.csv", "changes.csv", "disasters.csv", "failures.csv", "regions.csv"]
            case .md: return ["report.md"]
            case .html: return ["report.html"]
            }
        }
    }

    /// Every file name a report may write, relative to the run folder.
    public static let fileNames = Format.allCases.flatMap(\.fileNames)

    /// Renders and writes the reports of `formats` (default: all). The files of the other formats are removed, so a
    /// folder never holds a report left from an earlier run with other settings. `runDirectory` is also where
    /// quicklooks named in the report are read from (they are embedded in report.html as data URIs, so the page
    /// needs no other file).
    ///
    /// The formats are rendered and written side by side (each file on its own, atomically): report.html, with its
    /// embedded pictures, takes as long as all the others together, and this is the serial end of every run. When
    /// several fail, the error of the first format in `Format.allCases` order is thrown.
    public static func writeAll(_ report: RunReport, to runDirectory: String, formats: Set<Format> = Set(Format.allCases)) throws {
        let wanted = Format.allCases.filter { formats.contains($0) }
        let failures = LockedSlots<Error>(count: wanted.count)
        DispatchQueue.concurrentPerform(iterations: wanted.count) { k in
            do { try write(wanted[k], report, runDirectory: runDirectory) } catch { failures.set(k, error) }
        }
        if let first = failures.values.compactMap({ $0 }).first { throw first }
        for format in Format.allCases where !formats.contains(format) {
            for name in format.fileNames {
                let path = (runDirectory as NSString).appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: path) {
                    do { try FileManager.default.removeItem(atPath: path) } catch {
                        throw ReportError.write(path: path, reason: "cannot remove the report of an earlier run: \(error.localizedDescription)")
                    }
                }
            }
        }
    }

    /// Writes the files of one format; a file that cannot be written is a `ReportError.write` naming it.
    static func write(_ format: Format, _ report: RunReport, runDirectory: String) throws {
        func path(_ name: String) -> String { (runDirectory as NSString).appendingPathComponent(name) }
        func writing(_ name: String, _ body: () throws -> Void) throws {
            do { try body() } catch let e as ReportError { throw e } catch {
                throw ReportError.write(path: path(name), reason: "\(error)")
            }
        }
        let texts: [(name: String, text: String)]
        switch format {
        case .html:   // its pictures go straight into the file
            try writing("report.html") { try ReportHTML.write(report, runDirectory: runDirectory, to: path("report.html")) }
            return
        case .json: texts = [("report.json", try ReportJSON.render(report))]
        case .csv:
            texts = [("areas.csv", ReportCSV.areas(report)), ("changes.csv", ReportCSV.changes(report)),
                     ("disasters.csv", ReportCSV.disasters(report)), ("failures.csv", ReportCSV.failures(report)),
                     ("regions.csv", ReportCSV.regions(report))]
        case .md: texts = [("report.md", ReportMarkdown.render(report))]
        }
        for (name, text) in texts { try writing(name) { try AtomicFile.write(text: text, to: path(name)) } }
    }
}

/// One optional value per index, set from several threads.
private final class LockedSlots<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [T?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: T) { lock.withLock { slots[i] = value } }
    var values: [T?] { lock.withLock { slots } }
}

/// report.json: the report itself plus every derived figure (areas per date, series, hectares), sorted keys.
enum ReportJSON {
    struct Document: Encodable {
        var report: RunReport
        var summary: Summary
    }
    struct Summary: Encodable {
        struct Area: Encodable { var place: String; var date: String; var code: Int; var name: String; var hectares: Double; var percent: Double }
        struct Point: Encodable { var place: String; var date: String; var mean: Double; var pixels: Int }
        struct IndexTotal: Encodable { var index: String; var mean: Double?; var minimum: Double?; var maximum: Double?; var pixels: Int }
        struct DisasterArea: Encodable { var name: String; var place: String?; var severity: String; var hectares: Double }
        struct ChangeArea: Encodable { var place: String?; var fromDate: String; var toDate: String; var fromClass: Int; var toClass: Int; var hectares: Double }
        struct Alert: Encodable {
            var level: String; var name: String; var kind: String; var place: String?; var bbox: [Double]?; var centroid: [Double]?
            var hectares: Double; var polygonHectares: Double?; var polygons: String; var rule: String
        }
        struct RegionRow: Encodable {
            var region: String; var date: String; var classHectares: [String: Double]; var indexMeans: [String: Double]
            var affectedHectares: [String: Double]; var bbox: [Double]?
        }
        var tilesDone: Int
        var tilesSkipped: Int
        var tilesFailed: Int
        var areas: [Area]
        var ndviSeries: [Point]
        var indices: [IndexTotal]
        var disasterAreas: [DisasterArea]
        var changeAreas: [ChangeArea]
        var alerts: [String]
        var alertDetails: [Alert]
        var regionRows: [RegionRow]
    }

    static func summary(_ r: RunReport) -> Summary {
        let s = r.statusCounts
        return Summary(
            tilesDone: s.done, tilesSkipped: s.skipped, tilesFailed: s.failed,
            areas: r.areasByDate.flatMap { d in d.rows.map { .init(place: d.place, date: d.date, code: $0.info.code, name: $0.info.name, hectares: $0.hectares, percent: $0.percent) } },
            ndviSeries: r.series(of: "ndvi").map { .init(place: $0.place, date: $0.date, mean: $0.mean, pixels: $0.count) },
            indices: r.indexTotals.map { t in
                let any = t.statistics.count > 0
                return .init(index: t.name, mean: any ? t.statistics.mean : nil, minimum: any ? t.statistics.minimum : nil,
                             maximum: any ? t.statistics.maximum : nil, pixels: t.statistics.count)
            },
            disasterAreas: r.disasters.flatMap { d in d.severities.map { .init(name: d.name, place: d.place, severity: $0.name, hectares: d.hectares($0)) } },
            changeAreas: r.changes.flatMap { c in
                c.classes.indices.flatMap { i in c.classes.indices.map { j in
                    Summary.ChangeArea(place: c.place, fromDate: c.fromDate, toDate: c.toDate, fromClass: c.classes[i], toClass: c.classes[j], hectares: c.hectares(i, j))
                } }
            },
            alerts: r.alerts.map(r.alertLine),
            alertDetails: r.alerts.map { d in
                .init(level: d.alert, name: d.name, kind: d.kind, place: d.place, bbox: r.place(d.place)?.bbox, centroid: d.centroid,
                      hectares: d.affectedHectares, polygonHectares: d.polygonHectares, polygons: d.polygonNote, rule: d.rule)
            },
            regionRows: r.regions.map { g in
                .init(region: g.region ?? g.name, date: g.date ?? "", classHectares: g.classHectares, indexMeans: g.indexMeans,
                      affectedHectares: g.affectedHectares, bbox: r.place(g.region)?.bbox)
            })
    }

    static func render(_ r: RunReport) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try enc.encode(Document(report: r, summary: summary(r))), as: UTF8.self) + "\n"
    }
}

/// The CSV tables (RFC 4180 quoting, fixed decimals).
enum ReportCSV {
    static func field(_ s: String) -> String { SafeText.csvCell(s) }   // RFC 4180 quoting + OWASP formula neutralising
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        ([header] + rows).map { $0.map(field).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }
    /// One row per place, date and class: no row adds two places.
    static func areas(_ r: RunReport) -> String {
        table(["place", "date", "class_code", "class", "hectares", "percent"],
              r.areasByDate.flatMap { d in d.rows.map { [d.place, d.date, String($0.info.code), $0.info.name, ReportNumber.ha($0.hectares), ReportNumber.pct($0.percent)] } })
    }
    static func changes(_ r: RunReport) -> String {
        table(["place", "from_date", "to_date", "from_class", "to_class", "hectares"],
              r.changes.flatMap { c in c.classes.indices.flatMap { i in c.classes.indices.compactMap { j -> [String]? in
                  c.pixels[i][j] == 0 ? nil : [c.place ?? "", c.fromDate, c.toDate, r.classInfo(c.classes[i]).name, r.classInfo(c.classes[j]).name, ReportNumber.ha(c.hectares(i, j))]
              } } })
    }
    static func disasters(_ r: RunReport) -> String {
        table(["job", "kind", "place", "before", "after", "severity", "hectares", "alert", "rule", "centroid_lat", "centroid_lon"],
              r.disasters.flatMap { d in d.severities.map {
                  [d.name, d.kind, d.place ?? "", d.before, d.after, $0.name, ReportNumber.ha(d.hectares($0)), d.alert, d.rule,
                   d.centroid.map { ReportNumber.fixed($0[1], 6) } ?? "", d.centroid.map { ReportNumber.fixed($0[0], 6) } ?? ""]
              } })
    }
    /// regions.csv: per region and date, hectares per class, index means and affected hectares per disaster job,
    /// with the region's lon/lat box. The figures are report.json's `regions` (same values, fixed decimals).
    static func regions(_ r: RunReport) -> String {
        let indices = Array(Set(r.regions.flatMap(\.indexMeans.keys))).sorted()
        let jobs = Array(Set(r.regions.flatMap(\.affectedHectares.keys))).sorted()
        let header = ["region", "date"] + r.classes.map { "ha_\($0.name)" } + indices.map { "mean_\($0)" } + jobs.map { "affected_ha_\($0)" }
            + ["west", "south", "east", "north"]
        return table(header, r.regions.map { g in
            let box = r.place(g.region)?.bbox
            return [g.region ?? g.name, g.date ?? ""] + r.classes.map { ReportNumber.ha(g.classHectares[String($0.code)] ?? 0) }
                + indices.map { g.indexMeans[$0].map(ReportNumber.index) ?? "" }
                + jobs.map { g.affectedHectares[$0].map(ReportNumber.ha) ?? "" }
                + (0..<4).map { i in box.map { ReportNumber.fixed($0[i], 6) } ?? "" }
        })
    }
    static func failures(_ r: RunReport) -> String {
        table(["path", "stage", "kind", "cause"], r.failures.map { [$0.path, $0.stage, $0.kind.rawValue, $0.cause] })
    }
}

/// report.md: the same sections as the HTML page, as Markdown tables.
enum ReportMarkdown {
    static func cell(_ s: String) -> String { SafeText.markdown(s) }   // user text: no heading, HTML, link or cell break
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        "| " + header.map(cell).joined(separator: " | ") + " |\n|" + header.map { _ in " --- |" }.joined() + "\n"
            + rows.map { "| " + $0.map(cell).joined(separator: " | ") + " |\n" }.joined()
    }
    static func render(_ r: RunReport) -> String {
        let s = r.statusCounts
        let esc = SafeText.markdown
        var md = "# \(esc(r.run.title ?? "TilePipe report")) — \(esc(r.run.id))\n\n"
        md += "Pipeline \(esc(r.run.pipeline)) (hash \(r.run.pipelineHash)), TilePipe \(r.run.toolVersion), \(r.run.started) → \(r.run.finished).\n\n"
        md += "## Summary\n\nTiles: \(s.done) done, \(s.skipped) unchanged, \(s.failed) failed.\n\n"
        if r.alerts.isEmpty { md += "No alerts.\n\n" } else {
            md += "### Alerts\n\n" + r.alerts.map { d in
                "- **\(esc(d.alert.uppercased()))** \(esc(d.name))" + (d.place.map { " at \(esc($0))" } ?? "")
                    + ": \(ReportNumber.ha(d.affectedHectares)) ha" + (d.centroidText.isEmpty ? "" : ", centred at \(d.centroidText) (lat, lon)")
                    + ". \(esc(d.rule)). Polygons: \(esc(d.polygonNote)).\n"
            }.joined() + "\n"
        }
        if !r.places.isEmpty {
            md += "## Places\n\n" + table(["place", "kind", "tile groups", "bounding box (W, S, E, N; lon/lat)"],
                                           r.places.map { [$0.name, $0.kind.rawValue, $0.groups.joined(separator: " "), $0.bboxText] }) + "\n"
        }
        let areas = r.areasByDate
        if !areas.isEmpty {
            md += "## Land use\n\n"
            for d in areas {
                md += "### \(esc(d.place)) · \(esc(d.date))\n\n" + (r.place(d.place).map { $0.bbox == nil ? "" : "Bounding box (W, S, E, N; lon/lat): \($0.bboxText)\n\n" } ?? "") + table(["class", "hectares", "%"], d.rows.map { [$0.info.name, ReportNumber.ha($0.hectares), ReportNumber.pct($0.percent)] }) + "\n"
            }
        }
        for c in r.changes {
            md += "## Change\(c.place.map { " at \(esc($0))" } ?? "") \(esc(c.fromDate)) → \(esc(c.toDate)) (hectares; rows = before, columns = after)\n\n"
            md += table(["from \\ to"] + c.classes.map { r.classInfo($0).name },
                        c.classes.indices.map { i in [r.classInfo(c.classes[i]).name] + c.classes.indices.map { ReportNumber.ha(c.hectares(i, $0)) } }) + "\n"
        }
        for d in r.disasters {
            md += "## \(esc(d.name)) (\(esc(d.kind)), \(esc(d.before)) → \(esc(d.after))) — alert: \(esc(d.alert))\n\n\(esc(d.rule))\n\n"
            md += "Affected: \(ReportNumber.ha(d.affectedHectares)) ha; \(esc(d.polygonNote)).\n\n"
            md += table(["severity", "hectares"], d.severities.map { [$0.name, ReportNumber.ha(d.hectares($0))] }) + "\n"
        }
        let ndvi = r.seriesByPlace(of: "ndvi").filter { $0.points.count > 1 }
        if !ndvi.isEmpty {
            md += "## NDVI over time\n\n" + table(["place", "date", "mean NDVI"], ndvi.flatMap { s in s.points.map { [s.place, $0.date, ReportNumber.index($0.mean)] } }) + "\n"
        }
        if !r.regions.isEmpty {
            let jobs = Array(Set(r.regions.flatMap(\.affectedHectares.keys))).sorted()
            md += "## Regions\n\n" + table(["region", "date"] + r.classes.map(\.name) + jobs.map { "\($0) affected" },
                                            r.regions.map { g in [g.region ?? g.name, g.date ?? ""] + r.classes.map { ReportNumber.ha(g.classHectares[String($0.code)] ?? 0) }
                                                + jobs.map { g.affectedHectares[$0].map(ReportNumber.ha) ?? "" } }) + "\n"
        }
        if !r.accuracy.isEmpty {
            md += "## Accuracy against ground truth\n\n" + table(["tile", "overall accuracy", "kappa"], r.accuracy.map { [$0.tile, ReportNumber.pct(100 * $0.overall) + " %", ReportNumber.index($0.kappa)] }) + "\n"
        }
        md += "## Failures\n\n" + (r.failures.isEmpty ? "None.\n\n" : table(["file", "stage", "kind", "cause"], r.failures.map { [$0.path, $0.stage, $0.kind.rawValue, $0.cause] }) + "\n")
        md += "## Provenance\n\nInputs: " + r.run.inputs.map { esc($0) }.joined(separator: ", ") + "\n"
        for (k, v) in r.links.sorted(by: { $0.key < $1.key }) { md += "\n- \(k): [\(v)](\(v))" }
        return md + "\n"
    }
}
