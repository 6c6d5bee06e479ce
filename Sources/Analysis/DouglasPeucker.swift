/// Douglas–Peucker line simplification (Douglas & Peucker 1973) for closed rings.
///
/// A vertex is dropped when it lies within `tolerance` (perpendicular distance, pixel units) of the chord that
/// replaces it, so the simplified ring stays within `tolerance` of the original. For pixel-boundary rings and
/// tolerance 0.5 this removes collinear vertices and single-pixel jogs along long edges (area changes stay
/// far below 1 % for regions of tens of pixels or more; the tests check this).
/// A ring that would fall below 4 vertices is returned unchanged.
public enum DouglasPeucker {
    /// The simplified ring (vertices not repeated at the end).
    public static func simplify(ring: [PixelPoint], tolerance: Double) -> [PixelPoint] {
        guard ring.count > 4, tolerance > 0 else { return ring }
        // Split at vertex 0 and the vertex farthest from it; simplify both chains.
        let a = ring[0]
        var far = 1
        var best = -1.0
        for i in 1..<ring.count {
            let d = (ring[i].x - a.x) * (ring[i].x - a.x) + (ring[i].y - a.y) * (ring[i].y - a.y)
            if d > best { best = d; far = i }
        }
        let first = simplify(chain: Array(ring[0...far]), tolerance: tolerance)
        let second = simplify(chain: Array(ring[far...]) + [ring[0]], tolerance: tolerance)
        let out = Array(first.dropLast()) + Array(second.dropLast())
        return out.count >= 4 ? out : ring
    }

    /// The simplified open chain (first and last points kept).
    public static func simplify(chain: [PixelPoint], tolerance: Double) -> [PixelPoint] {
        guard chain.count > 2 else { return chain }
        var keep = [Bool](repeating: false, count: chain.count)
        keep[0] = true
        keep[chain.count - 1] = true
        var stack = [(0, chain.count - 1)]
        while let (s, e) = stack.popLast() {
            guard e > s + 1 else { continue }
            var idx = -1
            var dmax = 0.0
            for i in (s + 1)..<e {
                let d = distance(chain[i], chain[s], chain[e])
                if d > dmax { dmax = d; idx = i }
            }
            if dmax > tolerance, idx > 0 {
                keep[idx] = true
                stack.append((s, idx))
                stack.append((idx, e))
            }
        }
        return chain.indices.filter { keep[$0] }.map { chain[$0] }
    }

    /// Perpendicular distance from `p` to segment `a`–`b` (distance to `a` when the segment is a point).
    static func distance(_ p: PixelPoint, _ a: PixelPoint, _ b: PixelPoint) -> Double {
        let dx = b.x - a.x, dy = b.y - a.y
        let len2 = dx * dx + dy * dy
        if len2 == 0 { return ((p.x - a.x) * (p.x - a.x) + (p.y - a.y) * (p.y - a.y)).squareRoot() }
        var t = ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2
        t = min(max(t, 0), 1)
        let qx = a.x + t * dx - p.x, qy = a.y + t * dy - p.y
        return (qx * qx + qy * qy).squareRoot()
    }
}
