/// The model of a `pipeline.yaml` (schema version 1). Every key is documented in `docs/pipeline.md`, and the
/// parser (`PipelineConfig+Parse.swift`) accepts exactly those keys: a key that no stage acts on is refused with
/// its position, never parsed and ignored.
public struct PipelineConfig: Sendable, Equatable, Codable {
    /// Schema version; only 1 exists.
    public var version: Int
    /// Optional run name (reports, STAC collection id).
    public var name: String?
    /// Input folders (loose tiles with a band map, or scene folders with a manifest).
    public var inputs: [InputSpec]
    /// Spectral indices to compute, by catalogue name (`ndvi`, `ndwi`, ...).
    public var indices: [String]
    /// DN → reflectance calibration.
    public var calibration: CalibrationSpec?
    /// Validity masks.
    public var masks: MaskSpec?
    /// Land-use classification.
    public var classification: ClassificationSpec?
    /// Two-date monitoring jobs (flood, burn scar, ...).
    public var monitor: [MonitorJobSpec]?
    /// GeoJSON file of regions (townships, villages, parcels): class areas and index means per region and date.
    public var regions: String?
    /// Output folder and products.
    public var outputs: OutputSpec
    /// Run report.
    public var report: ReportSpec?
    /// Concurrency and memory.
    public var execution: ExecutionSpec?
    /// Log format and level.
    public var logging: LoggingSpec?
    /// Reference grid every tile is resampled onto (CRS, resolution, bounds); nil: each tile's finest band.
    public var grid: GridSpec?

    /// The file this config was read from (not part of the schema; used in messages).
    public var sourcePath: String

    /// A config with the minimum keys.
    public init(version: Int = 1, name: String? = nil, inputs: [InputSpec], indices: [String], outputs: OutputSpec,
                sourcePath: String = "<memory>") {
        self.version = version
        self.name = name
        self.inputs = inputs
        self.indices = indices
        self.outputs = outputs
        self.sourcePath = sourcePath
    }
}

/// One input folder.
public struct InputSpec: Sendable, Equatable, Codable {
    /// Folder (or single file) holding tiles; relative paths are relative to the current directory.
    public var path: String
    /// Band name → 1-based band number inside each multi-band tile, for loose tiles with no scene manifest.
    public var bands: [String: Int]?
    /// Glob on file names (default: `*.tif`, `*.tiff`).
    public var pattern: String?
    /// Role of this input in two-date jobs: `pre` or `post` (nil = single date).
    public var role: String?
    /// The place this input covers (`name:`): the reports group every tile of the input under this name.
    public var name: String?
    /// Acquisition date `YYYY-MM-DD` (or ISO 8601 time) of every tile of this input, overriding manifests,
    /// metadata and date tokens in names.
    public var date: String?

    /// An input folder.
    public init(path: String, bands: [String: Int]? = nil, pattern: String? = nil, role: String? = nil) {
        self.path = path
        self.bands = bands
        self.pattern = pattern
        self.role = role
    }
}

/// How digital numbers become reflectance.
public struct CalibrationSpec: Sendable, Equatable, Codable {
    /// `auto` (manifest when present, else scale/offset), `toa`, `scale` or `none`.
    public var mode: String
    /// Multiplicative factor for `scale` mode (reflectance = DN × scale + offset).
    public var scale: Double?
    /// Additive offset for `scale` mode.
    public var offset: Double?
    /// Correct TOA reflectance by the sine of the sun elevation.
    public var sunElevationCorrection: Bool?
}

/// Which pixels are valid.
public struct MaskSpec: Sendable, Equatable, Codable {
    /// Treat band nodata as invalid (default true).
    public var nodata: Bool?
    /// Mask clouds from the quality band / manifest.
    public var clouds: Bool?
    /// Mask cloud shadows.
    public var shadows: Bool?
    /// Mask saturated pixels.
    public var saturated: Bool?
    /// Reflectances below this are invalid.
    public var minReflectance: Double?
    /// Reflectances above this are invalid.
    public var maxReflectance: Double?
}

/// Land-use classification settings.
public struct ClassificationSpec: Sendable, Equatable, Codable {
    /// Rule set name (`landuse` by default).
    public var scheme: String
    /// Explicit classes (threshold on one index), overriding the scheme.
    public var classes: [ClassSpec]?
}

/// One class of an explicit threshold classification.
public struct ClassSpec: Sendable, Equatable, Codable {
    /// Class name.
    public var name: String
    /// Index the thresholds apply to.
    public var index: String?
    /// Inclusive lower bound.
    public var min: Double?
    /// Exclusive upper bound.
    public var max: Double?
    /// Display colour `#rrggbb`.
    public var color: String?
}

