import Foundation
public import RasterCore
public import Analysis
public import Products

/// The outcome of a run (or of a merge), written as `run.json` in the output folder.
///
/// Per-index totals are merged from per-tile accumulators in tile-id order, so a sharded run plus `merge`
/// gives the same numbers as one unsharded run. Run times live here and in the catalog, never inside rasters.
public struct RunSummary: Sendable, Codable, Equatable {
    /// Tool version.
    public var toolVersion: String
    /// Config fingerprint.
    public var configHash: String
    /// `I/N`.
    public var shard: String
    /// Tiles in this shard.
    public var total: Int
    /// Tiles computed by this run.
    public var done: Int
    /// Tiles skipped (already done with the same inputs, config and version).
    public var skipped: Int
    /// Tiles failed.
    public var failed: Int
    /// Failures, by tile id (the same entries the reports list).
    public var failures: [FailureEntry]
    /// Warnings of done tiles (`id: skipped indices: …`), by tile id.
    public var warnings: [String]
    /// Per-index statistics over every done tile of the output folder (the merged `TileResult` accumulators).
    public var indices: [String: BandStatistics]
    /// Output files recorded in the catalog.
    public var outputCount: Int
    /// Start (ISO 8601 UTC).
    public var startedAt: String
    /// End (ISO 8601 UTC).
    public var finishedAt: String
    /// Wall time in seconds.
    public var wallSeconds: Double

    /// The exit status of design.md §5 for a run that started: 0 all done, 1 some tiles failed.
    public var exitCode: Int32 { failed > 0 ? 1 : 0 }

    /// Warnings of done tiles, one line per distinct cause (`cause (N tiles: first … last)`), sorted: a sensor that
    /// lacks bands for some indices gives one line, not one per tile.
    public static func groupedWarnings(_ rows: [TileRecord]) -> [String] {
        var byCause: [String: [String]] = [:]
        for r in rows where r.status == .done { if let c = r.cause { byCause[c, default: []].append(r.id) } }
        return byCause.keys.sorted().map { c in
            let ids = byCause[c]!.sorted()
            let list = ids.count == 1 ? ids[0] : "\(ids.count) tiles: \(ids.first!) … \(ids.last!)"
            return "\(c) (\(list))"
        }
    }

    /// Statistics per index over the done rows, from their results merged in tile-id order.
    public static func totals(_ tiles: [TileRecord]) -> [String: BandStatistics] {
        let done = tiles.filter { $0.status == .done }.sorted { Array($0.id.utf8).lexicographicallyPrecedes(Array($1.id.utf8)) }
        return (TileResult.merged(done.compactMap(\.result))?.indices ?? [:]).mapValues(\.result)
    }

    /// Pretty JSON with sorted keys.
    public var json: String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .prettyPrinted]
        return String(decoding: (try? enc.encode(self)) ?? Data(), as: UTF8.self) + "\n"
    }

    /// The human summary for stderr.
    public var text: String {
        var s = "tilepipe: shard \(shard): \(total) tile(s): \(done) done, \(skipped) skipped, \(failed) failed"
        s += String(format: " in %.1f s; %d output file(s)\n", wallSeconds, outputCount)
        for w in warnings { s += "tilepipe: warning: \(w)".escapingControlCharacters + "\n" }
        for f in failures { s += "tilepipe: failed: \(f.path): \(f.stage): \(f.cause) [\(f.kind.rawValue)]".escapingControlCharacters + "\n" }
        return s
    }
}
