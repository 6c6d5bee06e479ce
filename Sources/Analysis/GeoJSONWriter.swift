public import RasterCore
import RasterIO
import Foundation

/// One GeoJSON Feature in WGS84: a (multi)polygon (lon/lat, rings closed, RFC 7946 winding) and its properties.
public struct GeoJSONFeature: Sendable, Equatable, Codable {
    /// Parts; each is its rings, exterior first (counter-clockwise) then holes (clockwise); each ring a list of
    /// `[lon, lat]` positions with first == last. One part is written as a Polygon, several as a MultiPolygon.
    public var parts: [[[[Double]]]]
    /// Area in hectares, from the pixel count and the projected CRS (before reprojection).
    public var areaHa: Double
    /// Class code.
    public var classCode: UInt8
    /// Class name.
    public var className: String
    /// Tile id(s) the region comes from (several after a cross-tile merge).
    public var tileIds: [String]
    /// ISO 8601 dates of the job (before, after, ...).
    public var dates: [String]
    /// Pixels in the region.
    public var pixelCount: Int
    /// True when the region reaches a tile edge (candidates for `EdgeRegionMerger`).
    public var touchesEdge: Bool
    /// Extra string properties (event kind, index, threshold ...).
    public var extra: [String: String]
}

/// RFC 7946 GeoJSON from traced polygons: simplified within half a pixel (Douglas–Peucker, kept valid by
/// `PolygonSimplifier`), mapped pixel →
/// CRS with the tile's geotransform, CRS → WGS84 lon/lat with PROJ (`CRSTransform`), winding forced to the
/// right-hand rule (exterior counter-clockwise, holes clockwise), rings closed, 7 decimals.
public struct GeoJSONWriter: Sendable {
    /// The grid the polygons' pixel coordinates refer to.
    public var geo: GeoReference
    /// Douglas–Peucker tolerance in pixels (0.5 by default; 0 disables simplification).
    public var simplifyTolerance: Double

    /// A writer for polygons traced on grid `geo`.
    public init(geo: GeoReference, simplifyTolerance: Double = 0.5) {
        self.geo = geo
        self.simplifyTolerance = simplifyTolerance
    }

    /// Features for `polygons`. Throws `projection` when the CRS is unknown to PROJ or a point fails, and
    /// `noPixelArea` when the grid is not metric.
    public func features(_ polygons: [TracedPolygon], tileIds: [String], dates: [String] = [],
                         classNames: [UInt8: String] = [:], extra: [String: String] = [:]) throws(AnalysisError) -> [GeoJSONFeature] {
        guard let def = geo.crs?.projDefinition else { throw .projection(reason: "the grid has no CRS PROJ can use") }
        let ha = try PixelArea.hectares(geo)
        let proj: CRSTransform
        do { proj = try CRSTransform.toWGS84(from: def) } catch { throw .projection(reason: "\(error)") }
        var out: [GeoJSONFeature] = []
        for p in polygons {
            let parts = simplifyTolerance > 0 ? PolygonSimplifier.simplify(p, tolerance: simplifyTolerance) : p.parts
            var lonlatParts: [[[[Double]]]] = []
            for part in parts {
                var lonlat: [[[Double]]] = []
                for (k, ring) in ([part.exterior] + part.holes).enumerated() {
                    var xs = [Double](), ys = [Double]()
                    xs.reserveCapacity(ring.count); ys.reserveCapacity(ring.count)
                    for v in ring {
                        let (x, y) = geo.transform.apply(column: v.x, row: v.y)
                        xs.append(x); ys.append(y)
                    }
                    do { try proj.transform(xs: &xs, ys: &ys) } catch { throw .projection(reason: "\(error)") }
                    var pts = zip(xs, ys).map { [Self.round7($0), Self.round7($1)] }
                    let area = Self.signedArea(pts)
                    if (k == 0 && area < 0) || (k > 0 && area > 0) { pts.reverse() }
                    pts.append(pts[0])
                    lonlat.append(pts)
                }
                lonlatParts.append(lonlat)
            }
            out.append(GeoJSONFeature(parts: lonlatParts, areaHa: Double(p.pixelCount) * ha,
                                      classCode: p.classCode, className: classNames[p.classCode] ?? "class \(p.classCode)",
                                      tileIds: tileIds, dates: dates, pixelCount: p.pixelCount, touchesEdge: p.touchesEdge, extra: extra))
        }
        return out
    }

