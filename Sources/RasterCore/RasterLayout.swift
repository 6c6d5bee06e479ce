/// How a file stores its pixels: what `tilepipe info` reports and what readers plan reads from.
public struct RasterLayout: Sendable, Equatable, Codable {
    /// Sample interleaving.
    public enum Interleave: String, Sendable, Codable { case pixel, band }
    /// Pixel (contiguous) or band (separate planes).
    public var interleave: Interleave
    /// True for tiled files, false for strips.
    public var tiled: Bool
    /// Block width (tile width, or image width for strips).
    public var blockWidth: Int
    /// Block height (tile height, or rows per strip).
    public var blockHeight: Int
    /// Compression name (`DEFLATE`, `LZW`, `ZSTD`, `NONE`, ...).
    public var compression: String
    /// TIFF predictor: 1 none, 2 horizontal, 3 floating point.
    public var predictor: Int
    /// True for BigTIFF.
    public var bigTIFF: Bool
    /// Number of overview (reduced-resolution) images after the main one.
    public var overviewCount: Int

    /// A layout from its parts.
    public init(interleave: Interleave, tiled: Bool, blockWidth: Int, blockHeight: Int, compression: String,
                predictor: Int, bigTIFF: Bool, overviewCount: Int) {
        self.interleave = interleave
        self.tiled = tiled
        self.blockWidth = blockWidth
        self.blockHeight = blockHeight
        self.compression = compression
        self.predictor = predictor
        self.bigTIFF = bigTIFF
        self.overviewCount = overviewCount
    }
}

/// What a reader knows about a raster file before reading pixels.
public struct RasterDescription: Sendable, Equatable {
    /// The file path.
    public var path: String
    /// `GTiff` or `PNG`.
    public var format: String
    public var width: Int
    public var height: Int
    public var sampleType: SampleType
    public var bands: [BandInfo]
    public var geo: GeoReference?
    public var metadata: [String: String]
    public var layout: RasterLayout

    /// A description from its parts.
    public init(path: String, format: String, width: Int, height: Int, sampleType: SampleType, bands: [BandInfo],
                geo: GeoReference?, metadata: [String: String], layout: RasterLayout) {
        self.path = path
        self.format = format
        self.width = width
        self.height = height
        self.sampleType = sampleType
        self.bands = bands
        self.geo = geo
        self.metadata = metadata
        self.layout = layout
    }

    public var bandCount: Int { bands.count }
}
