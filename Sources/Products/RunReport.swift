import Foundation
public import RasterCore

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
    /// Accuracy against ground truth, where it exists.
    public var accuracy: [AccuracyEntry]
    /// Relative links to companion products (STAC collection, affected.geojson).
    public var links: [String: String]

    /// A report from its parts.
    public init(run: RunInfo, classes: [ClassInfo] = [], tiles: [TileEntry] = [], failures: [FailureEntry] = [],
                changes: [ChangeEntry] = [], disasters: [DisasterEntry] = [], regions: [RegionEntry] = [],
                accuracy: [AccuracyEntry] = [], links: [String: String] = [:]) {
        self.run = run
        self.classes = classes
        self.tiles = tiles.sorted { $0.id < $1.id }
        self.failures = failures.sorted { ($0.path, $0.stage) < ($1.path, $1.stage) }
        self.changes = changes
        self.disasters = disasters
        self.regions = regions.sorted { $0.name < $1.name }
        self.accuracy = accuracy.sorted { $0.tile < $1.tile }
        self.links = links
    }
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

/// Mergeable statistics of one index over one tile: counts and sums, never means.
public struct IndexSums: Codable, Sendable, Equatable {
    public var count: Int
    public var sum: Double
    public var sumOfSquares: Double
    public var minimum: Double
    public var maximum: Double
    /// Sums from their parts.
    public init(count: Int = 0, sum: Double = 0, sumOfSquares: Double = 0, minimum: Double = .infinity, maximum: Double = -.infinity) {
        self.count = count; self.sum = sum; self.sumOfSquares = sumOfSquares; self.minimum = minimum; self.maximum = maximum
    }
    /// The sums of the values a statistics accumulator has seen (its valid samples): sum = n·mean and
    /// sum of squares = M2 + n·mean², so one pass over a plane serves both the COG statistics and the report.
    public init(_ statistics: BandStatistics.Accumulator) {
        let n = Double(statistics.count)
        self.init(count: statistics.count, sum: n * statistics.mean,
                  sumOfSquares: statistics.m2 + n * statistics.mean * statistics.mean,
                  minimum: statistics.count > 0 ? statistics.minimum : .infinity,
                  maximum: statistics.count > 0 ? statistics.maximum : -.infinity)
    }
    /// Adds one value.
    public mutating func add(_ v: Double) {
        count += 1; sum += v; sumOfSquares += v * v
        minimum = min(minimum, v); maximum = max(maximum, v)
    }
    /// Combines two partials exactly (counts and sums add).
    public mutating func merge(_ o: IndexSums) {
        count += o.count; sum += o.sum; sumOfSquares += o.sumOfSquares
        minimum = min(minimum, o.minimum); maximum = max(maximum, o.maximum)
    }
    /// Mean of the values, or nil when there are none.
    public var mean: Double? { count > 0 ? sum / Double(count) : nil }

    // Infinite extremes of an empty partial are encoded as null.
    enum CodingKeys: String, CodingKey { case count, sum, sumOfSquares, minimum, maximum }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        count = try c.decode(Int.self, forKey: .count)
        sum = try c.decode(Double.self, forKey: .sum)
        sumOfSquares = try c.decode(Double.self, forKey: .sumOfSquares)
        minimum = try c.decodeIfPresent(Double.self, forKey: .minimum) ?? .infinity
        maximum = try c.decodeIfPresent(Double.self, forKey: .maximum) ?? -.infinity
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(count, forKey: .count)
        try c.encode(sum, forKey: .sum)
        try c.encode(sumOfSquares, forKey: .sumOfSquares)
        if minimum.isFinite { try c.encode(minimum, forKey: .minimum) }
        if maximum.isFinite { try c.encode(maximum, forKey: .maximum) }
    }
}

