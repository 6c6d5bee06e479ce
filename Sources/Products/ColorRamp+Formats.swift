import Foundation
import RasterCore

extension ColorRamp {
    /// Parses GDAL's colour-map text (`gdaldem color-relief`, `gdal raster color-map`): one `value R G B [A]`
    /// per line (commas, tabs or spaces between fields), `nv R G B [A]` for nodata (ignored: nodata is always
    /// transparent here), `#` comments and blank lines skipped. Percentages (`50% …`) and colour names are not
    /// supported and throw, naming the line.
    public static func parseGDALColorMap(_ text: String, name: String, title: String? = nil,
                                         interpolation: Interpolation = .linear) throws -> ColorRamp {
        var stops: [Stop] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," || $0 == ":" }).map(String.init)
            if f.first?.lowercased() == "nv" { continue }
            let c = f.dropFirst().compactMap { UInt8($0) }
            guard f.count == 4 || f.count == 5, let v = Double(f[0]), c.count == f.count - 1 else {
                throw ProductsError.invalidInput(item: "\(name) line \(i + 1)", reason: "expected `value R G B [A]` with 0…255 channels, got `\(line)`")
            }
            var s = Stop(v, "#000000")
            s.color = RGBA(c[0], c[1], c[2], c.count == 4 ? c[3] : 255)
            if interpolation == .categorical { s.label = f[0] }
            stops.append(s)
        }
        guard !stops.isEmpty else { throw ProductsError.invalidInput(item: name, reason: "colour map has no entries") }
        return ColorRamp(name: name, title: title ?? name, stops: stops, interpolation: interpolation)
    }

    /// The ramp in GDAL's colour-map text format (`value R G B A` lines, then `nv 0 0 0 0`), for
    /// `gdaldem color-relief` or QGIS. Stepped and categorical ramps list their stops as exact entries.
    public var gdalColorMap: String {
        var lines = stops.filter { interpolation != .categorical || Int($0.value) != nodataCode }.map { s in
            "\(LegendLayout.format(s.value)) \(s.color.r) \(s.color.g) \(s.color.b) \(s.color.a)"
        }
        lines.append("nv 0 0 0 0")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A self-contained SVG legend (for HTML reports): a gradient bar with tick labels for linear ramps,
    /// swatches with labels for stepped and class ramps. `width` in CSS pixels.
    public func legendSVG(width: Int = 320, unit: String = "") -> String {
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        let heading = esc(unit.isEmpty ? title : "\(title) [\(unit)]")
        var body = "<text x=\"0\" y=\"12\" font-family=\"DejaVu Sans, sans-serif\" font-size=\"12\">\(heading)</text>"
        let height: Int
        switch interpolation {
        case .linear:
            let span = domain.upperBound - domain.lowerBound
            let grad = stops.map { s in
                "<stop offset=\"\(span > 0 ? (s.value - domain.lowerBound) / span : 0)\" stop-color=\"\(s.color.hex)\"/>"
            }.joined()
            body += "<defs><linearGradient id=\"g-\(name)\">\(grad)</linearGradient></defs>"
            body += "<rect x=\"0\" y=\"18\" width=\"\(width)\" height=\"14\" fill=\"url(#g-\(name))\" stroke=\"#5a5a5a\"/>"
            let ticks = LegendLayout.niceTicks(domain)
            for t in ticks {
                let x = span > 0 ? (t - domain.lowerBound) / span * Double(width) : 0
                body += "<line x1=\"\(x)\" y1=\"32\" x2=\"\(x)\" y2=\"36\" stroke=\"#141414\"/>"
                body += "<text x=\"\(x)\" y=\"48\" font-family=\"DejaVu Sans, sans-serif\" font-size=\"11\" text-anchor=\"middle\">\(LegendLayout.format(t))</text>"
            }
            height = 52
        case .stepped, .categorical:
            let entries: [(RGBA, String)] = interpolation == .categorical
                ? stops.filter { Int($0.value) != nodataCode }.map { ($0.color, $0.label) }
                : stops.map { ($0.color, $0.label.isEmpty ? LegendLayout.format($0.value) : $0.label) }
            for (i, e) in entries.enumerated() {
                let y = 20 + i * 18
                body += "<rect x=\"0\" y=\"\(y)\" width=\"14\" height=\"14\" fill=\"\(e.0.hex)\" stroke=\"#5a5a5a\"/>"
                body += "<text x=\"20\" y=\"\(y + 12)\" font-family=\"DejaVu Sans, sans-serif\" font-size=\"12\">\(esc(e.1))</text>"
            }
            height = 20 + entries.count * 18
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width + 16)\" height=\"\(height)\" viewBox=\"-8 0 \(width + 16) \(height)\">\(body)</svg>"
    }
}
