/// One part of a polygon: an exterior ring and its holes (pixel space, vertices not repeated at the end).
public struct PolygonPart: Sendable, Equatable, Codable {
    /// Exterior ring (clockwise on screen in pixel space, y down; positive shoelace area).
    public var exterior: [PixelPoint]
    /// Hole rings (counter-clockwise on screen; negative shoelace area).
    public var holes: [[PixelPoint]]
    /// A part from its rings.
    public init(exterior: [PixelPoint], holes: [[PixelPoint]]) {
        self.exterior = exterior
        self.holes = holes
    }
    /// Area in pixel units (exterior minus holes).
    public var area: Double { LatticeRings.signedArea(exterior) + holes.reduce(0) { $0 + LatticeRings.signedArea($1) } }
}

/// One connected region of a class map as a polygon in pixel space (lattice corners, not simplified).
///
/// A region is usually one part; an 8-connected region whose pixels meet only at a corner has several parts
/// touching at that corner (written as a GeoJSON MultiPolygon), so that every ring stays simple.
public struct TracedPolygon: Sendable, Equatable, Codable {
    /// The region's class code.
    public var classCode: UInt8
    /// Pixels in the region.
    public var pixelCount: Int
    /// The parts (exterior + holes each).
    public var parts: [PolygonPart]
    /// True when the region reaches the first/last row or column of its tile.
    public var touchesEdge: Bool

    /// A polygon from its parts.
    public init(classCode: UInt8, pixelCount: Int, parts: [PolygonPart], touchesEdge: Bool) {
        self.classCode = classCode
        self.pixelCount = pixelCount
        self.parts = parts
        self.touchesEdge = touchesEdge
    }

    /// Area in pixel units from the rings (Σ parts, exterior minus holes).
    public var ringArea: Double { parts.reduce(0) { $0 + $1.area } }

    /// Every ring (exteriors and holes) of every part.
    public var rings: [[PixelPoint]] { parts.flatMap { [$0.exterior] + $0.holes } }
}

/// Raster → polygons (the equivalent of `gdal_polygonize`): connected regions of equal class are traced along
/// pixel boundaries into polygons with holes.
///
/// Connectivity 8 (default): diagonal neighbours belong to one region (one feature; its parts touch at the
/// shared corner), and a hole is a 4-connected patch of other classes. Connectivity 4: diagonal pixels are separate
/// regions. Rings follow pixel edges exactly, so a polygon's ring area equals its pixel count.
public enum PolygonTracer {
    /// Traces every region whose class is in `classes` (all non-zero classes when nil).
    ///
    /// Each region (connected with `connectivity`) is one `TracedPolygon`; its parts are its 4-connected
    /// pieces, each traced separately, so every part has a connected interior and simple rings (valid for
    /// OGC/GEOS); pieces of an 8-connected region touch at corners.
    public static func trace(_ map: [UInt8], width: Int, height: Int, classes: Set<UInt8>? = nil,
                             connectivity: ConnectedComponents.Connectivity = .eight,
                             minimumPixels: Int = 1) -> [TracedPolygon] {
        let wanted = classes ?? Set((1...255).map { UInt8($0) })
        let excluded = Set((0...255).map { UInt8($0) }).subtracting(wanted)
        let regions = ConnectedComponents(map, width: width, height: height, connectivity: connectivity, excluding: excluded)
        guard regions.count > 0 else { return [] }
        let pieces = connectivity == .four ? regions
            : ConnectedComponents(map, width: width, height: height, connectivity: .four, excluding: excluded)
        var edges = [[LatticeEdge]](repeating: [], count: pieces.count)
        var regionOfPiece = [Int](repeating: -1, count: pieces.count)
        var touches = [Bool](repeating: false, count: regions.count)
        for r in 0..<height {
            for c in 0..<width {
                let i = r * width + c
                let l = Int(regions.labels[i])
                guard l > 0, regions.sizes[l - 1] >= minimumPixels else { continue }
                let piece = Int(pieces.labels[i])
                regionOfPiece[piece - 1] = l - 1
                if r == 0 || c == 0 || r == height - 1 || c == width - 1 { touches[l - 1] = true }
                // Boundary sides (top, right, bottom, left), oriented with the region on the right.
                @inline(__always) func outside(_ nc: Int, _ nr: Int) -> Bool {
                    nc < 0 || nr < 0 || nc >= width || nr >= height || Int(pieces.labels[nr * width + nc]) != piece
                }
                if outside(c, r - 1) { edges[piece - 1].append(LatticeEdge(x: c, y: r, direction: 0)) }
                if outside(c + 1, r) { edges[piece - 1].append(LatticeEdge(x: c + 1, y: r, direction: 1)) }
                if outside(c, r + 1) { edges[piece - 1].append(LatticeEdge(x: c + 1, y: r + 1, direction: 2)) }
                if outside(c - 1, r) { edges[piece - 1].append(LatticeEdge(x: c, y: r + 1, direction: 3)) }
            }
        }
        var parts = [[PolygonPart]](repeating: [], count: regions.count)
        for k in 0..<pieces.count where regionOfPiece[k] >= 0 {
            parts[regionOfPiece[k]] += LatticeRings.polygons(from: LatticeRings.link(edges[k]))
        }
        var out: [TracedPolygon] = []
        for k in 0..<regions.count where !parts[k].isEmpty {
            out.append(TracedPolygon(classCode: regions.codes[k], pixelCount: regions.sizes[k], parts: parts[k], touchesEdge: touches[k]))
        }
        return out
    }
}