/// A two-date monitoring job.
public struct MonitorJobSpec: Sendable, Equatable, Codable {
    /// `flood`, `burn`, `landslide`, `drought` or `change`.
    public var kind: String
    /// Threshold on the job's difference index (job default when nil).
    public var threshold: Double?
    /// Smallest affected patch kept, in square metres.
    public var minAreaM2: Double?
    /// Write affected areas as GeoJSON.
    public var vectorize: Bool?
    /// Index the job compares (flood: `mndwi` when both dates have it, else `ndwi`; burn: `nbr`; landslide,
    /// drought: `ndvi`).
    public var index: String?
    /// Pre-event date `YYYY-MM-DD` (default: the earliest date of each tile's pair group).
    public var before: String?
    /// Post-event date `YYYY-MM-DD` (default: the latest date of each tile's pair group).
    public var after: String?

    /// A job of `kind` with default thresholds and dates.
    public init(kind: String, threshold: Double? = nil, minAreaM2: Double? = nil, vectorize: Bool? = nil,
                index: String? = nil, before: String? = nil, after: String? = nil) {
        self.kind = kind; self.threshold = threshold; self.minAreaM2 = minAreaM2; self.vectorize = vectorize
        self.index = index; self.before = before; self.after = after
    }
}

/// Where outputs go and which products are written.
public struct OutputSpec: Sendable, Equatable, Codable {
    /// Output folder (created); holds `tiles/`, `catalog.sqlite`, `run.json`.
    public var directory: String
    /// GeoTIFF/COG settings for index rasters.
    public var cog: CogSpec?
    /// PNG quicklooks.
    public var quicklooks: QuicklookSpec?
    /// STAC items and collection.
    public var stac: StacSpec?
    /// CRS of every output raster, `EPSG:<code>` (tiles are reprojected at ingest); nil: the input's CRS.
    public var crs: String?
    /// Write a true-colour picture per tile (`<id>_rgb.tif`, `TrueColorWriter`); nil or false: none.
    public var rgb: Bool?

    /// An output folder with default products.
    public init(directory: String, cog: CogSpec? = nil, quicklooks: QuicklookSpec? = nil, stac: StacSpec? = nil) {
        self.directory = directory
        self.cog = cog
        self.quicklooks = quicklooks
        self.stac = stac
    }
}

/// GeoTIFF (COG) writing options for index rasters.
public struct CogSpec: Sendable, Equatable, Codable {
    /// `deflate` (default) or `zstd` (lossless, predictor 3 for Float32).
    public var compression: String?
    /// Internal tile size (multiple of 16, default 512).
    public var tileSize: Int?
    /// Write a COG with overviews, statistics and provenance (default true); false writes a plain tiled GeoTIFF.
    public var overviews: Bool?
    /// Sample type of index rasters: `float32` (default) or `int16` (round(value × 10000), scale 0.0001, nodata −32768).
    public var dtype: String?
}

/// Quicklook PNG options.
public struct QuicklookSpec: Sendable, Equatable, Codable {
    /// Products to render: configured index names and `landuse` (the class map). Default: `ndvi` (when
    /// configured) and `landuse`.
    public var indices: [String]?
    /// Longest side in pixels.
    public var maxSize: Int?
}

/// STAC output options.
public struct StacSpec: Sendable, Equatable, Codable {
    /// Collection id (default: the run name).
    public var collectionId: String?
    /// SPDX licence id.
    public var license: String?
}

/// Report options.
public struct ReportSpec: Sendable, Equatable, Codable {
    /// Any of `html`, `json`, `csv`, `md`.
    public var formats: [String]?
    /// Report title.
    public var title: String?
}

/// Execution settings (CLI flags override them).
public struct ExecutionSpec: Sendable, Equatable, Codable {
    /// Compute threads (default: active cores).
    public var jobs: Int?
    /// Tiles in flight (default 2 × jobs); bounds memory.
    public var maxInFlight: Int?
    /// Memory budget such as `4GiB`; lowers max_in_flight when tiles are large.
    public var memory: String?
    /// Serial reader queues (default 2).
    public var readers: Int?
    /// Serial writer queues (default 2).
    public var writers: Int?
}

/// Logging settings (CLI flags override them).
public struct LoggingSpec: Sendable, Equatable, Codable {
    /// `text` or `json`.
    public var format: String?
    /// `trace`, `debug`, `info`, `notice`, `warning`, `error`, `critical`.
    public var level: String?
}