    /// Features for polygons merged across tiles (`EdgeRegionMerger`); `geo` must be the merger's reference
    /// grid. Each feature carries the ids of the tiles its polygon spans.
    public func features(merged: [MergedPolygon], dates: [String] = [], classNames: [UInt8: String] = [:],
                         extra: [String: String] = [:]) throws(AnalysisError) -> [GeoJSONFeature] {
        var out: [GeoJSONFeature] = []
        for m in merged {
            out += try features([m.polygon], tileIds: m.tileIds, dates: dates, classNames: classNames, extra: extra)
        }
        return out
    }

    /// A FeatureCollection document (UTF-8, deterministic key order, no `crs` member).
    public static func featureCollection(_ features: [GeoJSONFeature]) -> String {
        var s = "{\"type\":\"FeatureCollection\",\"features\":["
        for (i, f) in features.enumerated() {
            if i > 0 { s += "," }
            func polygon(_ rings: [[[Double]]]) -> String {
                "[" + rings.map { ring in "[" + ring.map { "[\(num($0[0])),\(num($0[1]))]" }.joined(separator: ",") + "]" }
                    .joined(separator: ",") + "]"
            }
            if f.parts.count == 1 {
                s += "\n{\"type\":\"Feature\",\"geometry\":{\"type\":\"Polygon\",\"coordinates\":" + polygon(f.parts[0])
            } else {
                s += "\n{\"type\":\"Feature\",\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":["
                    + f.parts.map(polygon).joined(separator: ",") + "]"
            }
            s += "},\"properties\":{"
            var props: [(String, String)] = [
                ("area_ha", num(f.areaHa, decimals: 4)), ("area_m2", num(f.areaHa * 10_000, decimals: 2)), ("class", "\(f.classCode)"), ("class_name", f.className.jsonQuoted),
                ("tile_id", f.tileIds.joined(separator: ",").jsonQuoted),
                ("tile_ids", "[" + f.tileIds.map(\.jsonQuoted).joined(separator: ",") + "]"),
                ("dates", "[" + f.dates.map(\.jsonQuoted).joined(separator: ",") + "]"),
                ("pixel_count", "\(f.pixelCount)"), ("touches_edge", f.touchesEdge ? "true" : "false"),
            ]
            for (k, v) in f.extra.sorted(by: { $0.key < $1.key }) { props.append((k, v.jsonQuoted)) }
            s += props.map { "\($0.0.jsonQuoted):\($0.1)" }.joined(separator: ",")
            s += "}}"
        }
        s += "\n]}\n"
        return s
    }

    /// Writes a FeatureCollection atomically (temporary name, fsync, rename).
    public static func write(_ features: [GeoJSONFeature], to path: String) throws {
        try AtomicFile.write(text: featureCollection(features), to: path)
    }

    static func round7(_ v: Double) -> Double { (v * 1e7).rounded() / 1e7 }

    /// Fixed-point text with at most `decimals` decimals, trailing zeros trimmed (no exponent, no "-0").
    static func num(_ v: Double, decimals: Int = 7) -> String {
        guard v.isFinite else { return "null" }
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let q = (v * Double(scale)).rounded()
        guard abs(q) < 9e18 else { return String(v) }
        var n = Int64(q)
        if n == 0 { return "0" }
        let negative = n < 0
        n = abs(n)
        var whole = String(n / scale)
        var frac = n % scale
        var digits = decimals
        while digits > 0 && frac % 10 == 0 { frac /= 10; digits -= 1 }
        if negative { whole = "-" + whole }
        guard digits > 0 else { return whole }
        let f = String(frac)
        return whole + "." + String(repeating: "0", count: digits - f.count) + f
    }

    /// Shoelace area of a lon/lat ring (positive when counter-clockwise with y = latitude up).
    static func signedArea(_ ring: [[Double]]) -> Double {
        var s = 0.0
        for i in ring.indices {
            let a = ring[i], b = ring[(i + 1) % ring.count]
            s += a[0] * b[1] - b[0] * a[1]
        }
        return s / 2
    }
}
