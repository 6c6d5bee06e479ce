/// One connected region of a class map as a polygon in pixel space (lattice corners, not simplified).
public struct TracedPolygon: Sendable, Equatable, Codable {
    /// The region's class code.
    public var classCode: UInt8
    /// Pixels in the region.
    public var pixelCount: Int
    /// Exterior ring (clockwise on screen in pixel space, y down), vertices not repeated at the end.
    public var exterior: [PixelPoint]
    /// Hole rings (counter-clockwise on screen in pixel space).
    public var holes: [[PixelPoint]]
    /// True when the region reaches the first/last row or column of its tile.
    public var touchesEdge: Bool

    /// A polygon from its parts.
    public init(classCode: UInt8, pixelCount: Int, exterior: [PixelPoint], holes: [[PixelPoint]], touchesEdge: Bool) {
        self.classCode = classCode
        self.pixelCount = pixelCount
        self.exterior = exterior
        self.holes = holes
        self.touchesEdge = touchesEdge
    }

    /// Area in pixel units from the rings (exterior minus holes).
    public var ringArea: Double {
        LatticeRings.signedArea(exterior) + holes.reduce(0) { $0 + LatticeRings.signedArea($1) }
    }
}

/// Raster → polygons (the equivalent of `gdal_polygonize`): connected regions of equal class are traced along
/// pixel boundaries into polygons with holes.
///
/// Connectivity 8 (default): diagonal neighbours belong to one region, its ring passes through the shared
/// corner, and a hole is a 4-connected patch of other classes. Connectivity 4: diagonal pixels are separate
/// regions. Rings follow pixel edges exactly, so a polygon's ring area equals its pixel count.
public enum PolygonTracer {
    /// Traces every region whose class is in `classes` (all non-zero classes when nil).
    public static func trace(_ map: [UInt8], width: Int, height: Int, classes: Set<UInt8>? = nil,
                             connectivity: ConnectedComponents.Connectivity = .eight,
                             minimumPixels: Int = 1) -> [TracedPolygon] {
        let wanted = classes ?? Set((1...255).map { UInt8($0) })
        let excluded = Set((0...255).map { UInt8($0) }).subtracting(wanted)
        let cc = ConnectedComponents(map, width: width, height: height, connectivity: connectivity, excluding: excluded)
        guard cc.count > 0 else { return [] }
        var edges = [[LatticeEdge]](repeating: [], count: cc.count)
        var touches = [Bool](repeating: false, count: cc.count)
        for r in 0..<height {
            for c in 0..<width {
                let l = Int(cc.labels[r * width + c])
                guard l > 0, cc.sizes[l - 1] >= minimumPixels else { continue }
                if r == 0 || c == 0 || r == height - 1 || c == width - 1 { touches[l - 1] = true }
                let sides = LatticeEdge.sides(column: c, row: r)
                // top, right, bottom, left neighbours
                let nb = [(c, r - 1), (c + 1, r), (c, r + 1), (c - 1, r)]
                for k in 0..<4 {
                    let (nc, nr) = nb[k]
                    let inside = nc >= 0 && nr >= 0 && nc < width && nr < height && Int(cc.labels[nr * width + nc]) == l
                    if !inside { edges[l - 1].append(sides[k]) }
                }
            }
        }
        var out: [TracedPolygon] = []
        for k in 0..<cc.count where !edges[k].isEmpty {
            let rings = LatticeRings.link(edges[k], joinDiagonals: connectivity == .eight)
            for p in LatticeRings.polygons(from: rings) {
                let area = LatticeRings.signedArea(p.exterior) + p.holes.reduce(0) { $0 + LatticeRings.signedArea($1) }
                out.append(TracedPolygon(classCode: cc.codes[k], pixelCount: Int(area.rounded()),
                                         exterior: p.exterior, holes: p.holes, touchesEdge: touches[k]))
            }
        }
        return out
    }
}
