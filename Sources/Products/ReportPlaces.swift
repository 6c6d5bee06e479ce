import Foundation
public import RasterCore
import RasterIO
public import Analysis

/// A place the report groups its figures by: land-use tables, change matrices, NDVI series and alerts of one place
/// never add up pixels of another.
///
/// A place is either the `name:` of an input (every tile of that input), or a set of tile groups (tiles that
/// differ only by date, `PairPhase.pairKey`) whose footprints touch and that share an acquisition date: one scene cut
/// into tiles is one place; two areas, or two acquisition campaigns over one area (a January fire pair and a June
/// flood pair), are two. Configured regions are places of the regions table (`regions.csv`).
public struct PlaceInfo: Codable, Sendable, Equatable {
    /// How the place was formed.
    public enum Kind: String, Codable, Sendable {
        /// `inputs[].name` of pipeline.yaml.
        case input
        /// Tile groups whose footprints touch (named after their common id prefix).
        case tiles
        /// A configured region (`regions:`).
        case region
    }
    /// The place's name as the reports print it.
    public var name: String
    /// How the place was formed.
    public var kind: Kind
    /// The tile groups (tile ids without dates) of the place, sorted; empty for a region.
    public var groups: [String]
    /// Bounding box in WGS84 lon/lat `[west, south, east, north]`, when the footprints are known.
    public var bbox: [Double]?
    /// A place from its parts.
    public init(name: String, kind: Kind, groups: [String] = [], bbox: [Double]? = nil) {
        self.name = name; self.kind = kind; self.groups = groups.sorted(); self.bbox = bbox
    }
    /// `west,south,east,north` with 5 decimals (about 1 m), or empty without a box.
    public var bboxText: String { bbox.map { $0.map { ReportNumber.fixed($0, 5) }.joined(separator: ", ") } ?? "" }
}

/// What the place assignment needs of one processed tile.
public struct TileFootprint: Sendable, Equatable {
    /// Tile id.
    public var id: String
    /// The tile's group (its id without dates).
    public var group: String
    /// `inputs[].name` of the input the tile came from, when set.
    public var inputName: String?
    /// WGS84 lon/lat bounding box `[west, south, east, north]`, when known.
    public var bbox: [Double]?
    /// Acquisition date, when known.
    public var date: String?
    /// A footprint from its parts.
    public init(id: String, group: String, inputName: String? = nil, bbox: [Double]? = nil, date: String? = nil) {
        self.id = id; self.group = group; self.inputName = inputName; self.bbox = bbox; self.date = date
    }
}

