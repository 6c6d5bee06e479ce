public import RasterCore

/// Pixel area of a grid: the one place TilePipe turns a geotransform into square metres or hectares.
public enum PixelArea {
    /// Square metres covered by one pixel: |det(transform)|. The CRS must be projected with metre units
    /// (a geographic CRS is refused: its pixel area varies with latitude). A nil CRS is accepted and
    /// taken to be metres (synthetic or local grids).
    public static func squareMetres(_ geo: GeoReference?) throws(AnalysisError) -> Double {
        guard let geo else { throw .noPixelArea(reason: "the raster has no georeference") }
        if let crs = geo.crs, crs.isGeographic {
            throw .noPixelArea(reason: "\(crs.summary) is geographic (degrees); reproject to a metric CRS first")
        }
        let a = geo.transform.pixelArea
        guard a.isFinite, a > 0 else { throw .noPixelArea(reason: "the geotransform is singular") }
        return a
    }

    /// Hectares covered by one pixel: `squareMetres` / 10 000.
    public static func hectares(_ geo: GeoReference?) throws(AnalysisError) -> Double {
        try squareMetres(geo) / 10_000
    }

    /// `squareMetres`, or 0 where it refuses the grid (no georeference, geographic CRS, singular transform):
    /// a tile's result then carries pixel counts and no areas.
    public static func squareMetresOrZero(_ geo: GeoReference?) -> Double {
        (try? squareMetres(geo)) ?? 0
    }
}
