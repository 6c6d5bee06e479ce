import Foundation
public import Products

/// What one done tile contributes to the reports, stored as JSON in the catalog (`tiles.results_json`).
///
/// Everything here is a partial sum (class pixel counts, index count/sum/sum of squares/min/max, confusion-matrix
/// counts), so the tiles of several shards add up to exactly the figures of one unsharded run.
public struct TileResults: Codable, Sendable, Equatable {
    /// Acquisition date `YYYY-MM-DD` (UTC), when known.
    public var date: String?
    /// Acquisition time, ISO 8601 (UTC), when known.
    public var datetime: String?
    /// Satellite name, when known.
    public var satellite: String?
    /// `inputs[].role` of the tile's input (`pre`/`post`), when set: two-date jobs take the latest `pre` and the
    /// earliest `post` tile of a pair group.
    public var role: String?
    /// Pixel area in square metres (|det| of the transform; 0 without a projected grid).
    public var pixelAreaM2: Double
    /// Width and height of the tile grid.
    public var width: Int, height: Int
    /// Class code (decimal) → pixel count of the land-use map.
    public var classPixels: [String: Int]
    /// Index name → partial sums of the valid samples.
    public var indices: [String: IndexSums]
    /// Accuracy against `truth-landcover.tif`, when the tile folder holds one.
    public var accuracy: TileAccuracy?
    /// Product key (`ndvi`, `landuse`) → quicklook path relative to the run folder.
    public var quicklooks: [String: String]
    /// The tile's STAC item, relative to the run folder.
    public var stacItem: String?
    /// The land-use class map, relative to the run folder.
    public var classMap: String?
    /// Index name → index COG, relative to the run folder.
    public var indexFiles: [String: String]
    /// Region name → coverage-weighted partial sums (configured `regions:` overlapping the tile).
    public var regions: [String: RegionSums]?

    /// Empty results of a `width × height` tile.
    public init(width: Int, height: Int, pixelAreaM2: Double) {
        self.width = width; self.height = height; self.pixelAreaM2 = pixelAreaM2
        classPixels = [:]; indices = [:]; quicklooks = [:]; indexFiles = [:]
    }
}

/// The confusion matrix of one tile's classification against its ground truth (counts, so tiles add up).
public struct TileAccuracy: Codable, Sendable, Equatable {
    /// Class codes in row/column order.
    public var classes: [Int]
    /// `counts[truth][predicted]`.
    public var counts: [[Int]]
    /// The truth file's name.
    public var truthFile: String

    /// Overall accuracy = trace / total (nil when empty).
    public var overall: Double? {
        let total = counts.reduce(0) { $0 + $1.reduce(0, +) }
        guard total > 0 else { return nil }
        return Double(classes.indices.reduce(0) { $0 + counts[$1][$1] }) / Double(total)
    }

    /// Cohen's kappa = (po − pe) / (1 − pe), pe = Σ rowᵢ·colᵢ / total² (nil when empty or pe = 1).
    public var kappa: Double? {
        let total = Double(counts.reduce(0) { $0 + $1.reduce(0, +) })
        guard total > 0, let po = overall else { return nil }
        var pe = 0.0
        for i in classes.indices {
            let row = Double(counts[i].reduce(0, +)), col = Double(counts.reduce(0) { $0 + $1[i] })
            pe += row * col
        }
        pe /= total * total
        return pe < 1 ? (po - pe) / (1 - pe) : nil
    }

    /// The report's entry: per-class precision = TP / predicted, recall = TP / truth (classes with neither are left out).
    public func entry(tile: String) -> AccuracyEntry {
        var per: [AccuracyEntry.PerClass] = []
        for (i, c) in classes.enumerated() {
            let truth = counts[i].reduce(0, +), predicted = counts.reduce(0) { $0 + $1[i] }
            guard truth > 0 || predicted > 0 else { continue }
            let tp = Double(counts[i][i])
            per.append(.init(code: c, precision: predicted > 0 ? tp / Double(predicted) : 0, recall: truth > 0 ? tp / Double(truth) : 0))
        }
        return AccuracyEntry(tile: tile, overall: overall ?? 0, kappa: kappa ?? 0, perClass: per)
    }

    /// Adds another matrix of the same classes.
    public mutating func merge(_ o: TileAccuracy) {
        for i in counts.indices { for j in counts[i].indices { counts[i][j] += o.counts[i][j] } }
    }
}

/// One region's partial sums on one tile (fractional coverage w ∈ [0, 1] per pixel): hectares per class
/// Σ w × pixel area, and per index Σ w·x and Σ w over finite x. Sums over tiles give the region's figures.
public struct RegionSums: Codable, Sendable, Equatable {
    /// Class code (decimal) → hectares.
    public var classHa: [String: Double] = [:]
    /// Index → Σ w·x.
    public var weightedSums: [String: Double] = [:]
    /// Index → Σ w.
    public var weights: [String: Double] = [:]

    /// Empty sums.
    public init() {}

    /// Adds another tile's sums.
    public mutating func merge(_ o: RegionSums) {
        for (k, v) in o.classHa { classHa[k, default: 0] += v }
        for (k, v) in o.weightedSums { weightedSums[k, default: 0] += v }
        for (k, v) in o.weights { weights[k, default: 0] += v }
    }

    /// Index means Σ w·x / Σ w (indices with Σ w = 0 left out).
    public var means: [String: Double] {
        var m: [String: Double] = [:]
        for (k, w) in weights where w > 0 { m[k] = (weightedSums[k] ?? 0) / w }
        return m
    }
}

/// JSON coding of catalog payloads: sorted keys, non-finite numbers as strings.
enum CatalogJSON {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try enc.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ json: String?) -> T? {
        guard let json, !json.isEmpty else { return nil }
        let dec = JSONDecoder()
        dec.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try? dec.decode(T.self, from: Data(json.utf8))
    }
}
