/// A point in pixel space: x = column, y = row (y grows downwards); pixel (c, r) covers [c, c+1] × [r, r+1].
public struct PixelPoint: Sendable, Hashable, Codable {
    /// Column coordinate.
    public var x: Double
    /// Row coordinate.
    public var y: Double
    /// A point from its coordinates.
    public init(x: Double, y: Double) { self.x = x; self.y = y }
}

/// A directed unit edge of the pixel-corner lattice: it starts at corner (`x`, `y`) and goes one step in
/// `direction` (0 east +x, 1 south +y, 2 west −x, 3 north −y). Boundary edges are oriented so the region
/// lies on their right when drawn on screen (y down): exterior rings run clockwise on screen (their shoelace
/// area in pixel space is positive) and holes counter-clockwise (negative).
struct LatticeEdge: Hashable, Sendable {
    var x: Int
    var y: Int
    var direction: Int

    static let dx = [1, 0, -1, 0]
    static let dy = [0, 1, 0, -1]

    var end: (x: Int, y: Int) { (x + Self.dx[direction], y + Self.dy[direction]) }
    /// The same edge walked the other way.
    var reversed: LatticeEdge { let e = end; return LatticeEdge(x: e.x, y: e.y, direction: (direction + 2) % 4) }

    /// The four boundary edges of pixel (c, r), in the orientation described above: top, right, bottom, left.
    static func sides(column c: Int, row r: Int) -> [LatticeEdge] {
        [LatticeEdge(x: c, y: r, direction: 0), LatticeEdge(x: c + 1, y: r, direction: 1),
         LatticeEdge(x: c + 1, y: r + 1, direction: 2), LatticeEdge(x: c, y: r + 1, direction: 3)]
    }
}

/// Links directed lattice edges into closed rings.
enum LatticeRings {
    /// Simple rings (corner vertices only, not repeated at the end) from a set of boundary edges.
    ///
    /// Where a region's pixels meet only diagonally at a corner, the walk turns towards the diagonal pixel
    /// (the 8-connected choice), which keeps each background component on one ring; a ring that thereby comes
    /// back to the same corner (two parts of a region that touch only at that corner) is then cut there into
    /// separate loops. Every returned ring visits each vertex once, as OGC/GEOS validity requires: touching
    /// parts become a MultiPolygon's parts and a hole may touch its exterior at single points.
    static func link(_ edges: [LatticeEdge]) -> [[PixelPoint]] {
        // Unused outgoing directions per vertex, as a 4-bit mask (bit d = direction d).
        @inline(__always) func key(_ x: Int, _ y: Int) -> Int64 { Int64(x) << 32 | Int64(UInt32(bitPattern: Int32(truncatingIfNeeded: y))) }
        var remaining: [Int64: UInt8] = [:]
        remaining.reserveCapacity(edges.count)
        for e in edges { remaining[key(e.x, e.y), default: 0] |= 1 << UInt8(e.direction) }
        var rings: [[PixelPoint]] = []
        // Edges are visited in the order given (raster scan order from the tracer), so output is deterministic.
        for start in edges {
            let startKey = key(start.x, start.y)
            let startBit = UInt8(1) << UInt8(start.direction)
            guard let m = remaining[startKey], m & startBit != 0 else { continue }
            remaining[startKey] = m & ~startBit
            var vertices: [PixelPoint] = []
            var heading = start.direction
            var cx = start.x + LatticeEdge.dx[heading], cy = start.y + LatticeEdge.dy[heading]
            var steps = 0
            while true {
                steps += 1
                if steps > edges.count + 4 { break } // defensive: malformed edge set
                let k = key(cx, cy)
                let atStart = k == startKey
                let mask = (remaining[k] ?? 0) | (atStart ? startBit : 0)
                guard mask != 0 else { break }
                var next: Int
                if mask.nonzeroBitCount == 1 {
                    next = mask.trailingZeroBitCount
                } else {
                    let preferred = (heading + 3) % 4
                    next = mask & (1 << UInt8(preferred)) != 0 ? preferred
                        : mask & (1 << UInt8(heading)) != 0 ? heading : mask.trailingZeroBitCount
                }
                if next != heading { vertices.append(PixelPoint(x: Double(cx), y: Double(cy))) }
                if atStart && next == start.direction { break }
                remaining[k] = (remaining[k] ?? 0) & ~(UInt8(1) << UInt8(next))
                heading = next
                cx += LatticeEdge.dx[next]; cy += LatticeEdge.dy[next]
            }
            if vertices.count >= 4 { rings += splitAtRepeats(vertices) }
        }
        return rings
    }

    /// Cuts a closed vertex list that visits some vertex more than once into loops that visit each vertex once.
    static func splitAtRepeats(_ ring: [PixelPoint]) -> [[PixelPoint]] {
        var stack: [PixelPoint] = []
        var position: [PixelPoint: Int] = [:]
        var out: [[PixelPoint]] = []
        for v in ring {
            if let p = position[v] {
                let loop = Array(stack[p...])
                for u in loop.dropFirst() { position[u] = nil }
                stack.removeLast(stack.count - p - 1)
                if loop.count >= 3 { out.append(loop) }
            } else {
                position[v] = stack.count
                stack.append(v)
            }
        }
        if stack.count >= 3 { out.append(stack) }
        return out
    }

    /// Shoelace area in pixel space (positive for exterior rings in this module's orientation).
    static func signedArea(_ ring: [PixelPoint]) -> Double {
        var s = 0.0
        for i in ring.indices {
            let a = ring[i], b = ring[(i + 1) % ring.count]
            s += a.x * b.y - b.x * a.y
        }
        return s / 2
    }

    /// True when `p` lies inside `ring` (even-odd rule).
    static func contains(_ ring: [PixelPoint], _ p: PixelPoint) -> Bool {
        var inside = false
        var j = ring.count - 1
        for i in ring.indices {
            let a = ring[i], b = ring[j]
            if (a.y > p.y) != (b.y > p.y), p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x { inside.toggle() }
            j = i
        }
        return inside
    }

    /// Groups rings into polygon parts: each positive (exterior) ring with the negative rings (holes) inside it.
    static func polygons(from rings: [[PixelPoint]]) -> [PolygonPart] {
        var ext: [(exterior: [PixelPoint], holes: [[PixelPoint]], area: Double)] = []
        var holes: [[PixelPoint]] = []
        for r in rings {
            let a = signedArea(r)
            if a > 0 { ext.append((r, [], a)) } else if a < 0 { holes.append(r) }
        }
        if ext.count == 1 {   // the usual case (one 4-connected piece): every hole is its hole
            ext[0].holes = holes
            return ext.map { PolygonPart(exterior: $0.exterior, holes: $0.holes) }
        }
        for h in holes {
            // A probe just inside the hole ring's first edge, on the region side: the hole's first vertex
            // shifted by a quarter pixel towards the interior of the exterior polygon is not reliable, so use
            // the midpoint of the first edge nudged to the right of the edge (the region side).
            let a = h[0], b = h[1]
            let len = max(abs(b.x - a.x), abs(b.y - a.y))
            let ux = (b.x - a.x) / len, uy = (b.y - a.y) / len
            let probe = PixelPoint(x: (a.x + b.x) / 2 - uy * 0.25, y: (a.y + b.y) / 2 + ux * 0.25)
            // Smallest exterior containing the probe.
            if let k = ext.indices.filter({ contains(ext[$0].exterior, probe) }).min(by: { ext[$0].area < ext[$1].area }) {
                ext[k].holes.append(h)
            }
        }
        return ext.map { PolygonPart(exterior: $0.exterior, holes: $0.holes) }
    }
}
