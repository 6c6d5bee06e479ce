import Foundation

/// What `run --dry-run` prints: the tiles, the stages, the outputs and the estimated peak memory.
public struct RunPlan: Sendable {
    /// Tiles of this shard, in canonical order.
    public var tiles: [TileSource]
    /// Files discovery could not use (in this shard); they are recorded as failed tiles.
    public var rejects: [DiscoveryReject]
    /// Stage names in order.
    public var stages: [String]
    /// Relative output paths per tile.
    public var outputs: [String: [String]]
    /// Estimated peak memory in bytes: `maxInFlight × per-tile bytes` plus a fixed base.
    public var estimatedPeakBytes: Int
    /// Tiles in flight.
    public var maxInFlight: Int
    /// Shard.
    public var shard: ShardSpec
    /// Output folder.
    public var outputDirectory: String

    /// Per-tile working set: the needed bands as Float32 and every index plane as Float32, plus the compressed
    /// write buffer (about one plane), for the largest tile (pixels estimated from the file's header when readable,
    /// else from its size assuming 16-bit samples over `bandCount` bands).
    public static func perTileBytes(pixels: Int, neededBands: Int, indices: Int) -> Int {
        pixels * 4 * (neededBands + indices + 1)
    }

    /// The plan as text.
    public var text: String {
        var s = "plan: \(tiles.count) tile(s) in shard \(shard) → \(outputDirectory)\n"
        s += "stages: \(stages.joined(separator: " → "))\n"
        s += "max in flight: \(maxInFlight); estimated peak memory: \(String(format: "%.1f", Double(estimatedPeakBytes) / 1_048_576)) MiB\n"
        for t in tiles {
            s += "  \(t.id)  \(t.path)\n"
            for o in outputs[t.id] ?? [] { s += "      → \(o)\n" }
        }
        for r in rejects { s += "  rejected: \(r.path): \(r.reason)\n" }
        return s
    }
}
