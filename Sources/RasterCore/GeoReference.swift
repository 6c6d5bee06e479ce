/// How a raster sits on the Earth: affine transform, CRS, and the raster-space convention.
public struct GeoReference: Sendable, Equatable, Hashable, Codable {
    /// Whether a pixel value covers its cell (area, the default) or is sampled at the cell's corner point.
    public enum RasterType: String, Sendable, Codable { case pixelIsArea, pixelIsPoint }

    /// The affine transform (always expressed for the PixelIsArea corner, as GDAL does).
    public var transform: GeoTransform
    /// The CRS, or nil for a raster with a transform but no CRS.
    public var crs: CRS?
    /// GTRasterTypeGeoKey.
    public var rasterType: RasterType

    /// A georeference from its parts.
    public init(transform: GeoTransform, crs: CRS?, rasterType: RasterType = .pixelIsArea) {
        self.transform = transform
        self.crs = crs
        self.rasterType = rasterType
    }

    /// True when two rasters share CRS and transform (the pairing rule for two-date jobs).
    public func sameGrid(as other: GeoReference, tolerance: Double = 1e-9) -> Bool {
        guard crs?.epsg == other.crs?.epsg, crs?.projDefinition == other.crs?.projDefinition else { return false }
        return zip(transform.coefficients, other.transform.coefficients).allSatisfy {
            abs($0 - $1) <= tolerance * max(1, abs($0), abs($1))
        }
    }
}
