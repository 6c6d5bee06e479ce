import Foundation
import RasterIO
#if canImport(Glibc)
import Glibc
#endif

/// `tilepipe merge DIR... --output DIR`: combines shard output folders into one run.
///
/// Every done tile of every shard catalog is checked (each output file must exist and match its recorded hash),
/// copied (hard-linked when on the same file system) to the same relative path under the output folder, and
/// recorded in the merged catalog. Shards must share one config hash and tool version. A tile done in two shards
/// must have identical outputs, else the merge fails naming the tile. A tile failed in one shard and done in another
/// is taken as done. `run.json` is rebuilt from the merged per-tile statistics in tile-id order.
public enum ShardMerge {
    /// Merges `shards` into `output`. Returns the merged summary (also written to `output/run.json`).
    /// - Throws: `PipelineError.merge` naming the folder/tile and the cause.
    public static func merge(shards: [String], output: String, toolVersion: String) throws -> RunSummary {
        let started = Date()
        let fm = FileManager.default
        guard !shards.isEmpty else { throw PipelineError.merge(path: output, reason: "no shard folders given") }
        do { try fm.createDirectory(atPath: output, withIntermediateDirectories: true) } catch {
            throw PipelineError.outputUnwritable(path: output, reason: error.localizedDescription)
        }
        var claims = [try OutputClaim.acquire(output, mode: .exclusive, command: "merge")]   // shards: shared, below
        defer { claims.forEach { $0.release() } }
        PipelineRunner.removeStaleTemporaries(in: output)
        var chosen: [String: (tile: TileRecord, outputs: [OutputRecord], dir: String)] = [:]
        var failedOnly: [String: TileRecord] = [:]
        var pairs: [String: PairResult] = [:]
        var pairDirs: [String: String] = [:]
        var meta: [String: String] = [:]
        var configHashes = Set<String>()
        var versions = Set<String>()
        for dir in shards {
            let dbPath = (dir as NSString).appendingPathComponent(RunCatalog.fileName)
            guard fm.fileExists(atPath: dbPath) else { throw PipelineError.merge(path: dir, reason: "no \(RunCatalog.fileName) (not a run output folder)") }
            guard (dir as NSString).standardizingPath != (output as NSString).standardizingPath else {
                throw PipelineError.merge(path: dir, reason: "a shard folder cannot also be the merge output")
            }
            claims.append(try OutputClaim.acquire(dir, mode: .shared, command: "merge", create: false))
            try CatalogIntegrity.verify(directory: dir)   // a row that does not decode stops the merge (exit 2)
            let catalog = try RunCatalog(directory: dir)
            for (k, v) in try catalog.meta() where meta[k] == nil { meta[k] = v }
            for p in try catalog.allPairs() {
                if let prior = pairs[p.id], prior.outputs.map(\.hash) != p.outputs.map(\.hash) {
                    throw PipelineError.merge(path: dir, reason: "pair \(p.id) was computed in \(pairDirs[p.id]!) too, with different outputs")
                }
                for o in p.outputs where Fingerprint.file(try CatalogPaths.resolve(o.path, in: dir)) != o.hash {
                    throw PipelineError.merge(path: (dir as NSString).appendingPathComponent(o.path), reason: "output of pair \(p.id) is missing or does not match its recorded hash")
                }
                if pairs[p.id] == nil { pairs[p.id] = p; pairDirs[p.id] = dir }
            }
            for t in try catalog.allTiles() {
                configHashes.insert(t.configHash)
                versions.insert(t.toolVersion)
                if t.status != "done" { if chosen[t.id] == nil { failedOnly[t.id] = t }; continue }
                let outs = try catalog.outputs(tile: t.id)
                for o in outs {
                    let full = try CatalogPaths.resolve(o.path, in: dir)
                    guard Fingerprint.file(full) == o.hash else {
                        throw PipelineError.merge(path: full, reason: "output of tile \(t.id) is missing or does not match its recorded hash")
                    }
                }
                if let prior = chosen[t.id] {
                    guard prior.outputs.map(\.hash) == outs.map(\.hash), prior.tile.inputHash == t.inputHash else {
                        throw PipelineError.merge(path: dir, reason: "tile \(t.id) is done in \(prior.dir) too, with different inputs or outputs")
                    }
                    continue
                }
                chosen[t.id] = (t, outs, dir)
                failedOnly[t.id] = nil
            }
        }
        guard configHashes.count <= 1 else {
            throw PipelineError.merge(path: shards.joined(separator: " "), reason: "shards were run with different configs (\(configHashes.sorted().joined(separator: ", ")))")
        }
        guard versions.count <= 1 else {
            throw PipelineError.merge(path: shards.joined(separator: " "), reason: "shards were run by different tool versions (\(versions.sorted().joined(separator: ", ")))")
        }
        let merged = try RunCatalog(directory: output)
        let runId = try merged.beginRun(toolVersion: toolVersion, configHash: configHashes.first ?? "", shard: "merge", total: chosen.count + failedOnly.count)
        for id in chosen.keys.sorted() {
            let c = chosen[id]!
            for o in c.outputs {
                let src = (c.dir as NSString).appendingPathComponent(o.path)
                let dst = (output as NSString).appendingPathComponent(o.path)
                if Fingerprint.file(dst) == o.hash { continue }
                try copyAtomically(src, to: dst)
            }
            try merged.record(c.tile, outputs: c.outputs, runId: runId)
        }
        for id in failedOnly.keys.sorted() { try merged.record(failedOnly[id]!, outputs: [], runId: runId) }
        for id in pairs.keys.sorted() {
            for o in pairs[id]!.outputs {
                let dst = (output as NSString).appendingPathComponent(o.path)
                if Fingerprint.file(dst) == o.hash { continue }
                try copyAtomically((pairDirs[id]! as NSString).appendingPathComponent(o.path), to: dst)
            }
        }
        try merged.replacePairs(pairs.keys.sorted().map { pairs[$0]! })
        for (k, v) in meta { try merged.setMeta(k, v) }
        try RunProducts.write(directory: output)
        try merged.finishRun(runId, done: chosen.count, skipped: 0, failed: failedOnly.count)
        let rows = try merged.allTiles()
        let failures = failedOnly.keys.sorted().map { id -> RunSummary.Failure in
            let t = failedOnly[id]!
            return .init(tile: id, path: t.path, stage: t.failedStage ?? "", cause: t.cause ?? "", kind: t.kind ?? "")
        }
        let iso = ISO8601DateFormatter()
        let summary = RunSummary(toolVersion: versions.first ?? toolVersion, configHash: configHashes.first ?? "", shard: "merge of \(shards.count)",
                                 total: chosen.count + failedOnly.count, done: chosen.count, skipped: 0, failed: failedOnly.count,
                                 failures: failures,
                                 warnings: RunSummary.groupedWarnings(rows),
                                 indices: RunSummary.totals(rows), outputCount: try merged.allOutputs().count,
                                 startedAt: iso.string(from: started), finishedAt: iso.string(from: Date()),
                                 wallSeconds: Date().timeIntervalSince(started))
        try AtomicFile.write(text: summary.json, to: (output as NSString).appendingPathComponent("run.json"))
        return summary
    }

    /// Hard-links `src` to a temporary next to `dst` (or copies it), fsyncs and renames it into place.
    static func copyAtomically(_ src: String, to dst: String) throws {
        let dir = (dst as NSString).deletingLastPathComponent
        do {
            try OutputTree.createDirectory(atPath: dir)
            try AtomicFile.write(to: dst) { tmp in
                if link(src, tmp) != 0 { try FileManager.default.copyItem(atPath: src, toPath: tmp) }
            }
        } catch {
            throw PipelineError.merge(path: dst, reason: "cannot copy from \(src): \(error)")
        }
    }
}
