/// GDAL-style affine geotransform: `X = c0 + col·c1 + row·c2`, `Y = c3 + col·c4 + row·c5`,
/// where (col, row) is the pixel corner in pixel space (PixelIsArea convention).
public struct GeoTransform: Sendable, Equatable, Hashable, Codable {
    /// The six coefficients in GDAL order: originX, pixelWidth, rowRotation, originY, colRotation, pixelHeight.
    public var coefficients: [Double]

    /// A transform from the six GDAL coefficients.
    public init(_ c: [Double]) {
        precondition(c.count == 6, "a geotransform has six coefficients")
        coefficients = c
    }

    /// A north-up transform: origin at the top-left corner, `pixelHeight` usually negative.
    public init(originX: Double, pixelWidth: Double, originY: Double, pixelHeight: Double) {
        coefficients = [originX, pixelWidth, 0, originY, 0, pixelHeight]
    }

    /// The identity transform GDAL reports for rasters without georeferencing.
    public static let identity = GeoTransform([0, 1, 0, 0, 0, 1])

    public var originX: Double { coefficients[0] }
    public var pixelWidth: Double { coefficients[1] }
    public var rowRotation: Double { coefficients[2] }
    public var originY: Double { coefficients[3] }
    public var columnRotation: Double { coefficients[4] }
    public var pixelHeight: Double { coefficients[5] }

    /// True when there is no rotation term.
    public var isNorthUp: Bool { rowRotation == 0 && columnRotation == 0 }

    /// Ground area of one pixel in CRS units squared (the absolute determinant).
    public var pixelArea: Double { abs(pixelWidth * pixelHeight - rowRotation * columnRotation) }

    /// Maps a pixel-space position (column, row) to CRS coordinates.
    public func apply(column: Double, row: Double) -> (x: Double, y: Double) {
        (originX + column * pixelWidth + row * rowRotation, originY + column * columnRotation + row * pixelHeight)
    }

    /// Maps CRS coordinates back to pixel space, or nil when the transform is singular.
    public func invert(x: Double, y: Double) -> (column: Double, row: Double)? {
        let det = pixelWidth * pixelHeight - rowRotation * columnRotation
        guard det != 0, det.isFinite else { return nil }
        let dx = x - originX, dy = y - originY
        return ((dx * pixelHeight - dy * rowRotation) / det, (dy * pixelWidth - dx * columnRotation) / det)
    }

    /// The transform of a window whose top-left pixel is (column, row) of this grid.
    public func offset(column: Int, row: Int) -> GeoTransform {
        let (x, y) = apply(column: Double(column), row: Double(row))
        var c = coefficients
        c[0] = x; c[3] = y
        return GeoTransform(c)
    }

    /// The transform of this grid resampled by an integer factor (overviews, quicklooks).
    public func scaled(by factor: Double) -> GeoTransform {
        var c = coefficients
        c[1] *= factor; c[2] *= factor; c[4] *= factor; c[5] *= factor
        return GeoTransform(c)
    }
}