/// One tile of the run.
public struct TileEntry: Codable, Sendable, Equatable {
    /// `done`, `skipped` (unchanged since a previous run) or `failed`.
    public enum Status: String, Codable, Sendable { case done, skipped, failed }
    public var id: String
    public var status: Status
    /// Acquisition date (`YYYY-MM-DD`), when known.
    public var date: String?
    public var satellite: String?
    /// Ground area of one pixel in m².
    public var pixelAreaM2: Double
    /// Pixels per class code (the land-use map), counted over the whole tile.
    public var classPixels: [String: Int]
    /// Index partial statistics by index name.
    public var indices: [String: IndexSums]
    /// Output files, relative to the run folder.
    public var outputs: [String]
    /// The tile's quicklook, relative to the run folder.
    public var quicklook: String?
    /// A tile entry from its parts (class codes as decimal strings, for JSON keys).
    public init(id: String, status: Status, date: String? = nil, satellite: String? = nil, pixelAreaM2: Double,
                classPixels: [String: Int] = [:], indices: [String: IndexSums] = [:], outputs: [String] = [],
                quicklook: String? = nil) {
        self.id = id; self.status = status; self.date = date; self.satellite = satellite; self.pixelAreaM2 = pixelAreaM2
        self.classPixels = classPixels; self.indices = indices; self.outputs = outputs; self.quicklook = quicklook
    }
    /// Hectares of class `code` on this tile.
    public func hectares(ofClass code: Int) -> Double { Double(classPixels[String(code)] ?? 0) * pixelAreaM2 / 10_000 }
}

/// A failed tile or file.
public struct FailureEntry: Codable, Sendable, Equatable {
    public var path: String
    public var stage: String
    public var cause: String
    /// `corrupt`, `io` (may succeed on retry), `config`, `unsupported`, ...
    public var kind: String
    /// A failure from its parts.
    public init(path: String, stage: String, cause: String, kind: String) {
        self.path = path; self.stage = stage; self.cause = cause; self.kind = kind
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
    /// A change entry from its parts.
    public init(fromDate: String, toDate: String, tiles: [String], classes: [Int], pixels: [[Int]], pixelAreaM2: Double) {
        self.fromDate = fromDate; self.toDate = toDate; self.tiles = tiles; self.classes = classes; self.pixels = pixels
        self.pixelAreaM2 = pixelAreaM2
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
    /// A disaster entry from its parts.
    public init(name: String, kind: String, before: String, after: String, tiles: [String], severities: [Severity],
                pixelAreaM2: Double, alert: String, rule: String, quicklook: String? = nil, iou: Double? = nil) {
        self.name = name; self.kind = kind; self.before = before; self.after = after; self.tiles = tiles
        self.severities = severities; self.pixelAreaM2 = pixelAreaM2; self.alert = alert; self.rule = rule
        self.quicklook = quicklook; self.iou = iou
    }
    /// Hectares of one severity row.
    public func hectares(_ s: Severity) -> Double { Double(s.pixels) * pixelAreaM2 / 10_000 }
}

/// Statistics of one region (township, village, parcel).
public struct RegionEntry: Codable, Sendable, Equatable {
    public var name: String
    /// Hectares per class code (fractional coverage at edges).
    public var classHectares: [String: Double]
    /// Mean of each index inside the region.
    public var indexMeans: [String: Double]
    /// A region entry from its parts.
    public init(name: String, classHectares: [String: Double], indexMeans: [String: Double]) {
        self.name = name; self.classHectares = classHectares; self.indexMeans = indexMeans
    }
}

/// Accuracy of a classification against ground truth.
public struct AccuracyEntry: Codable, Sendable, Equatable {
    /// Precision and recall of one class.
    public struct PerClass: Codable, Sendable, Equatable {
        public var code: Int
        public var precision: Double
        public var recall: Double
        /// Per-class figures from their parts.
        public init(code: Int, precision: Double, recall: Double) { self.code = code; self.precision = precision; self.recall = recall }
    }
    public var tile: String
    public var overall: Double
    public var kappa: Double
    public var perClass: [PerClass]
    /// An accuracy entry from its parts.
    public init(tile: String, overall: Double, kappa: Double, perClass: [PerClass]) {
        self.tile = tile; self.overall = overall; self.kappa = kappa; self.perClass = perClass
    }
}
