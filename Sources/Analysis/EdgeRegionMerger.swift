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
        // Flagged polygons, shifted to the reference grid; each part is a 4-connected piece.
        var polys: [(tile: Int, poly: TracedPolygon)] = []
        for (ti, t) in tiles.enumerated() {
            let (ox, oy) = offsets[ti]
            for p in t.polygons {
                let shifted = shift(p, dx: ox, dy: oy)
                if p.touchesEdge { polys.append((ti, shifted)) }
                else { result.append(MergedPolygon(polygon: shifted, tileIds: [t.tileId])) }
            }
        }
        // Pieces (polygon, part) with their unit edges.
        var pieceOwner: [Int] = [], pieceIndex: [Int] = []
        var pieceEdges: [[LatticeEdge]] = []
        for (k, p) in polys.enumerated() {
            for (j, part) in p.poly.parts.enumerated() {
                pieceOwner.append(k)
                pieceIndex.append(j)
                pieceEdges.append(([part.exterior] + part.holes).flatMap(unitEdges))
            }
        }
        var pieceParent = Array(pieceEdges.indices), polyParent = Array(polys.indices)
        func find(_ a: inout [Int], _ x: Int) -> Int { var x = x; while a[x] != x { a[x] = a[a[x]]; x = a[x] }; return x }
        var edgeOwner: [LatticeEdge: Int] = [:]
        for (k, edges) in pieceEdges.enumerated() { for e in edges { edgeOwner[e] = k } }
        var cancelled = Set<LatticeEdge>()
        for (k, edges) in pieceEdges.enumerated() {
            for e in edges {
                guard let o = edgeOwner[e.reversed], o != k,
                      polys[pieceOwner[o]].poly.classCode == polys[pieceOwner[k]].poly.classCode else { continue }
                cancelled.insert(e); cancelled.insert(e.reversed)
                let a = find(&pieceParent, k), b = find(&pieceParent, o)
                if a != b { pieceParent[a] = b }
                let pa = find(&polyParent, pieceOwner[k]), pb = find(&polyParent, pieceOwner[o])
                if pa != pb { polyParent[pa] = pb }
            }
        }
        // Re-link each group of joined pieces into one part (their union is 4-connected).
        var pieceGroups: [Int: [Int]] = [:]
        for k in pieceEdges.indices { pieceGroups[find(&pieceParent, k), default: []].append(k) }
        var partsOfPoly: [Int: [PolygonPart]] = [:]
        var remaining: [Int: [LatticeEdge]] = [:]
        for root in pieceGroups.keys.sorted() {
            let members = pieceGroups[root]!
            let polyRoot = find(&polyParent, pieceOwner[members[0]])
            if members.count == 1 {
                let k = members[0]
                let owner = polys[pieceOwner[k]].poly
                partsOfPoly[polyRoot, default: []].append(owner.parts[pieceIndex[k]])
                remaining[polyRoot, default: []] += pieceEdges[k]
                continue
            }
            let edges = members.flatMap { pieceEdges[$0] }.filter { !cancelled.contains($0) }
            remaining[polyRoot, default: []] += edges
            partsOfPoly[polyRoot, default: []] += LatticeRings.polygons(from: LatticeRings.link(edges))
        }
        var polyGroups: [Int: [Int]] = [:]
        for k in polys.indices { polyGroups[find(&polyParent, k), default: []].append(k) }
        for root in polyGroups.keys.sorted() {
            let members = polyGroups[root]!
            let tileSet = Set(members.map { polys[$0].tile })
            // Still touching the border of one of its tiles?
            var touches = false
            search: for e in remaining[root] ?? [] {
                for ti in tileSet {
                    let (ox, oy) = offsets[ti]
                    let w = tiles[ti].width, h = tiles[ti].height
                    let end = e.end
                    if e.y == end.y, e.y == oy || e.y == oy + h, min(e.x, end.x) >= ox, max(e.x, end.x) <= ox + w { touches = true; break search }
                    if e.x == end.x, e.x == ox || e.x == ox + w, min(e.y, end.y) >= oy, max(e.y, end.y) <= oy + h { touches = true; break search }
                }
            }
            let first = polys[members[0]].poly
            let pixels = members.reduce(0) { $0 + polys[$1].poly.pixelCount }
            let merged = TracedPolygon(classCode: first.classCode, pixelCount: pixels, parts: partsOfPoly[root] ?? [], touchesEdge: touches)
            result.append(MergedPolygon(polygon: merged, tileIds: tileSet.map { tiles[$0].tileId }.sorted()))
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
