public import RasterCore

/// The polygons of one tile, for merging across tiles.
public struct TilePolygons: Sendable {
    /// Tile id.
    public var tileId: String
    /// The tile's grid.
    public var geo: GeoReference
    /// Tile columns.
    public var width: Int
    /// Tile rows.
    public var height: Int
    /// Polygons traced on the tile (pixel space of the tile, unsimplified).
    public var polygons: [TracedPolygon]

    /// Tile polygons from their parts.
    public init(tileId: String, geo: GeoReference, width: Int, height: Int, polygons: [TracedPolygon]) {
        self.tileId = tileId
        self.geo = geo
        self.width = width
        self.height = height
        self.polygons = polygons
    }
}

/// A polygon after merging, in pixel space of the reference grid, with the tiles it spans.
public struct MergedPolygon: Sendable, Equatable {
    /// The polygon (pixel space of the merger's reference grid).
    public var polygon: TracedPolygon
    /// Ids of the tiles the polygon is made of, sorted.
    public var tileIds: [String]
}

/// Merges edge-touching regions of neighbouring tiles: two regions of the same class that share at least one
/// pixel edge along a tile border become one polygon (diagonal contact across a border does not merge).
///
/// Tiles must share CRS, pixel size and pixel alignment (north-up), as tiles cut from one scene do; the first
/// tile's grid is the reference. Method: every flagged polygon's rings are expanded into unit lattice edges in
/// reference pixel coordinates; an edge and its reverse from two polygons of the same class cancel and join
/// the polygons (union–find); the remaining edges of each group are relinked into rings. Polygons not flagged
/// `touchesEdge` pass through, shifted. `touchesEdge` of a result is true when it still reaches the outer
/// border of one of its tiles on a side with no merge partner.
public enum EdgeRegionMerger {
    /// The merged polygons (reference grid = `tiles[0].geo`). Throws `gridMismatch` for misaligned tiles.
    public static func merge(_ tiles: [TilePolygons]) throws(AnalysisError) -> (reference: GeoReference, polygons: [MergedPolygon]) {
        guard let ref = tiles.first?.geo else { throw .badJobInput(job: "merge", reason: "no tiles") }
        let rt = ref.transform
        guard rt.isNorthUp else { throw .gridMismatch(differences: ["reference tile \(tiles[0].tileId) is rotated"]) }
        var offsets: [(Int, Int)] = []
        for t in tiles {
            let g = t.geo.transform
            var diffs: [String] = []
            if t.geo.crs?.projDefinition != ref.crs?.projDefinition { diffs.append("CRS of \(t.tileId) differs from \(tiles[0].tileId)") }
            if !g.isNorthUp || abs(g.pixelWidth - rt.pixelWidth) > 1e-9 * abs(rt.pixelWidth) || abs(g.pixelHeight - rt.pixelHeight) > 1e-9 * abs(rt.pixelHeight) {
                diffs.append("pixel size of \(t.tileId) differs from \(tiles[0].tileId)")
            }
            let cx = (g.originX - rt.originX) / rt.pixelWidth, cy = (g.originY - rt.originY) / rt.pixelHeight
            if abs(cx - cx.rounded()) > 1e-6 || abs(cy - cy.rounded()) > 1e-6 { diffs.append("\(t.tileId) is not pixel-aligned with \(tiles[0].tileId)") }
            if !diffs.isEmpty { throw .gridMismatch(differences: diffs) }
            offsets.append((Int(cx.rounded()), Int(cy.rounded())))
        }
        var result: [MergedPolygon] = []
        // Flagged polygons: ids (tile, index).
        struct Item { var tile: Int; var poly: TracedPolygon }
        var items: [Item] = []
        for (ti, t) in tiles.enumerated() {
            let (ox, oy) = offsets[ti]
            for p in t.polygons {
                let shifted = shift(p, dx: ox, dy: oy)
                if p.touchesEdge { items.append(Item(tile: ti, poly: shifted)) }
                else { result.append(MergedPolygon(polygon: shifted, tileIds: [t.tileId])) }
            }
        }
        // Unit edges per item.
        var parent = Array(items.indices)
        func find(_ x: Int) -> Int { var x = x; while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }; return x }
        var edgeOwner: [LatticeEdge: Int] = [:]
        var itemEdges = [[LatticeEdge]](repeating: [], count: items.count)
        for (k, it) in items.enumerated() {
            for ring in it.poly.rings { itemEdges[k] += unitEdges(ring) }
            for e in itemEdges[k] { edgeOwner[e] = k }
        }
        var cancelled = Set<LatticeEdge>()
        for (k, edges) in itemEdges.enumerated() {
            for e in edges {
                let r = e.reversed
                if let o = edgeOwner[r], o != k, items[o].poly.classCode == items[k].poly.classCode {
                    cancelled.insert(e); cancelled.insert(r)
                    let a = find(k), b = find(o)
                    if a != b { parent[a] = b }
                }
            }
        }
        var groups: [Int: [Int]] = [:]
        for k in items.indices { groups[find(k), default: []].append(k) }
        for root in groups.keys.sorted() {
            let members = groups[root]!
            let edges = members.flatMap { itemEdges[$0] }.filter { !cancelled.contains($0) }
            let tileSet = Set(members.map { items[$0].tile })
            // Still touching a tile border?
            var touches = false
            for e in edges {
                for ti in tileSet {
                    let (ox, oy) = offsets[ti]
                    let w = tiles[ti].width, h = tiles[ti].height
                    let end = e.end
                    let horizontal = e.y == end.y
                    if horizontal && (e.y == oy || e.y == oy + h) && min(e.x, end.x) >= ox && max(e.x, end.x) <= ox + w { touches = true }
                    if !horizontal && (e.x == ox || e.x == ox + w) && min(e.y, end.y) >= oy && max(e.y, end.y) <= oy + h { touches = true }
                }
                if touches { break }
            }
            let code = items[members[0]].poly.classCode
            let ids = tileSet.map { tiles[$0].tileId }.sorted()
            if members.count == 1 {
                var p = items[members[0]].poly
                p.touchesEdge = touches
                result.append(MergedPolygon(polygon: p, tileIds: ids))
                continue
            }
            let parts = LatticeRings.polygons(from: LatticeRings.link(edges))
            let pixels = members.reduce(0) { $0 + items[$1].poly.pixelCount }
            result.append(MergedPolygon(polygon: TracedPolygon(classCode: code, pixelCount: pixels, parts: parts, touchesEdge: touches),
                                        tileIds: ids))
        }
        return (ref, result)
    }

    static func shift(_ p: TracedPolygon, dx: Int, dy: Int) -> TracedPolygon {
        var q = p
        let f = { (r: [PixelPoint]) in r.map { PixelPoint(x: $0.x + Double(dx), y: $0.y + Double(dy)) } }
        q.parts = p.parts.map { PolygonPart(exterior: f($0.exterior), holes: $0.holes.map(f)) }
        return q
    }

    /// The unit lattice edges of an axis-aligned ring (unsimplified pixel-boundary ring).
    static func unitEdges(_ ring: [PixelPoint]) -> [LatticeEdge] {
        var out: [LatticeEdge] = []
        for i in ring.indices {
            let a = ring[i], b = ring[(i + 1) % ring.count]
            var x = Int(a.x.rounded()), y = Int(a.y.rounded())
            let bx = Int(b.x.rounded()), by = Int(b.y.rounded())
            let dir = bx > x ? 0 : by > y ? 1 : bx < x ? 2 : 3
            while x != bx || y != by {
                out.append(LatticeEdge(x: x, y: y, direction: dir))
                x += LatticeEdge.dx[dir]; y += LatticeEdge.dy[dir]
            }
        }
        return out
    }
}
