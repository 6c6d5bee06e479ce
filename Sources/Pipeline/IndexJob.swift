import Foundation
public import RasterCore
import GroundStation
import RasterIO
public import Products
public import Analysis

/// The default per-tile job: load the bands the indices and the classification need (with the tile's quality
/// mask) → compute the configured indices fused, classify land use → write one Float32 Cloud-Optimized GeoTIFF per
/// index (`tiles/<id>/<id>_<index>.tif`, Products' COG policy: 512 tiles, DEFLATE or ZSTD with predictor 3,
/// overviews by average, nodata NaN, band description = index name, statistics and provenance in GDAL_METADATA,
/// georeferencing of the input), the land-use map (`<id>_landuse.tif`, UInt8, colour table, mode overviews),
/// quicklooks (`<id>_<product>.png` + `.pgw`), a STAC item (`<id>_item.json`) and, for two-date jobs, the quality
/// mask (`<id>_quality.tif`). The tile's figures are one Analysis `TileResult` (index accumulators, class counts with
/// their scheme, accuracy against `truth-landcover.tif`, region partials, product paths).
/// Ingest is in IndexJob+Ingest.swift, compute in IndexJob+Compute.swift, write in IndexJob+Write.swift.
public struct IndexJob: TileStage {
    /// Loaded reflectance.
    public struct Loaded: Sendable {
        /// Width.
        public var width: Int
        /// Height.
        public var height: Int
        /// Input georeferencing.
        public var geo: GeoReference?
        /// Band name → values (NaN = invalid).
        public var bands: [String: [Float]]
        /// Ground-station quality codes per pixel (`PixelQuality`), nil when the loader gave none.
        public var quality: [UInt8]?
        /// Scene facts (satellite, time), when known.
        public var scene: SceneInfo?
        /// Acquisition date, when known.
        public var date: Date?
        /// `truth-landcover.tif` of the tile folder, when present (name, codes).
        public var truth: (name: String, codes: [UInt8])?
    }

    /// Computed index planes, the class map and the tile's result.
    public struct Computed: Sendable {
        /// Width.
        public var width: Int
        /// Height.
        public var height: Int
        /// Georeferencing.
        public var geo: GeoReference?
        /// Index name → values (configured indices only).
        public var planes: [String: [Float]]
        /// Indices skipped for lack of bands, if any.
        public var warning: String?
        /// The class map.
        public var classes: ClassificationResult?
        /// Ground-station quality codes, when the loader gave them.
        public var quality: [UInt8]?
        /// The tile's result (product paths filled in by `write`).
        public var result: TileResult
        /// Scene facts.
        public var scene: SceneInfo?
        /// Acquisition date.
        public var date: Date?
        /// Red, green and blue reflectance for the true-colour picture (`outputs.rgb`), when the tile has them.
        public var trueColor: TrueColorPlanes? = nil
    }

    /// What the write produced.
    public struct Products: Sendable {
        /// Output files (relative to the output folder) with hashes.
        public var outputs: [OutputRecord]
        /// Indices skipped for lack of bands, if any.
        public var warning: String?
        /// The tile's result, with the paths of its products.
        public var result: TileResult
    }

