import Foundation
public import RasterCore
public import Analysis

/// Everything a run's reports say, built from per-tile partial statistics (pixel counts, sums), so that
/// a merged sharded run yields exactly the same numbers as an unsharded one.
///
/// The pipeline fills it from the run catalog; `ReportWriter` renders it as JSON, CSV, Markdown and HTML.
public struct RunReport: Codable, Sendable, Equatable {
    /// Run identity and provenance.
    public var run: RunInfo
    /// Class legend used by the land-use figures (code, name, colour).
    public var classes: [ClassInfo]
    /// One entry per tile, in canonical (tile id) order.
    public var tiles: [TileEntry]
    /// Tiles or files that failed, with stage and cause.
    public var failures: [FailureEntry]
    /// Two-date land-use change matrices.
    public var changes: [ChangeEntry]
    /// Disaster job results.
    public var disasters: [DisasterEntry]
    /// Per-region (township, village, parcel) statistics.
    public var regions: [RegionEntry]
    /// The places figures are grouped by (`PlaceInfo`), sorted by name.
    public var places: [PlaceInfo]
    /// Accuracy against ground truth, where it exists.
    public var accuracy: [AccuracyEntry]
    /// Relative links to companion products (STAC collection, affected.geojson).
    public var links: [String: String]

    /// A report from its parts.
    public init(run: RunInfo, classes: [ClassInfo] = [], tiles: [TileEntry] = [], failures: [FailureEntry] = [],
                changes: [ChangeEntry] = [], disasters: [DisasterEntry] = [], regions: [RegionEntry] = [],
                accuracy: [AccuracyEntry] = [], links: [String: String] = [:], places: [PlaceInfo] = []) {
        self.run = run
        self.classes = classes
        self.tiles = tiles.sorted { $0.id < $1.id }
        self.failures = failures.sorted { ($0.path, $0.stage) < ($1.path, $1.stage) }
        self.changes = changes
        self.disasters = disasters
        self.regions = regions.sorted { $0.name < $1.name }
        self.accuracy = accuracy.sorted { $0.tile < $1.tile }
        self.links = links
        self.places = places.sorted { $0.name < $1.name }
    }

    /// The place named `name`, when listed.
    public func place(_ name: String?) -> PlaceInfo? { name.flatMap { n in places.first { $0.name == n } } }
}

/// Identity and provenance of a run.
public struct RunInfo: Codable, Sendable, Equatable {
    public var id: String
    public var toolVersion: String
    public var pipeline: String
    public var pipelineHash: String
    public var started: String
    public var finished: String
    public var inputs: [String]
    /// The report's heading (pipeline.yaml `report.title`); nil gives "TilePipe report".
    public var title: String?
    /// A run info from its parts (times as ISO 8601 text).
    public init(id: String, toolVersion: String, pipeline: String, pipelineHash: String, started: String, finished: String,
                inputs: [String], title: String? = nil) {
        self.id = id; self.toolVersion = toolVersion; self.pipeline = pipeline; self.pipelineHash = pipelineHash
        self.started = started; self.finished = finished; self.inputs = inputs; self.title = title
    }
}

/// One class of a class map.
public struct ClassInfo: Codable, Sendable, Equatable {
    public var code: Int
    public var name: String
    /// `#rrggbb`.
    public var color: String
    /// A class from its parts.
    public init(code: Int, name: String, color: String) { self.code = code; self.name = name; self.color = color }
}

/// One tile of the run.
public struct TileEntry: Codable, Sendable, Equatable {
    /// `done` (computed by the run that wrote the report), `skipped` (unchanged since an earlier run, not
    /// recomputed) or `failed`.
    public enum Status: String, Codable, Sendable { case done, skipped, failed }
    public var id: String
    public var status: Status
    /// The tile's result (statistics, class counts with their scheme, accuracy, regions), for processed tiles.
    public var result: TileResult?
    /// Output files, relative to the run folder.
    public var outputs: [String]
    /// The tile's quicklook, relative to the run folder.
    public var quicklook: String?
    /// The place the tile belongs to (`PlaceInfo.name`); nil when unknown.
    public var place: String?
    /// A tile entry from its parts.
    public init(id: String, status: Status, result: TileResult? = nil, outputs: [String] = [], quicklook: String? = nil,
                place: String? = nil) {
        self.id = id; self.status = status; self.result = result; self.outputs = outputs; self.quicklook = quicklook
        self.place = place
    }
    /// Acquisition date (`YYYY-MM-DD`), when known.
    public var date: String? { result?.date }
    /// Satellite, when known.
    public var satellite: String? { result?.satellite }
}

