import Foundation
import Logging
import Products

/// What recording a finished tile needs during a run: the catalog and run id, the hashes that make a row
/// resumable, the logger and the progress display. Shared by the executor's completion callbacks.
struct RecordContext: Sendable {
    let catalog: RunCatalog
    let runId: Int64
    let configHash: String
    let version: String
    let inputHashes: [String: String]
    let logger: Logger
    let progress: ProgressReporter

    /// Records the files discovery rejected as failed tiles of stage `discover` (retried on the next run like any
    /// failure). Returns their failure entries.
    func recordRejects(_ rejects: [DiscoveryReject]) throws -> [FailureEntry] {
        try rejects.map { r in
            let cause = r.reason.contains(r.path) ? r.reason : "\(r.path): \(r.reason)"
            let f = TileFailure(tileId: r.id, path: r.path, stage: .discover, cause: cause, kind: .corrupt)
            try catalog.record(TileRecord(failure: f, inputHash: Fingerprint.input([r.path]) ?? "unreadable", configHash: configHash,
                                          toolVersion: version), outputs: [], runId: runId)
            logger.error("tile failed", metadata: ["tile_id": "\(r.id)", "path": "\(r.path)", "stage": "discover", "kind": "corrupt",
                                                   "error": "\(r.reason)"])
            progress.tileFinished(ok: false, pixels: 0)
            return f.entry
        }
    }

    /// Records one tile the executor finished: its result and outputs when done, its failure otherwise.
    func record(_ tile: TileSource, _ result: Result<IndexJob.Products, TileFailure>) throws {
        let h = inputHashes[tile.id] ?? ""
        switch result {
        case .success(let p):
            try catalog.record(TileRecord(id: tile.id, path: tile.path, status: .done, inputHash: h, configHash: configHash,
                                          toolVersion: version, cause: p.warning, result: p.result),
                               outputs: p.outputs, runId: runId)
            logger.info("tile done", metadata: ["tile_id": "\(tile.id)", "outputs": "\(p.outputs.count)"])
            progress.tileFinished(ok: true, pixels: p.result.pixels)
        case .failure(let f):
            try catalog.record(TileRecord(failure: f, inputHash: h, configHash: configHash, toolVersion: version), outputs: [], runId: runId)
            logger.error("tile failed", metadata: ["tile_id": "\(tile.id)", "path": "\(tile.path)", "stage": "\(f.stage.rawValue)",
                                                   "kind": "\(f.kind.rawValue)", "error": "\(f.cause)"])
            progress.tileFinished(ok: false, pixels: 0)
        }
    }
}
