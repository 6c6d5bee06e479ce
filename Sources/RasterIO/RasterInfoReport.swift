public import RasterCore
import Foundation

/// What `tilepipe info` prints: the file's description plus per-band statistics, as text or JSON.
public struct RasterInfoReport: Sendable {
    /// The description read from the header.
    public var description: RasterDescription
    /// Per-band statistics over valid pixels, when requested.
    public var statistics: [BandStatistics]?
    /// The Cloud-Optimized GeoTIFF check, when a caller ran one (the CLI uses Products' validator):
    /// printed as `valid COG: yes` / `valid COG: no (reasons)`; `reasons` are errors, or warnings when valid.
    public var cogCheck: (valid: Bool, reasons: [String])?
    /// The corners of `corners` in WGS84 (longitude, latitude), keyed by corner name; nil when the file has no
    /// CRS or PROJ cannot transform from it.
    public var geographicCorners: [String: [Double]]?

    /// A report from its parts; `geographicCorners` is computed with PROJ.
    public init(description: RasterDescription, statistics: [BandStatistics]?) {
        self.description = description
        self.statistics = statistics
        geographicCorners = Self.lonLat(of: description)
    }

    /// The five corners in WGS84 lon/lat through PROJ, or nil.
    static func lonLat(of d: RasterDescription) -> [String: [Double]]? {
        guard let g = d.geo, let def = g.crs?.projDefinition, let t = try? CRSTransform.toWGS84(from: def) else { return nil }
        let w = Double(d.width), h = Double(d.height)
        let named: [(String, Double, Double)] = [("upperLeft", 0, 0), ("lowerLeft", 0, h), ("upperRight", w, 0), ("lowerRight", w, h), ("center", w / 2, h / 2)]
        var xs = named.map { g.transform.apply(column: $0.1, row: $0.2).x }
        var ys = named.map { g.transform.apply(column: $0.1, row: $0.2).y }
        guard (try? t.transform(xs: &xs, ys: &ys)) != nil else { return nil }
        return Dictionary(uniqueKeysWithValues: named.indices.map { (named[$0].0, [xs[$0], ys[$0]]) })
    }

    /// Opens `path` (GeoTIFF, or PNG with its world file) and computes statistics band by band.
    public static func make(path: String, statistics: Bool = true, limits: ResourceLimits = .default) throws -> RasterInfoReport {
        if try RasterFile.sniff(path) == .png {
            let r = try RasterFile.readPNG(path: path, limits: limits)
            let d = RasterFile.description(ofPNG: r, path: path)
            return RasterInfoReport(description: d, statistics: statistics ? (0..<r.bandCount).map { r.statistics(band: $0) } : nil)
        }
        let reader = try GeoTIFFReader(path: path, limits: limits)
        let d = reader.description
        var stats: [BandStatistics]?
        if statistics {
            stats = []
            for b in 0..<d.bandCount { stats!.append(try bandStatistics(reader, band: b)) }
        }
        return RasterInfoReport(description: d, statistics: stats)
    }

    /// Statistics of one band, read in row strips of at most ~64 MiB so memory stays bounded.
    static func bandStatistics(_ reader: GeoTIFFReader, band: Int) throws -> BandStatistics {
        let d = reader.description
        let rowsPerChunk = max(1, min(d.height, (64 << 20) / max(1, d.width * d.sampleType.byteWidth)))
        var acc = BandStatistics.Accumulator()
        var y = 0
        while y < d.height {
            let h = min(rowsPerChunk, d.height - y)
            let part = try reader.read(window: Window(x: 0, y: y, width: d.width, height: h), bands: [band])
            acc.merge(part.typed.statisticsAccumulator(band: 0))
            y += h
        }
        return acc.result
    }

    /// The corner coordinates (upper left, lower left, upper right, lower right, centre).
    public var corners: [(name: String, x: Double, y: Double)] {
        guard let t = description.geo?.transform else { return [] }
        let w = Double(description.width), h = Double(description.height)
        return [("upperLeft", 0, 0), ("lowerLeft", 0, h), ("upperRight", w, 0), ("lowerRight", w, h), ("center", w / 2, h / 2)]
            .map { n, c, r in let p = t.apply(column: c, row: r); return (n, p.x, p.y) }
    }