/// The class of cause of a failure: bad data (`corrupt`, permanent), an operating-system failure (`io`, maybe
/// transient), a config that does not fit the tile (`config`), or values that are not reflectance after calibration
/// (`calibration`: a missing or wrong `calibration.scale`), or work a signal kept from running (`interrupted`).
public enum FailureKind: String, Sendable, Codable, CaseIterable {
    /// The input is not a readable raster of the kind expected.
    case corrupt
    /// The file system failed (cannot open, read or write).
    case io
    /// The configuration does not fit the input (missing band, grids that cannot be aligned).
    case config
    /// The calibration metadata is missing or out of range.
    case calibration
    /// Not computed: the run was stopped by SIGINT/SIGTERM first; the next run computes it.
    case interrupted
}

/// A failed tile, file, pair or report: one value from the stage that failed to run.json, the catalog and every report.
public struct FailureEntry: Codable, Sendable, Equatable {
    /// The tile id (the after-date tile of a pair; empty for a run-level failure).
    public var tile: String
    public var path: String
    public var stage: String
    public var cause: String
    public var kind: FailureKind
    /// A failure from its parts.
    public init(tile: String = "", path: String, stage: String, cause: String, kind: FailureKind) {
        self.tile = tile; self.path = path; self.stage = stage; self.cause = cause; self.kind = kind
    }
}

/// A from-class × to-class matrix between two dates, in pixels (hectares derived).
public struct ChangeEntry: Codable, Sendable, Equatable {
    public var fromDate: String
    public var toDate: String
    public var tiles: [String]
    /// Class codes of the rows and columns.
    public var classes: [Int]
    /// pixels[i][j]: pixels of class `classes[i]` before and `classes[j]` after.
    public var pixels: [[Int]]
    public var pixelAreaM2: Double
    /// The place of the tiles compared.
    public var place: String?
    /// A change entry from its parts.
    public init(fromDate: String, toDate: String, tiles: [String], classes: [Int], pixels: [[Int]], pixelAreaM2: Double,
                place: String? = nil) {
        self.fromDate = fromDate; self.toDate = toDate; self.tiles = tiles; self.classes = classes; self.pixels = pixels
        self.pixelAreaM2 = pixelAreaM2; self.place = place
    }
    /// Hectares of change from row i to column j.
    public func hectares(_ i: Int, _ j: Int) -> Double { Double(pixels[i][j]) * pixelAreaM2 / 10_000 }
}