/// Assigns tiles to places (see `PlaceInfo`) and computes the lon/lat figures the reports print.
public enum ReportPlaces {
    /// The places of `tiles` (sorted by name) and the place of each tile id. Tiles of a named input belong to that
    /// name; the other tiles are grouped by `group`, and groups whose boxes touch (within `tolerance` degrees) and
    /// that share a date join.
    public static func assign(_ tiles: [TileFootprint], tolerance: Double = 1e-6) -> (places: [PlaceInfo], placeOf: [String: String]) {
        var placeOf: [String: String] = [:]
        var places: [PlaceInfo] = []
        // Named inputs first: a name is the user's word for the place.
        var named: [String: [TileFootprint]] = [:]
        for t in tiles { if let n = t.inputName, !n.isEmpty { named[n, default: []].append(t) } }
        for name in named.keys.sorted() {
            let ts = named[name]!
            for t in ts { placeOf[t.id] = name }
            places.append(PlaceInfo(name: name, kind: .input, groups: Array(Set(ts.map(\.group))), bbox: union(ts.compactMap(\.bbox))))
        }
        // The rest by tile group, then groups whose footprints touch (union-find over the groups' boxes).
        var byGroup: [String: [TileFootprint]] = [:]
        for t in tiles where placeOf[t.id] == nil { byGroup[t.group, default: []].append(t) }
        let keys = byGroup.keys.sorted()
        let boxes = keys.map { union(byGroup[$0]!.compactMap(\.bbox)) }
        let dates = keys.map { Set(byGroup[$0]!.compactMap(\.date)) }
        var parent = Array(keys.indices)
        func root(_ i: Int) -> Int { var i = i; while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }; return i }
        for i in keys.indices { for j in keys.indices where j > i {
            if let a = boxes[i], let b = boxes[j], !dates[i].isDisjoint(with: dates[j]), touch(a, b, tolerance: tolerance) {
                parent[root(j)] = root(i)
            }
        } }
        var clusters: [Int: [Int]] = [:]
        for i in keys.indices { clusters[root(i), default: []].append(i) }
        var taken = Set(places.map(\.name))
        for members in clusters.values.sorted(by: { $0[0] < $1[0] }) {
            let groups = members.map { keys[$0] }
            var name = members.count == 1 ? groups[0] : commonPrefix(groups)
            if name.isEmpty || taken.contains(name) { name = groups[0] + (members.count > 1 ? " +\(members.count - 1)" : "") }
            var unique = name, n = 2
            while taken.contains(unique) { unique = "\(name) (\(n))"; n += 1 }
            taken.insert(unique)
            for g in groups { for t in byGroup[g]! { placeOf[t.id] = unique } }
            places.append(PlaceInfo(name: unique, kind: .tiles, groups: groups, bbox: union(members.compactMap { boxes[$0] })))
        }
        return (places.sorted { $0.name < $1.name }, placeOf)
    }

    /// The id tokens (split at `_`, `-`, `.`) all `ids` start with, joined by their first id's separators.
    static func commonPrefix(_ ids: [String]) -> String {
        guard let first = ids.first else { return "" }
        let seps = CharacterSet(charactersIn: "_-.")
        func tokens(_ s: String) -> [Substring] { s.split(whereSeparator: { $0.unicodeScalars.allSatisfy(seps.contains) }) }
        let all = ids.map(tokens)
        var n = 0
        while all.allSatisfy({ $0.count > n && $0[n] == all[0][n] }) { n += 1 }
        guard n > 0 else { return "" }
        // The prefix of the first id up to the end of its n-th token (keeps its own separators).
        let end = tokens(first)[n - 1].endIndex
        return String(first[..<end])
    }

    /// True when two `[w, s, e, n]` boxes overlap or touch.
    static func touch(_ a: [Double], _ b: [Double], tolerance: Double) -> Bool {
        a[0] <= b[2] + tolerance && b[0] <= a[2] + tolerance && a[1] <= b[3] + tolerance && b[1] <= a[3] + tolerance
    }

    /// The union of `[w, s, e, n]` boxes, nil when there are none.
    public static func union(_ boxes: [[Double]]) -> [Double]? {
        let ok = boxes.filter { $0.count == 4 && $0.allSatisfy(\.isFinite) }
        guard !ok.isEmpty else { return nil }
        return [ok.map { $0[0] }.min()!, ok.map { $0[1] }.min()!, ok.map { $0[2] }.max()!, ok.map { $0[3] }.max()!]
    }

    /// The lon/lat box of a `width × height` grid (its edges sampled at 9 points each, through PROJ), nil without a CRS.
    public static func bbox(geo: GeoReference, width: Int, height: Int) -> [Double]? {
        var xs: [Double] = [], ys: [Double] = []
        let n = 8
        for k in 0...n {
            let f = Double(k) / Double(n)
            for (c, r) in [(f * Double(width), 0.0), (f * Double(width), Double(height)), (0.0, f * Double(height)), (Double(width), f * Double(height))] {
                let p = geo.transform.apply(column: c, row: r)
                xs.append(p.x); ys.append(p.y)
            }
        }
        guard toLonLat(&xs, &ys, crs: geo.crs) else { return nil }
        return [xs.min()!, ys.min()!, xs.max()!, ys.max()!]
    }

    /// The area-weighted centroid of traced polygons (pixel coordinates on `geo`) in lon/lat `[lon, lat]`, nil when
    /// there is no polygon or no CRS. Each polygon counts with its pixel count (rings in pixel space).
    public static func centroid(of polygons: [(geo: GeoReference, polygons: [TracedPolygon])]) -> [Double]? {
        var xs: [Double] = [], ys: [Double] = [], ws: [Double] = []
        for (geo, list) in polygons {
            var cx: [Double] = [], cy: [Double] = [], w: [Double] = []
            for p in list {
                guard let c = ringsCentroid(p.rings) else { continue }
                let g = geo.transform.apply(column: c.x, row: c.y)
                cx.append(g.x); cy.append(g.y); w.append(Double(max(1, p.pixelCount)))
            }
            guard !cx.isEmpty, toLonLat(&cx, &cy, crs: geo.crs) else { continue }
            xs += cx; ys += cy; ws += w
        }
        let total = ws.reduce(0, +)
        guard total > 0 else { return nil }
        return [zip(xs, ws).reduce(0) { $0 + $1.0 * $1.1 } / total, zip(ys, ws).reduce(0) { $0 + $1.0 * $1.1 } / total]
    }

    /// The centroid of even–odd rings by the shoelace formula (holes subtract), nil for zero area.
    static func ringsCentroid(_ rings: [[PixelPoint]]) -> PixelPoint? {
        var a = 0.0, x = 0.0, y = 0.0
        for ring in rings where ring.count > 2 {
            var ra = 0.0, rx = 0.0, ry = 0.0
            for i in ring.indices {
                let p = ring[i], q = ring[(i + 1) % ring.count]
                let cross = p.x * q.y - q.x * p.y
                ra += cross; rx += (p.x + q.x) * cross; ry += (p.y + q.y) * cross
            }
            // Outer rings and holes have opposite windings, so signed sums subtract the holes.
            a += ra / 2; x += rx / 6; y += ry / 6
        }
        guard abs(a) > 1e-12 else { return nil }
        return PixelPoint(x: x / a, y: y / a)
    }

    /// Transforms CRS coordinates to lon/lat in place; false when the CRS is unknown or PROJ fails. Geographic CRSs
    /// are taken as lon/lat already.
    static func toLonLat(_ xs: inout [Double], _ ys: inout [Double], crs: CRS?) -> Bool {
        guard let crs else { return false }
        if crs.isGeographic { return true }
        guard let def = crs.projDefinition, let t = try? CRSTransform.toWGS84(from: def) else { return false }
        do { try t.transform(xs: &xs, ys: &ys) } catch { return false }
        return xs.allSatisfy(\.isFinite) && ys.allSatisfy(\.isFinite)
    }

    /// The lon/lat box of regions whose coordinates are lon/lat (RFC 7946), or in `crs` otherwise; nil when neither works.
    public static func bbox(of region: Region, crs: CRS?) -> [Double]? {
        var xs = region.polygons.flatMap { $0.flatMap { $0.map { $0[0] } } }, ys = region.polygons.flatMap { $0.flatMap { $0.map { $0[1] } } }
        guard !xs.isEmpty else { return nil }
        let lonlat = xs.allSatisfy { abs($0) <= 180 } && ys.allSatisfy { abs($0) <= 90 }
        if !lonlat { guard toLonLat(&xs, &ys, crs: crs) else { return nil } }
        return [xs.min()!, ys.min()!, xs.max()!, ys.max()!]
    }

    /// Pixels of `polygons` (lattice rings traced on a `width × height` grid) as a mask: a pixel is inside when its
    /// centre is inside the even–odd rings. Rings traced along pixel edges give back exactly the traced pixels.
    public static func mask(_ polygons: [TracedPolygon], width: Int, height: Int) -> [Bool] {
        var mask = [Bool](repeating: false, count: width * height)
        for p in polygons {
            let edges = p.rings.flatMap { r in r.indices.map { (r[$0], r[($0 + 1) % r.count]) } }
            let ys = edges.flatMap { [$0.0.y, $0.1.y] }
            guard let lo = ys.min(), let hi = ys.max() else { continue }
            let r0 = max(0, Int(lo.rounded(.down))), r1 = min(height, Int(hi.rounded(.up)))
            guard r0 < r1 else { continue }
            for row in r0..<r1 {
                let yc = Double(row) + 0.5
                var xsCross: [Double] = []
                for (a, b) in edges where (a.y <= yc) != (b.y <= yc) {
                    xsCross.append(a.x + (yc - a.y) / (b.y - a.y) * (b.x - a.x))
                }
                xsCross.sort()
                var k = 0
                while k + 1 < xsCross.count {
                    let c0 = max(0, Int((xsCross[k] - 0.5).rounded(.up))), c1 = min(width - 1, Int((xsCross[k + 1] - 0.5).rounded(.down)))
                    if c0 <= c1 { for c in c0...c1 { mask[row * width + c] = true } }
                    k += 2
                }
            }
        }
        return mask
    }
}
