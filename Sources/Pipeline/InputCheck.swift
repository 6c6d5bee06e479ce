import Foundation
public import Logging
import GroundStation

/// What a run tells the user about its inputs before processing: each tile's acquisition date and where it came
/// from, and, when nothing usable was found, every file it ignored with the reason.
public enum InputCheck {
    /// Logs each tile's date and date source (`AcquisitionDate`): at `notice` for plain rasters (dates guessed from
    /// names or metadata deserve a look), at `info` for manifests; an undated plain raster is a `notice` too,
    /// since two-date jobs cannot pair it.
    public static func logDates(_ tiles: [TileSource], logger: Logger) {
        for t in tiles {
            guard let d = t.input.dateSource else {
                if case .loose = t.input.source {
                    logger.notice("tile has no acquisition date (no manifest, metadata, date token in its name, or inputs[].date)",
                                  metadata: ["tile_id": "\(t.id)", "path": "\(t.path)"])
                }
                continue
            }
            let day = ISO8601DateFormatter.string(from: d.date, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
            let meta: Logger.Metadata = ["tile_id": "\(t.id)", "date": "\(day)", "date_source": "\(d.source.rawValue)",
                                         "evidence": "\(d.evidence)", "role": "\(t.input.role ?? "")"]
            if d.source == .manifest { logger.info("tile date", metadata: meta) } else { logger.notice("tile date", metadata: meta) }
        }
    }

    /// Throws `PipelineError.inputUnreadable` (exit 2) when the inputs hold no usable tile, listing every file
    /// that was ignored or rejected with its reason. Only for whole runs: a shard may legitimately be empty.
    public static func requireTiles(_ plan: RunPlan, inputs: [InputSpec], excluding: String) throws {
        guard plan.tiles.isEmpty, plan.shard.count == 1 else { return }
        let outside = URL(fileURLWithPath: excluding).standardizedFileURL.path + "/"
        var lines: [String] = []
        for spec in inputs {
            guard let found = try? TileDiscovery.scan(path: spec.path, bandMap: spec.bands, date: spec.date, role: spec.role) else { continue }
            for (p, r) in found.rejects + found.ignored where !URL(fileURLWithPath: p).standardizedFileURL.path.hasPrefix(outside) {
                lines.append("  \(p): \(r)")
            }
        }
        let paths = inputs.map(\.path).joined(separator: ", ")
        let list = lines.isEmpty ? " (the input holds no files)" : "; ignored files:\n" + lines.sorted().joined(separator: "\n")
        throw PipelineError.inputUnreadable(path: paths, reason: "no usable tile (GeoTIFF, PNG with world file, or scene folder with a manifest)\(list)")
    }
}
