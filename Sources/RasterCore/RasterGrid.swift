/// A georeferenced pixel grid: its size and how it sits on the Earth (no samples).
///
/// Two rasters are "on the same grid" when their sizes, CRSs and transforms agree; only then can their pixels be
/// combined one to one. `Resampler` brings a raster from one grid onto another.
public struct RasterGrid: Sendable, Equatable, Hashable, Codable {
    /// Columns.
    public var width: Int
    /// Rows.
    public var height: Int
    /// Transform and CRS.
    public var geo: GeoReference

    /// A grid from its parts.
    public init(width: Int, height: Int, geo: GeoReference) {
        self.width = width
        self.height = height
        self.geo = geo
    }

    /// A north-up grid covering `bounds` (minX, minY, maxX, maxY in CRS units) with square-or-not pixels of
    /// `resolutionX` × `resolutionY`, its corner snapped outwards to multiples of the resolution (`gdalwarp -tap`)
    /// when `snap` is true.
    public init(crs: CRS?, bounds: (minX: Double, minY: Double, maxX: Double, maxY: Double),
                resolutionX: Double, resolutionY: Double, snap: Bool) {
        precondition(resolutionX > 0 && resolutionY > 0, "resolution must be positive")
        var (x0, y0, x1, y1) = bounds
        if snap {
            x0 = (x0 / resolutionX).rounded(.down) * resolutionX
            y0 = (y0 / resolutionY).rounded(.down) * resolutionY
            x1 = (x1 / resolutionX).rounded(.up) * resolutionX
            y1 = (y1 / resolutionY).rounded(.up) * resolutionY
        }
        // A bound that is a multiple of the resolution up to rounding gives that many pixels, not one more.
        width = max(1, Int(((x1 - x0) / resolutionX - 1e-6).rounded(.up)))
        height = max(1, Int(((y1 - y0) / resolutionY - 1e-6).rounded(.up)))
        geo = GeoReference(transform: GeoTransform(originX: x0, pixelWidth: resolutionX, originY: y1, pixelHeight: -resolutionY),
                           crs: crs)
    }

    /// Pixels in the grid.
    public var pixelCount: Int { width * height }

    /// The ground size of one pixel: the square root of its area (CRS units), for comparing resolutions.
    public var pixelSize: Double { geo.transform.pixelArea.squareRoot() }

    /// The bounding box of the grid in its CRS: (minX, minY, maxX, maxY) over the four corners.
    public var bounds: (minX: Double, minY: Double, maxX: Double, maxY: Double) {
        let t = geo.transform
        let corners = [t.apply(column: 0, row: 0), t.apply(column: Double(width), row: 0),
                       t.apply(column: 0, row: Double(height)), t.apply(column: Double(width), row: Double(height))]
        return (corners.map(\.x).min()!, corners.map(\.y).min()!, corners.map(\.x).max()!, corners.map(\.y).max()!)
    }

    /// True when `other` has the same size, CRS and transform (relative tolerance 1e-9 on each coefficient).
    public func sameGrid(as other: RasterGrid) -> Bool {
        width == other.width && height == other.height && geo.sameGrid(as: other.geo)
    }

    /// The finest grid of a list (smallest pixel area; the first on a tie), or nil for an empty list.
    public static func finest(_ grids: [RasterGrid]) -> Int? {
        grids.indices.min { grids[$0].geo.transform.pixelArea < grids[$1].geo.transform.pixelArea }
    }

    /// What differs between two grids, in words (size, CRS, each transform coefficient), empty when they agree.
    public func differences(from other: RasterGrid) -> [String] {
        var d: [String] = []
        if width != other.width || height != other.height { d.append("size \(width)x\(height) vs \(other.width)x\(other.height)") }
        let a = geo.crs?.summary ?? "no CRS", b = other.geo.crs?.summary ?? "no CRS"
        if geo.crs?.epsg != other.geo.crs?.epsg || geo.crs?.projDefinition != other.geo.crs?.projDefinition { d.append("CRS \(a) vs \(b)") }
        let ta = geo.transform, tb = other.geo.transform
        if ta.pixelWidth != tb.pixelWidth || ta.pixelHeight != tb.pixelHeight {
            d.append("pixel size \(ta.pixelWidth)x\(abs(ta.pixelHeight)) vs \(tb.pixelWidth)x\(abs(tb.pixelHeight))")
        }
        if abs(ta.originX - tb.originX) > 1e-9 * max(1, abs(ta.originX)) || abs(ta.originY - tb.originY) > 1e-9 * max(1, abs(ta.originY)) {
            d.append("origin (\(ta.originX), \(ta.originY)) vs (\(tb.originX), \(tb.originY))")
        }
        return d
    }
}
