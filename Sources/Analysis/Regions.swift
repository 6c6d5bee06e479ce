public import RasterCore
import RasterIO
import Foundation

/// One region of a `regions:` file (township, village, parcel): an id, a name and polygons (lon/lat or CRS units).
public struct Region: Sendable, Equatable, Codable {
    /// Id (the feature's `id`, else property `id`/`code`, else its index).
    public var id: String
    /// Name (property `name`/`NAME`, else the id).
    public var name: String
    /// Polygons, each a list of rings (first exterior, then holes) of `[x, y]` positions.
    public var polygons: [[[[Double]]]]

    /// A region from its parts.
    public init(id: String, name: String, polygons: [[[[Double]]]]) {
        self.id = id
        self.name = name
        self.polygons = polygons
    }
}

/// Reads regions from GeoJSON (FeatureCollection, Feature, Polygon or MultiPolygon).
public enum RegionReader {
    /// Regions of a GeoJSON file; throws `badGeoJSON` naming the file and the cause.
    public static func read(path: String) throws(AnalysisError) -> [Region] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .badGeoJSON(file: path, reason: "cannot read: \(error.localizedDescription)")
        }
        return try parse(data, file: path)
    }

    /// Regions of a GeoJSON document (`file` names it in errors).
    public static func parse(_ data: Data, file: String = "<memory>") throws(AnalysisError) -> [Region] {
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw .badGeoJSON(file: file, reason: "not a JSON object")
        }
        var features: [[String: Any]]
        switch root["type"] as? String {
        case "FeatureCollection": features = (root["features"] as? [[String: Any]]) ?? []
        case "Feature": features = [root]
        case "Polygon", "MultiPolygon": features = [["type": "Feature", "geometry": root, "properties": [String: Any]()]]
        default: throw .badGeoJSON(file: file, reason: "type must be FeatureCollection, Feature, Polygon or MultiPolygon")
        }
        var out: [Region] = []
        for (i, f) in features.enumerated() {
            let props = (f["properties"] as? [String: Any]) ?? [:]
            func str(_ v: Any?) -> String? {
                if let s = v as? String { return s }
                if let n = v as? NSNumber { return n.stringValue }
                return nil
            }
            let id = str(f["id"]) ?? str(props["id"]) ?? str(props["code"]) ?? String(i)
            let name = str(props["name"]) ?? str(props["NAME"]) ?? id
            guard let g = f["geometry"] as? [String: Any] else { throw .badGeoJSON(file: file, reason: "feature \(i) has no geometry") }
            let polys: [[[[Double]]]]
            switch g["type"] as? String {
            case "Polygon":
                guard let c = g["coordinates"] as? [[[Double]]] else { throw .badGeoJSON(file: file, reason: "feature \(i): bad Polygon coordinates") }
                polys = [c]
            case "MultiPolygon":
                guard let c = g["coordinates"] as? [[[[Double]]]] else { throw .badGeoJSON(file: file, reason: "feature \(i): bad MultiPolygon coordinates") }
                polys = c
            default:
                throw .badGeoJSON(file: file, reason: "feature \(i): geometry \(g["type"] as? String ?? "?") is not a Polygon or MultiPolygon")
            }
            for p in polys { for r in p where r.count < 4 || r.contains(where: { $0.count < 2 }) {
                throw .badGeoJSON(file: file, reason: "feature \(i): a ring needs ≥ 4 positions of ≥ 2 numbers")
            } }
            out.append(Region(id: id, name: name, polygons: polys))
        }
        return out
    }
}

/// Fractional coverage of a region on a tile's grid.
public struct RegionCoverage: Sendable, Equatable {
    /// The region's id.
    public var regionId: String
    /// Pixel indices (row-major) with non-zero coverage.
    public var pixels: [Int]
    /// Coverage fraction in (0, 1] of each listed pixel (multiples of 1/16).
    public var fractions: [Float]
    /// Σ fractions: covered area in pixels.
    public var coveredPixels: Double { fractions.reduce(0) { $0 + Double($1) } }
}

/// Rasterises regions onto a tile's grid with fractional coverage: each pixel is sampled on a 4×4 grid of
/// sub-pixel centres and its coverage is the fraction of samples inside the polygon (even–odd rule, so holes
/// and MultiPolygon parts work). Interior pixels come out at exactly 1, edge pixels at k/16.
public enum RegionRasterizer {
    /// How region coordinates relate to the tile.
    public enum Coordinates: String, Sendable, Codable {
        /// WGS84 lon/lat (RFC 7946); transformed to the tile CRS with PROJ.
        case wgs84
        /// Already in the tile's CRS.
        case tileCRS
        /// WGS84 when every coordinate is within lon/lat ranges and the tile CRS is projected, else tile CRS.
        case auto
    }

