import Foundation
import RasterCore
import RasterIO
import Analysis
import Products

/// One quicklook per disaster entry over every tile of the event (`events/<job>_<place>_<before>_<after>.png`, with
/// world file and CRS sidecar): the pairs' class maps placed on one grid, downsampled by mode to at most 1024 px.
/// The report shows it instead of the most affected tile's quicklook. When the class maps are gone (a report
/// rebuilt from the catalog alone) an existing mosaic is kept; files of events no longer in the run are removed.
enum EventMosaic {
    /// The folder of the mosaics, relative to the run folder.
    static let folder = "events"

    /// Writes the mosaic of each disaster entry of `report` and points the entry's quicklook at it.
    static func writeAll(_ report: inout RunReport, pairs: [PairResult], directory: String) {
        let dir = (directory as NSString).appendingPathComponent(folder)
        var keep = Set<String>()
        for i in report.disasters.indices {
            let d = report.disasters[i]
            let tiles = Set(d.tiles)
            let group = pairs.filter { $0.job == d.kind && $0.before == d.before && $0.after == d.after && $0.failure == nil && tiles.contains($0.afterTile) }
            let rel = "\(folder)/\(slug("\(d.kind)_\(d.place ?? "all")_\(d.before)_\(d.after)")).png"
            let full = (directory as NSString).appendingPathComponent(rel)
            if (try? render(group, title: d, to: full, directory: directory)) != nil || FileManager.default.fileExists(atPath: full) {
                report.disasters[i].quicklook = rel
                keep.insert((rel as NSString).lastPathComponent)
            }
        }
        // Stale mosaics (and their sidecars) of events this run no longer has.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
            let stem = name.components(separatedBy: ".").first ?? name
            if !keep.contains(where: { $0.hasPrefix(stem + ".") }) { try? FileManager.default.removeItem(atPath: (dir as NSString).appendingPathComponent(name)) }
        }
    }

    /// A file-name-safe version of `s` (letters, digits, `-`, `_`; anything else becomes `-`).
    static func slug(_ s: String) -> String {
        String(s.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == "_" || $0 == "-" ? Character($0) : "-" })
    }

    /// Renders the pairs' class maps onto one grid and writes the quicklook. Throws when a map is unreadable or the
    /// maps are on different CRSs, pixel sizes or rotated grids.
    static func render(_ pairs: [PairResult], title d: DisasterEntry, to path: String, directory: String) throws {
        guard let first = pairs.first, let geo0 = first.geo, let kind = MonitorKind(rawValue: first.job) else {
            throw PipelineError.badTile(path: path, reason: "no georeferenced pair")
        }
        let t0 = geo0.transform
        guard t0.columnRotation == 0, t0.rowRotation == 0, t0.pixelWidth > 0, t0.pixelHeight < 0 else {
            throw PipelineError.badTile(path: path, reason: "not a north-up grid")
        }
        var minX = Double.infinity, maxX = -Double.infinity, minY = Double.infinity, maxY = -Double.infinity
        for p in pairs {
            guard let g = p.geo, g.crs == geo0.crs, abs(g.transform.pixelWidth - t0.pixelWidth) < 1e-9 * abs(t0.pixelWidth),
                  abs(g.transform.pixelHeight - t0.pixelHeight) < 1e-9 * abs(t0.pixelHeight), g.transform.columnRotation == 0,
                  g.transform.rowRotation == 0, p.raster != nil else {
                throw PipelineError.badTile(path: p.afterTile, reason: "not on the grid of \(first.afterTile)")
            }
            let a = g.transform.apply(column: 0, row: 0), b = g.transform.apply(column: Double(p.width), row: Double(p.height))
            minX = min(minX, a.x, b.x); maxX = max(maxX, a.x, b.x); minY = min(minY, a.y, b.y); maxY = max(maxY, a.y, b.y)
        }
        let px = abs(t0.pixelWidth), py = abs(t0.pixelHeight)
        let width = Int(((maxX - minX) / px).rounded()), height = Int(((maxY - minY) / py).rounded())
        guard width > 0, height > 0 else { throw PipelineError.badTile(path: path, reason: "empty extent") }
        let longest = 1024
        let scale = max(1.0, Double(max(width, height)) / Double(longest))
        let ow = max(1, Int((Double(width) / scale).rounded(.up))), oh = max(1, Int((Double(height) / scale).rounded(.up)))
        let ramp = kind.palette(first.classes)
        let codes = Array(Set(pairs.flatMap { $0.classes.map { Int($0.code) } })).filter { $0 != ramp.nodataCode && $0 != 0 }.sorted()
        var slot = [Int](repeating: -1, count: 256)
        for (i, c) in codes.enumerated() where c >= 0 && c < 256 { slot[c] = i }
        var counts = [UInt32](repeating: 0, count: ow * oh * max(1, codes.count))
        for p in pairs {
            let full = try CatalogPaths.resolve(p.raster!, in: directory)
            let raster: Raster<UInt8> = try GeoTIFFReader(path: full).read(UInt8.self, window: nil, bands: [0])
            guard raster.width == p.width, raster.height == p.height else { throw PipelineError.badTile(path: full, reason: "size differs from the catalog") }
            let o = p.geo!.transform.apply(column: 0, row: 0)
            let col0 = Int(((o.x - minX) / px).rounded()), row0 = Int(((maxY - o.y) / py).rounded())
            for y in 0..<p.height {
                let oy = min(oh - 1, Int(Double(row0 + y) / scale))
                for x in 0..<p.width {
                    let s = slot[Int(raster.samples[y * p.width + x])]
                    guard s >= 0 else { continue }
                    let ox = min(ow - 1, Int(Double(col0 + x) / scale))
                    counts[(oy * ow + ox) * codes.count + s] += 1
                }
            }
        }
        // Mode per output pixel (ties → the smaller code, as QuicklookResampler); NaN where no tile has a class.
        var values = [Float](repeating: .nan, count: ow * oh)
        for i in 0..<(ow * oh) {
            var best = -1, bestN: UInt32 = 0
            for s in 0..<codes.count where counts[i * codes.count + s] > bestN { best = s; bestN = counts[i * codes.count + s] }
            if best >= 0 { values[i] = Float(codes[best]) }
        }
        // Output pixel (ox, oy) covers mosaic pixels [ox·scale, (ox+1)·scale): the grid steps by scale pixels.
        let geo = GeoReference(transform: GeoTransform([minX, px * scale, 0, maxY, 0, -py * scale]), crs: geo0.crs)
        let q = try Quicklook.render(values: values, width: ow, height: oh, geo: geo, ramp: ramp,
                                     title: .init(satellite: "", date: "\(d.before) → \(d.after)", tile: d.place ?? "",
                                                  product: "\(ramp.title), \(pairs.count) tile(s)"),
                                     options: .init(longestSide: longest))
        try OutputTree.createDirectory(atPath: (path as NSString).deletingLastPathComponent)
        try q.write(to: path)
    }
}
