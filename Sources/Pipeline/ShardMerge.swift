import Foundation
import RasterIO
import Products
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
    /// What the shard folders hold, gathered and checked before anything is written.
    struct Gathered {
        var chosen: [String: (tile: TileRecord, outputs: [OutputRecord], dir: String)] = [:]
        var failedOnly: [String: TileRecord] = [:]
        var pairs: [String: PairResult] = [:]
        var pairDirs: [String: String] = [:]
        var meta: [String: String] = [:]
        var configHashes = Set<String>()
        var versions = Set<String>()
    }

    /// Merges `shards` into `output`. Returns the merged summary (also written to `output/run.json`).
    /// - Throws: `PipelineError.merge` naming the folder/tile and the cause.
    public static func merge(shards: [String], output: String, toolVersion: String) throws -> RunSummary {
        let started = Date()
        guard !shards.isEmpty else { throw PipelineError.merge(path: output, reason: "no shard folders given") }
        do { try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true) } catch {
            throw PipelineError.outputUnwritable(path: output, reason: error.localizedDescription)
        }
        var claims = [try OutputClaim.acquire(output, mode: .exclusive, command: "merge")]   // shards: shared, in gather
        defer { claims.forEach { $0.release() } }
        PipelineRunner.removeStaleTemporaries(in: output)
        var g = Gathered()
        for dir in shards { try gather(dir, output: output, into: &g, claims: &claims) }
        guard g.configHashes.count <= 1 else {
            throw PipelineError.merge(path: shards.joined(separator: " "), reason: "shards were run with different configs (\(g.configHashes.sorted().joined(separator: ", ")))")
        }
        guard g.versions.count <= 1 else {
            throw PipelineError.merge(path: shards.joined(separator: " "), reason: "shards were run by different tool versions (\(g.versions.sorted().joined(separator: ", ")))")
        }
        let merged = try RunCatalog(directory: output)
        let runId = try merged.beginRun(toolVersion: toolVersion, configHash: g.configHashes.first ?? "", shard: "merge",
                                        total: g.chosen.count + g.failedOnly.count)
        try write(g, to: merged, output: output, runId: runId)
        try RunProducts.write(directory: output)
        try merged.finishRun(runId, done: g.chosen.count, skipped: 0, failed: g.failedOnly.count)
        let iso = ISO8601DateFormatter()
        let summary = RunSummary(toolVersion: g.versions.first ?? toolVersion, configHash: g.configHashes.first ?? "",
                                 shard: "merge of \(shards.count)", total: g.chosen.count + g.failedOnly.count, done: g.chosen.count,
                                 skipped: 0, failed: g.failedOnly.count, failures: g.failedOnly.keys.sorted().compactMap { g.failedOnly[$0]!.failure },
                                 warnings: RunSummary.groupedWarnings(try merged.allTiles()),
                                 indices: RunSummary.totals(try merged.allTiles()), outputCount: try merged.allOutputs().count,
                                 startedAt: iso.string(from: started), finishedAt: iso.string(from: Date()),
                                 wallSeconds: Date().timeIntervalSince(started))
        try AtomicFile.write(text: summary.json, to: (output as NSString).appendingPathComponent("run.json"))
        return summary
    }

    /// Reads one shard folder into `g`: its facts, its pairs and its tiles, every output checked against its hash.
    static func gather(_ dir: String, output: String, into g: inout Gathered, claims: inout [OutputClaim]) throws {
        let dbPath = (dir as NSString).appendingPathComponent(RunCatalog.fileName)
        guard FileManager.default.fileExists(atPath: dbPath) else { throw PipelineError.merge(path: dir, reason: "no \(RunCatalog.fileName) (not a run output folder)") }
        guard (dir as NSString).standardizingPath != (output as NSString).standardizingPath else {
            throw PipelineError.merge(path: dir, reason: "a shard folder cannot also be the merge output")
        }
        claims.append(try OutputClaim.acquire(dir, mode: .shared, command: "merge", create: false))
        try CatalogIntegrity.verify(directory: dir)   // a row that does not decode stops the merge (exit 2)
        let catalog = try RunCatalog(directory: dir)
        for (k, v) in try catalog.meta() where g.meta[k] == nil { g.meta[k] = v }
        for p in try catalog.allPairs() {
            if let prior = g.pairs[p.id], prior.outputs.map(\.hash) != p.outputs.map(\.hash) {
                throw PipelineError.merge(path: dir, reason: "pair \(p.id) was computed in \(g.pairDirs[p.id]!) too, with different outputs")
            }
            try requireIntact(p.outputs, in: dir, of: "pair \(p.id)")
            if g.pairs[p.id] == nil { g.pairs[p.id] = p; g.pairDirs[p.id] = dir }
        }
        for t in try catalog.allTiles() {
            g.configHashes.insert(t.configHash)
            g.versions.insert(t.toolVersion)
            if t.status != .done { if g.chosen[t.id] == nil { g.failedOnly[t.id] = t }; continue }
            let outs = try catalog.outputs(tile: t.id)
            try requireIntact(outs, in: dir, of: "tile \(t.id)")
            if let prior = g.chosen[t.id] {
                guard prior.outputs.map(\.hash) == outs.map(\.hash), prior.tile.inputHash == t.inputHash else {
                    throw PipelineError.merge(path: dir, reason: "tile \(t.id) is done in \(prior.dir) too, with different inputs or outputs")
                }
                continue
            }
            g.chosen[t.id] = (t, outs, dir)
            g.failedOnly[t.id] = nil
        }
    }

    /// Throws naming the first output of `owner` that is missing or does not match its recorded hash.
    static func requireIntact(_ outputs: [OutputRecord], in dir: String, of owner: String) throws {
        for o in outputs {
            let full = try CatalogPaths.resolve(o.path, in: dir)
            guard Fingerprint.file(full) == o.hash else {
                throw PipelineError.merge(path: full, reason: "output of \(owner) is missing or does not match its recorded hash")
            }
        }
    }

    /// Copies the gathered outputs into `output` and records tiles, pairs and facts in the merged catalog.
    static func write(_ g: Gathered, to merged: RunCatalog, output: String, runId: Int64) throws {
        func copy(_ outputs: [OutputRecord], from dir: String) throws {
            for o in outputs {
                let dst = (output as NSString).appendingPathComponent(o.path)
                if Fingerprint.file(dst) == o.hash { continue }
                try copyAtomically((dir as NSString).appendingPathComponent(o.path), to: dst)
            }
        }
        for id in g.chosen.keys.sorted() {
            let c = g.chosen[id]!
            try copy(c.outputs, from: c.dir)
            try merged.record(c.tile, outputs: c.outputs, runId: runId)
        }
        for id in g.failedOnly.keys.sorted() { try merged.record(g.failedOnly[id]!, outputs: [], runId: runId) }
        for id in g.pairs.keys.sorted() { try copy(g.pairs[id]!.outputs, from: g.pairDirs[id]!) }
        try merged.replacePairs(g.pairs.keys.sorted().map { g.pairs[$0]! })
        try merged.setMeta(g.meta)
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
