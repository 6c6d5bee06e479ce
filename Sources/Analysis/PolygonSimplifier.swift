/// Douglas–Peucker simplification of a traced polygon that keeps it valid (OGC simple features).
///
/// - Vertices shared by two rings (parts touching at a corner, a hole touching its exterior) are pinned, so
///   touching points stay touching points.
/// - Each ring is simplified within `tolerance` pixels; a ring that would lose its orientation or fall below
///   three vertices is kept as traced.
/// - The simplified rings are then checked for crossings, T-touches and overlaps between any two segments
///   (shared end points allowed). If any is found, the polygon falls back to its traced rings, which are
///   valid by construction (pixel edges, no repeated vertex per ring).
public enum PolygonSimplifier {
    /// The simplified parts of `polygon`.
    public static func simplify(_ polygon: TracedPolygon, tolerance: Double) -> [PolygonPart] {
        guard tolerance > 0 else { return polygon.parts }
        var seen: [PixelPoint: Int] = [:]
        for ring in polygon.rings { for v in ring { seen[v, default: 0] += 1 } }
        let pinned = Set(seen.filter { $0.value > 1 }.keys)
        let parts = polygon.parts.map { p in
            PolygonPart(exterior: ring(p.exterior, tolerance, pinned), holes: p.holes.map { ring($0, tolerance, pinned) })
        }
        return hasCrossing(parts.flatMap { [$0.exterior] + $0.holes }) ? polygon.parts : parts
    }

    static func ring(_ r: [PixelPoint], _ tol: Double, _ pinned: Set<PixelPoint>) -> [PixelPoint] {
        let pins = r.indices.filter { pinned.contains(r[$0]) }
        var out: [PixelPoint]
        if pins.isEmpty {
            out = DouglasPeucker.simplify(ring: r, tolerance: tol)
        } else {
            out = []
            for (k, start) in pins.enumerated() {
                let end = k + 1 < pins.count ? pins[k + 1] : pins[0] + r.count
                let chain = (start...end).map { r[$0 % r.count] }
                out += DouglasPeucker.simplify(chain: chain, tolerance: tol).dropLast()
            }
        }
        let a0 = LatticeRings.signedArea(r), a1 = LatticeRings.signedArea(out)
        if out.count < 3 || a1 == 0 || (a0 > 0) != (a1 > 0) { return r }
        return out
    }

    /// True when two segments of `rings` cross, overlap, or touch anywhere but at a common end point.
    static func hasCrossing(_ rings: [[PixelPoint]]) -> Bool {
        var segs: [(PixelPoint, PixelPoint)] = []
        for r in rings { for i in r.indices { segs.append((r[i], r[(i + 1) % r.count])) } }
        let cell = 4.0
        var grid: [Int64: [Int]] = [:]
        func key(_ cx: Int, _ cy: Int) -> Int64 { Int64(cx) << 32 ^ Int64(UInt32(bitPattern: Int32(truncatingIfNeeded: cy))) }
        for (k, s) in segs.enumerated() {
            let x0 = Int((min(s.0.x, s.1.x) / cell).rounded(.down)), x1 = Int((max(s.0.x, s.1.x) / cell).rounded(.down))
            let y0 = Int((min(s.0.y, s.1.y) / cell).rounded(.down)), y1 = Int((max(s.0.y, s.1.y) / cell).rounded(.down))
            for cx in x0...x1 { for cy in y0...y1 { grid[key(cx, cy), default: []].append(k) } }
        }
        var tested = Set<Int64>()
        for list in grid.values where list.count > 1 {
            for a in 0..<(list.count - 1) {
                for b in (a + 1)..<list.count {
                    let i = min(list[a], list[b]), j = max(list[a], list[b])
                    if !tested.insert(Int64(i) << 32 | Int64(j)).inserted { continue }
                    if conflict(segs[i], segs[j]) { return true }
                }
            }
        }
        return false
    }

    static func orient(_ a: PixelPoint, _ b: PixelPoint, _ c: PixelPoint) -> Double {
        let v = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
        return abs(v) < 1e-12 ? 0 : v
    }

    static func onSegment(_ p: PixelPoint, _ a: PixelPoint, _ b: PixelPoint) -> Bool {
        p.x >= min(a.x, b.x) && p.x <= max(a.x, b.x) && p.y >= min(a.y, b.y) && p.y <= max(a.y, b.y)
    }

    static func conflict(_ s: (PixelPoint, PixelPoint), _ t: (PixelPoint, PixelPoint)) -> Bool {
        let (a, b) = s, (c, d) = t
        let o1 = orient(a, b, c), o2 = orient(a, b, d), o3 = orient(c, d, a), o4 = orient(c, d, b)
        if o1 == 0 && o2 == 0 {
            // Collinear: conflict when they share more than one point.
            let ux = b.x - a.x, uy = b.y - a.y
            let len2 = ux * ux + uy * uy
            guard len2 > 0 else { return false }
            func t(_ p: PixelPoint) -> Double { ((p.x - a.x) * ux + (p.y - a.y) * uy) / len2 }
            let lo = max(0, min(t(c), t(d))), hi = min(1, max(t(c), t(d)))
            return hi - lo > 1e-12
        }
        if (o1 > 0 && o2 < 0 || o1 < 0 && o2 > 0) && (o3 > 0 && o4 < 0 || o3 < 0 && o4 > 0) { return true }
        // Touching cases: allowed only at a point that is an end point of both segments.
        let shared = [a, b].filter { $0 == c || $0 == d }
        func touchesAt(_ p: PixelPoint, on x: PixelPoint, _ y: PixelPoint) -> Bool { orient(x, y, p) == 0 && onSegment(p, x, y) }
        for p in [c, d] where touchesAt(p, on: a, b) && !shared.contains(p) { return true }
        for p in [a, b] where touchesAt(p, on: c, d) && !shared.contains(p) { return true }
        return false
    }
}