    /// Coverage of each region on the grid `geo` of `width × height` pixels.
    public static func rasterize(_ regions: [Region], geo: GeoReference, width: Int, height: Int,
                                 coordinates: Coordinates = .auto) throws(AnalysisError) -> [RegionCoverage] {
        var lonlat = coordinates == .wgs84
        if coordinates == .auto {
            let all = regions.flatMap { $0.polygons.flatMap { $0.flatMap { $0 } } }
            lonlat = !(geo.crs?.isGeographic ?? true) && all.allSatisfy { abs($0[0]) <= 180 && abs($0[1]) <= 90 }
        }
        var proj: CRSTransform?
        if lonlat && !(geo.crs?.isGeographic ?? false) {
            guard let def = geo.crs?.projDefinition else { throw .projection(reason: "the tile has no CRS to project regions into") }
            do { proj = try CRSTransform.shared(from: "EPSG:4326", to: def) } catch { throw .projection(reason: "\(error)") }
        }
        var out: [RegionCoverage] = []
        for region in regions {
            // Rings in pixel space.
            var rings: [[PixelPoint]] = []
            for poly in region.polygons {
                for ring in poly {
                    var xs = ring.map { $0[0] }, ys = ring.map { $0[1] }
                    if let proj { do { try proj.transform(xs: &xs, ys: &ys) } catch { throw .projection(reason: "region \(region.id): \(error)") } }
                    var pr: [PixelPoint] = []
                    for (x, y) in zip(xs, ys) {
                        guard let p = geo.transform.invert(x: x, y: y) else { throw .noPixelArea(reason: "the tile's geotransform is singular") }
                        pr.append(PixelPoint(x: p.column, y: p.row))
                    }
                    rings.append(pr)
                }
            }
            out.append(coverage(rings: rings, width: width, height: height, id: region.id))
        }
        return out
    }

    /// Coverage of even–odd `rings` (pixel space) on a `width × height` grid.
    static func coverage(rings: [[PixelPoint]], width: Int, height: Int, id: String) -> RegionCoverage {
        let s = 4
        var edges: [(PixelPoint, PixelPoint)] = []
        var minY = Double.infinity, maxY = -Double.infinity
        for r in rings where r.count >= 2 {
            for i in r.indices {
                let a = r[i], b = r[(i + 1) % r.count]
                if a == b { continue }
                edges.append((a, b))
                minY = min(minY, a.y); maxY = max(maxY, a.y)
            }
        }
        guard !edges.isEmpty else { return RegionCoverage(regionId: id, pixels: [], fractions: []) }
        let r0 = max(0, Int(minY.rounded(.down))), r1 = min(height - 1, Int(maxY.rounded(.up)))
        var pixels: [Int] = [], fractions: [Float] = []
        if r0 <= r1 {
            var rowCounts = [UInt8](repeating: 0, count: width)
            var xs: [Double] = []
            for row in r0...r1 {
                for c in rowCounts.indices { rowCounts[c] = 0 }
                for k in 0..<s {
                    let y = Double(row) + (Double(k) + 0.5) / Double(s)
                    xs.removeAll(keepingCapacity: true)
                    for (a, b) in edges where (a.y > y) != (b.y > y) {
                        xs.append(a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y))
                    }
                    xs.sort()
                    var j = 0
                    while j + 1 < xs.count {
                        // Sub-sample columns whose centre (m + 0.5)/s lies in [xs[j], xs[j+1]).
                        let lo = (xs[j] * Double(s) - 0.5).rounded(.up), hi = (xs[j + 1] * Double(s) - 0.5).rounded(.up) - 1
                        let first = max(lo, 0), last = min(hi, Double(width * s - 1))
                        if first <= last {
                            var m = Int(first)
                            let end = Int(last)
                            // Whole pixels inside the span get s samples at once.
                            while m <= end {
                                if m % s == 0 && m + s - 1 <= end { rowCounts[m / s] &+= UInt8(s); m += s }
                                else { rowCounts[m / s] &+= 1; m += 1 }
                            }
                        }
                        j += 2
                    }
                }
                for c in 0..<width where rowCounts[c] > 0 {
                    pixels.append(row * width + c)
                    fractions.append(Float(rowCounts[c]) / Float(s * s))
                }
            }
        }
        return RegionCoverage(regionId: id, pixels: pixels, fractions: fractions)
    }
}