/// A disaster job's result over the run.
public struct DisasterEntry: Codable, Sendable, Equatable {
    /// One severity class with its area.
    public struct Severity: Codable, Sendable, Equatable {
        public var name: String
        public var color: String
        public var pixels: Int
        /// A severity row from its parts.
        public init(name: String, color: String, pixels: Int) { self.name = name; self.color = color; self.pixels = pixels }
    }
    public var name: String
    /// `flood`, `burn`, `vegetation-loss`, `drought`.
    public var kind: String
    public var before: String
    public var after: String
    public var tiles: [String]
    public var severities: [Severity]
    public var pixelAreaM2: Double
    /// `none`, `watch`, `warning`, `emergency`.
    public var alert: String
    /// The rule that raised the alert, in words.
    public var rule: String
    /// Quicklook of the disaster map, relative to the run folder.
    public var quicklook: String?
    /// Intersection over union of the affected area against a reference (e.g. the simulator's truth-event), when known.
    public var iou: Double?
    /// The place of the tiles (`PlaceInfo.name`).
    public var place: String?
    /// Centroid of the affected area in WGS84 `[lon, lat]`, when it was vectorised and georeferenced.
    public var centroid: [Double]?
    /// Hectares of this entry's polygons in affected.geojson (nil when the job was not vectorised).
    public var polygonHectares: Double?
    /// Number of this entry's polygons in affected.geojson (before merging across tile edges).
    public var polygonCount: Int?
    /// A disaster entry from its parts.
    public init(name: String, kind: String, before: String, after: String, tiles: [String], severities: [Severity],
                pixelAreaM2: Double, alert: String, rule: String, quicklook: String? = nil, iou: Double? = nil,
                place: String? = nil, centroid: [Double]? = nil, polygonHectares: Double? = nil, polygonCount: Int? = nil) {
        self.name = name; self.kind = kind; self.before = before; self.after = after; self.tiles = tiles
        self.severities = severities; self.pixelAreaM2 = pixelAreaM2; self.alert = alert; self.rule = rule
        self.quicklook = quicklook; self.iou = iou; self.place = place; self.centroid = centroid
        self.polygonHectares = polygonHectares; self.polygonCount = polygonCount
    }
    /// Hectares of one severity row.
    public func hectares(_ s: Severity) -> Double { Double(s.pixels) * pixelAreaM2 / 10_000 }
    /// Hectares of every severity (the affected area the alert is raised on).
    public var affectedHectares: Double { severities.reduce(0.0) { $0 + hectares($1) } }
    /// How the alert's hectares relate to affected.geojson: equal, the difference and why, or that the job was not
    /// vectorised.
    public var polygonNote: String {
        guard let ph = polygonHectares else { return "not vectorised (vectorize: false): no polygons in affected.geojson" }
        let d = affectedHectares - ph
        if abs(d) < 0.005 { return "equals the \(polygonCount ?? 0) polygon(s) of affected.geojson" }
        return "affected.geojson holds \(ReportNumber.ha(ph)) ha in \(polygonCount ?? 0) polygon(s); \(ReportNumber.ha(abs(d))) ha "
            + (d > 0 ? "of affected pixels are in no polygon (regions of one class smaller than min_area_m2 are not vectorised)"
                     : "more in polygons than in the class map")
    }
    /// `lat, lon` of the centroid with 5 decimals, or empty.
    public var centroidText: String {
        centroid.map { "\(ReportNumber.fixed($0[1], 5)), \(ReportNumber.fixed($0[0], 5))" } ?? ""
    }
}

/// Statistics of one region (township, village, parcel).
public struct RegionEntry: Codable, Sendable, Equatable {
    /// `region · date` (the row label).
    public var name: String
    /// Hectares per class code (fractional coverage at edges).
    public var classHectares: [String: Double]
    /// Mean of each index inside the region.
    public var indexMeans: [String: Double]
    /// The region's name (a place of kind `region`), when known.
    public var region: String?
    /// The acquisition date the figures are of (`no date` for undated tiles).
    public var date: String?
    /// Affected hectares inside the region per disaster job (`flood`, `burn` …) whose after-date is `date`.
    public var affectedHectares: [String: Double]
    /// A region entry from its parts.
    public init(name: String, classHectares: [String: Double], indexMeans: [String: Double], region: String? = nil,
                date: String? = nil, affectedHectares: [String: Double] = [:]) {
        self.name = name; self.classHectares = classHectares; self.indexMeans = indexMeans
        self.region = region; self.date = date; self.affectedHectares = affectedHectares
    }
}

/// Accuracy of a classification against ground truth (the report's view of an Analysis `ConfusionMatrix`).
public struct AccuracyEntry: Codable, Sendable, Equatable {
    /// Precision and recall of one class (nil where the class was never predicted / is absent from the truth).
    public struct PerClass: Codable, Sendable, Equatable {
        public var code: Int
        public var precision: Double?
        public var recall: Double?
        /// Per-class figures from their parts.
        public init(code: Int, precision: Double?, recall: Double?) { self.code = code; self.precision = precision; self.recall = recall }
    }
    public var tile: String
    public var overall: Double
    public var kappa: Double
    public var perClass: [PerClass]
    /// An accuracy entry from its parts.
    public init(tile: String, overall: Double, kappa: Double, perClass: [PerClass]) {
        self.tile = tile; self.overall = overall; self.kappa = kappa; self.perClass = perClass
    }
    /// The entry of a confusion matrix (classes neither in the truth nor predicted are left out).
    public init(tile: String, matrix m: ConfusionMatrix) {
        self.init(tile: tile, overall: m.overallAccuracy ?? 0, kappa: m.kappa ?? 0,
                  perClass: m.perClass.filter { $0.truthPixels > 0 || $0.predictedPixels > 0 }.map {
                      PerClass(code: Int($0.code), precision: $0.precision, recall: $0.recall)
                  })
    }
}