    /// Indices to compute, in config order.
    public let indices: [String]
    /// Output folder.
    public let outputDirectory: String
    /// Calibration (nil: the file's scale/offset).
    public let calibration: CalibrationSpec?
    /// `calibration:` and `masks:` as GroundStation applies them while loading.
    public var loadOptions: TileLoadOptions
    /// Output codec.
    public let codec: CloudOptimizedGeoTIFF.Codec
    /// Internal tile size.
    public let tileSize: Int
    /// Write overviews (COG); false writes a plain tiled GeoTIFF.
    public let overviews: Bool
    /// Sample type of the index rasters (`outputs.cog.dtype`).
    public let indexDataType: CloudOptimizedGeoTIFF.IndexDataType
    /// Tool version and config hash, written as provenance into every output.
    public let toolVersion: String, configHash: String
    /// Decode limits.
    public let limits: ResourceLimits
    /// Retries of reads that failed at the operating-system level.
    public var retry: ReadRetryPolicy = .default
    /// Process tiles in windows (one per output block) when they allow it (`plan`); false reads every tile whole
    /// (`ingest` → `compute` → `write`), the route tests compare the windowed one against.
    public var windowed = true
    /// Classification, quicklooks and STAC settings.
    public let products: TileProductOptions
    /// The reference grid tiles are resampled onto at ingest (`grid:`, `outputs.crs`); nil: each tile's own grid.
    public var referenceGrid: ReferenceGrid?
    /// Whether `plan` has opened a tile yet (shared by the job's copies).
    let opened = FirstTile()

    /// A job.
    public init(indices: [String], outputDirectory: String, calibration: CalibrationSpec? = nil, masks: MaskSpec? = nil, cog: CogSpec? = nil,
                toolVersion: String = "", configHash: String = "", limits: ResourceLimits = .default,
                products: TileProductOptions = TileProductOptions()) {
        self.products = products
        self.indices = indices
        self.outputDirectory = outputDirectory
        self.calibration = calibration
        loadOptions = TileLoadOptions.from(calibration: calibration, masks: masks, indices: indices, classifies: products.scheme != nil)
        codec = cog?.compression == "zstd" ? .zstd : .deflate
        tileSize = cog?.tileSize ?? 512
        overviews = cog?.overviews ?? true
        indexDataType = cog?.dtype == "int16" ? .int16 : .float32
        self.toolVersion = toolVersion
        self.configHash = configHash
        self.limits = limits
    }

    /// The bands the configured indices and the classification scheme read.
    public var neededBands: [String] {
        var set = Set(indices.compactMap { IndexRegistry.lookup($0) }.flatMap(\.requiredBands))
        for v in products.scheme?.variables ?? [] {
            if let e = IndexRegistry.lookup(v) { set.formUnion(e.requiredBands) } else { set.insert(v) }
        }
        if products.trueColor { set.formUnion(TrueColorStretch.bandNames) }
        return Array(set).sorted()
    }

    /// Every output a tile may write (the plan, and the resume check: recorded outputs must be a subset).
    public func expectedOutputs(tile id: String) -> [String] {
        var out = indices.map { IndexJob.outputPath(tile: id, index: $0) }
        // Class maps come with their GIS sidecars (.tif.aux.xml, .qml), quicklooks with a world file and a CRS .aux.xml.
        func withSidecars(_ rel: String) -> [String] { [rel] + GISSidecars.paths(beside: rel) }
        if products.scheme != nil { out += withSidecars(IndexJob.outputPath(tile: id, index: "landuse")) }
        for p in products.quicklooks {
            out.append("tiles/\(id)/\(id)_\(p).png")
            out.append("tiles/\(id)/\(id)_\(p).pgw")
            out.append("tiles/\(id)/\(id)_\(p).png.aux.xml")
        }
        if products.stac { out.append(IndexJob.itemPath(tile: id)) }
        if products.qualityMask { out += withSidecars(IndexJob.outputPath(tile: id, index: "quality")) }
        if products.trueColor { out.append(IndexJob.trueColorPath(tile: id)) }
        return out
    }

    /// The relative path of tile `id`'s STAC item.
    public static func itemPath(tile id: String) -> String { "tiles/\(id)/\(id)_item.json" }

    /// The relative output path of `index` for tile `id`.
    public static func outputPath(tile id: String, index: String) -> String { "tiles/\(id)/\(id)_\(index).tif" }
}

/// A flag that is set once: whether a job has opened its first tile.
final class FirstTile: @unchecked Sendable {
    private let lock = NSLock()
    private var taken = false

    /// True for the first call only.
    func markFirst() -> Bool { lock.withLock { defer { taken = true }; return !taken } }
}