    /// Human-readable text in the spirit of gdalinfo.
    public var text: String {
        let d = description
        var s = "File: \(d.path)\nDriver: \(d.format)\nSize: \(d.width) x \(d.height), \(d.bandCount) band(s), \(d.sampleType)\n"
        let l = d.layout
        s += "Layout: \(l.tiled ? "tiled \(l.blockWidth)x\(l.blockHeight)" : "strips of \(l.blockHeight) row(s)"), interleave=\(l.interleave.rawValue.uppercased()), compression=\(l.compression), predictor=\(l.predictor)\(l.bigTIFF ? ", BigTIFF" : ""), overviews=\(l.overviewCount)\n"
        if let c = cogCheck { s += "valid COG: \(c.valid ? "yes" : "no")\(c.reasons.isEmpty ? "" : " (\(c.reasons.joined(separator: "; ")))")\n" }
        if let g = d.geo {
            s += "CRS: \(g.crs?.summary ?? "none")\n"
            let c = g.transform.coefficients
            s += "GeoTransform: \(c.map { fmt($0) }.joined(separator: ", "))\n"
            s += "Raster type: \(g.rasterType == .pixelIsArea ? "PixelIsArea" : "PixelIsPoint")\n"
            s += "Corner coordinates:\n"
            for c in corners {
                s += "  \(c.name.padding(toLength: 11, withPad: " ", startingAt: 0)) (\(fmt(c.x)), \(fmt(c.y)))"
                if let ll = geographicCorners?[c.name] { s += "  (lon \(String(format: "%.7f", ll[0])), lat \(String(format: "%.7f", ll[1])))" }
                s += "\n"
            }
        } else {
            s += "CRS: none (no georeferencing)\n"
        }
        for (k, v) in d.metadata.sorted(by: { $0.key < $1.key }) { s += "Metadata: \(k)=\(v)\n" }
        for (b, info) in d.bands.enumerated() {
            s += "Band \(b + 1)\(info.description.isEmpty ? "" : " (\(info.description))"): \(d.sampleType)"
            if let nd = info.nodata { s += ", nodata=\(fmt(nd))" }
            if info.scale != 1 || info.offset != 0 { s += ", scale=\(fmt(info.scale)), offset=\(fmt(info.offset))" }
            if !info.unit.isEmpty { s += ", unit=\(info.unit)" }
            if let ct = info.colorTable { s += ", colour table of \(ct.entries.count) entries" }
            s += "\n"
            for (k, v) in info.metadata.sorted(by: { $0.key < $1.key }) { s += "  \(k)=\(v)\n" }
            if let st = statistics?[b] {
                s += "  Minimum=\(fmt(st.minimum)), Maximum=\(fmt(st.maximum)), Mean=\(fmt(st.mean)), StdDev=\(fmt(st.standardDeviation)), valid=\(st.validCount)/\(st.totalCount) (\(fmt(st.validPercent))%)\n"
            }
        }
        return s
    }

    /// JSON with stable keys (sorted), for scripts and the reference checks.
    public var json: String {
        let d = description
        var o: [String: Any] = [
            "file": d.path, "driver": d.format, "width": d.width, "height": d.height, "bandCount": d.bandCount,
            "dataType": d.sampleType.gdalName,
            "layout": ["interleave": d.layout.interleave.rawValue, "tiled": d.layout.tiled, "blockWidth": d.layout.blockWidth,
                       "blockHeight": d.layout.blockHeight, "compression": d.layout.compression, "predictor": d.layout.predictor,
                       "bigTIFF": d.layout.bigTIFF, "overviews": d.layout.overviewCount] as [String: Any],
            "metadata": d.metadata,
        ]
        if let c = cogCheck { o["cog"] = ["valid": c.valid, "reasons": c.reasons] as [String: Any] }
        if let g = d.geo {
            var crs: [String: Any] = ["summary": g.crs?.summary ?? "none"]
            if let e = g.crs?.epsg { crs["epsg"] = e }
            if let p = g.crs?.projDefinition { crs["proj"] = p }
            if let k = g.crs?.geoKeys { crs["geoKeys"] = k.map(Int.init) }
            o["crs"] = crs
            o["geoTransform"] = g.transform.coefficients.map(jsonNumber)
            o["rasterType"] = g.rasterType == .pixelIsArea ? "PixelIsArea" : "PixelIsPoint"
            o["cornerCoordinates"] = Dictionary(uniqueKeysWithValues: corners.map { ($0.name, [$0.x, $0.y]) })
            if let ll = geographicCorners { o["wgs84Corners"] = ll }
        }
        o["bands"] = d.bands.enumerated().map { b, info -> [String: Any] in
            var e: [String: Any] = ["band": b + 1, "description": info.description, "scale": info.scale, "offset": info.offset,
                                    "unit": info.unit, "metadata": info.metadata]
            if let nd = info.nodata { e["nodata"] = nd.isNaN ? "nan" : nd.isInfinite ? (nd > 0 ? "inf" : "-inf") : nd as Any }
            if let ct = info.colorTable { e["colorTable"] = ct.entries.map { [Int($0.r), Int($0.g), Int($0.b), Int($0.a)] } }
            if let st = statistics?[b] {
                e["statistics"] = ["minimum": jsonNumber(st.minimum), "maximum": jsonNumber(st.maximum), "mean": jsonNumber(st.mean),
                                   "stdDev": jsonNumber(st.standardDeviation), "validCount": st.validCount,
                                   "validPercent": jsonNumber(st.validPercent)]
            }
            return e
        }
        let data = (try? JSONSerialization.data(withJSONObject: o, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

private func jsonNumber(_ v: Double) -> Any { v.isFinite ? v : "\(v)" }

private func fmt(_ v: Double) -> String {
    if v.isNaN { return "nan" }
    if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
    return String(format: "%.10g", v)
}
