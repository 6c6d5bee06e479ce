/// What the run's STAC collection needs from one tile's STAC item, kept with the tile's products in the run
/// catalog so the collection is built from the values the run holds, never by reading the items back: the WGS84
/// bounding box, the acquisition time and the fields the collection summarises.
public struct StacSummary: Codable, Sendable, Equatable {
    /// [west, south, east, north] in degrees (WGS84).
    public var bbox: [Double]
    /// The item's `datetime` (RFC 3339, UTC).
    public var datetime: String?
    /// `platform`.
    public var platform: String?
    /// `instruments`.
    public var instruments: [String]
    /// `proj:code` (`EPSG:32650`), nil for a CRS without an EPSG code.
    public var projCode: String?
    /// `processing:level`.
    public var processingLevel: String?
    /// `eo:cloud_cover` in percent.
    public var cloudCover: Double?
    /// `gsd` in metres (nil on a geographic grid).
    public var gsd: Double?

    /// A summary from its parts.
    public init(bbox: [Double], datetime: String?, platform: String? = nil, instruments: [String] = [], projCode: String? = nil,
                processingLevel: String? = nil, cloudCover: Double? = nil, gsd: Double? = nil) {
        self.bbox = bbox; self.datetime = datetime; self.platform = platform; self.instruments = instruments
        self.projCode = projCode; self.processingLevel = processingLevel; self.cloudCover = cloudCover; self.gsd = gsd
    }
}
