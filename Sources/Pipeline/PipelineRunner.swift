import Foundation
public import Logging
import RasterCore
import RasterIO
import Products
import Analysis
#if canImport(Glibc)
import Glibc
#endif

/// Settings of one `tilepipe run` that do not belong to the config file.
public struct RunOptions: Sendable {
    /// Compute width (nil: config, else active cores).
    public var jobs: Int?
    /// Tiles in flight (nil: config, else 2 × jobs, lowered by `execution.memory`).
    public var maxInFlight: Int?
    /// This process's share of the tiles.
    public var shard: ShardSpec
    /// Start over: delete the catalog, `tiles/` and `run.json` first.
    public var fresh: Bool
    /// Progress display.
    public var progress: ProgressReporter.Mode
    /// Tool version recorded in the catalog.
    public var toolVersion: String
    /// Process tiles in windows where they allow it (`IndexJob.windowed`); false reads every tile whole.
    public var windowed = true

    /// Options.
    public init(jobs: Int? = nil, maxInFlight: Int? = nil, shard: ShardSpec = .whole, fresh: Bool = false,
                progress: ProgressReporter.Mode = .never, toolVersion: String) {
        self.jobs = jobs; self.maxInFlight = maxInFlight; self.shard = shard; self.fresh = fresh
        self.progress = progress; self.toolVersion = toolVersion
    }
}

/// Builds and runs the default job (discover → load → indices → write → catalog) with resume and shards.
public enum PipelineRunner {
    /// A logger that discards everything (tests, library callers without logging).
    public static var silentLogger: Logger { Logger(label: "tilepipe") { _ in SwiftLogNoOpLogHandler() } }

    /// FNV-1a 64 of the canonical JSON of every config part that changes outputs (not paths, execution or logging).
    public static func configHash(_ c: PipelineConfig) -> String {
        struct Canonical: Encodable {
            var name: String?; var bands: [[String: Int]?]; var patterns: [String?]; var indices: [String]
            var calibration: CalibrationSpec?; var masks: MaskSpec?; var classification: ClassificationSpec?
            var monitor: [MonitorJobSpec]?; var cog: CogSpec?; var quicklooks: QuicklookSpec?; var stac: StacSpec?
            var report: ReportSpec?; var regions: String?
            var grid: GridSpec?; var outputCRS: String?   // absent when nil: hashes of configs without them are unchanged
            var rgb: Bool?   // present only when on: configs without it (or with false) keep their hash
        }
        let canon = Canonical(name: c.name, bands: c.inputs.map(\.bands), patterns: c.inputs.map(\.pattern), indices: c.indices,
                              calibration: c.calibration, masks: c.masks, classification: c.classification, monitor: c.monitor,
                              cog: c.outputs.cog, quicklooks: c.outputs.quicklooks, stac: c.outputs.stac, report: c.report,
                              regions: c.regions.map { (($0 as NSString).lastPathComponent) + ":" + (Fingerprint.input([$0]) ?? "") },
                              grid: c.grid, outputCRS: c.outputs.crs, rgb: c.outputs.rgb == true ? true : nil)
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        var h = Fingerprint.FNV1a()
        h.add(Array((try? enc.encode(canon)) ?? Data()))
        return h.hex
    }

    /// Lists this shard's tiles and what would be written, without writing anything.
    /// - Throws: `PipelineError.inputUnreadable` when an input folder cannot be listed.
    public static func plan(config: PipelineConfig, options: RunOptions) throws -> RunPlan {
        let found = try TileSourceDiscovery.discover(config.inputs, excluding: config.outputs.directory)
        let mine = found.tiles.filter { options.shard.contains($0.id) }
        let job = IndexJob(indices: config.indices, outputDirectory: config.outputs.directory, products: TileProductOptions.from(config))
        var outputs: [String: [String]] = [:]
        for t in mine { outputs[t.id] = job.expectedOutputs(tile: t.id) }
        // Per-tile working set from the largest tile's header.
        var perTile = 0
        if let biggest = mine.max(by: { $0.bytes < $1.bytes }),
           let tif = biggest.files.first(where: { ["tif", "tiff"].contains(($0 as NSString).pathExtension.lowercased()) }),
           let r = try? GeoTIFFReader(path: tif) {
            perTile = RunPlan.perTileBytes(pixels: r.description.width * r.description.height,
                                           neededBands: job.neededBands.count, indices: config.indices.count)
        }
        let exec = executorOptions(config: config, options: options, perTileBytes: perTile)
        return RunPlan(tiles: mine, rejects: found.rejects.filter { options.shard.contains($0.id) }, stages: ["discover", "ingest (\(job.neededBands.joined(separator: ",")))",
                                            "indices (\(config.indices.joined(separator: ",")))", "classify (\(config.classification?.scheme ?? "landuse"))",
                                            "write COG, class map, quicklooks, STAC item", "catalog",
                                            "pairs (change\((config.monitor ?? []).map { ", " + $0.kind }.joined()))", "collection, affected.geojson, reports"],
                       outputs: outputs, estimatedPeakBytes: exec.maxInFlight * perTile + (48 << 20),
                       maxInFlight: exec.maxInFlight, shard: options.shard, outputDirectory: config.outputs.directory)
    }

    /// Executor options: flags > config > defaults; `execution.memory` lowers max_in_flight to fit.
    static func executorOptions(config: PipelineConfig, options: RunOptions, perTileBytes: Int) -> TileExecutor.Options {
        let e = config.execution
        var o = TileExecutor.Options(jobs: options.jobs ?? e?.jobs, maxInFlight: options.maxInFlight ?? e?.maxInFlight,
                                     readers: e?.readers ?? 2, writers: e?.writers ?? 2)
        if options.maxInFlight == nil, let budget = e?.memory.flatMap(ByteSize.parse), perTileBytes > 0 {
            o.maxInFlight = max(1, min(o.maxInFlight, budget / perTileBytes))
        }
        return o
    }

    /// Runs the job: phase 1 tiles through the executor, phase 2 two-date pairs, phase 3 run-level products.
    /// Returns the summary (also written to `run.json`).
    /// - Throws: `PipelineError` when the run cannot start (unreadable input, unwritable output, catalog failure).
    public static func run(config: PipelineConfig, options: RunOptions, logger: Logger) throws -> RunSummary {
        let startedAt = Date()
        let out = config.outputs.directory
        let plan = try plan(config: config, options: options)
        try InputCheck.requireTiles(plan, inputs: config.inputs, excluding: out)
        let warming = warmProjection(for: plan.tiles.first)
        defer { warming.wait() }   // never left running: a run that fails early exits while PROJ would still be working
        InputCheck.logDates(plan.tiles, logger: logger)
        try createOutput(out)
        let claim = try OutputClaim.acquire(out, mode: .exclusive, command: "run")   // one writer; no links followed
        defer { claim.release() }
        clearOutput(out, fresh: options.fresh, logger: logger)
        let catalog = try RunCatalog(directory: out)
        try CatalogIntegrity.repair(directory: out, logger: logger)   // rows that do not decode are recomputed
        let configHash = configHash(config)
        let products = try productOptions(config)
        var job = IndexJob(indices: config.indices, outputDirectory: out, calibration: config.calibration, masks: config.masks, cog: config.outputs.cog,
                           toolVersion: options.toolVersion, configHash: configHash, products: products)
        job.referenceGrid = ReferenceGrid(config: config)
        job.windowed = options.windowed
        let resume = try resumeState(plan, configHash: configHash, version: options.toolVersion, catalog: catalog, directory: out)
        let exec = executorOptions(config: config, options: options, perTileBytes: plan.estimatedPeakBytes / max(1, plan.maxInFlight))
        let runId = try catalog.beginRun(toolVersion: options.toolVersion, configHash: configHash,
                                         shard: options.shard.description, total: plan.tiles.count + plan.rejects.count)
        logger.info("run started", metadata: ["shard": "\(options.shard)", "shard_source": "\(options.shard.source)",
                                              "tiles": "\(plan.tiles.count)", "todo": "\(resume.todo.count)", "skipped": "\(resume.skipped)",
                                              "jobs": "\(exec.jobs)", "max_in_flight": "\(exec.maxInFlight)", "config_hash": "\(configHash)"])
        let progress = ProgressReporter(total: plan.tiles.count + plan.rejects.count, mode: options.progress,
                                        label: options.shard.count > 1 ? "shard \(options.shard)" : "")
        progress.skip(resume.skipped)
        let ctx = RecordContext(catalog: catalog, runId: runId, configHash: configHash, version: options.toolVersion,
                                inputHashes: resume.inputHashes, logger: logger, progress: progress)
        var failures = try ctx.recordRejects(plan.rejects)
        let phase1 = executeTiles(resume.todo, job: job, executor: exec, context: ctx)
        progress.finish()
        try CatalogIntegrity.reconcile(directory: out, planned: Set(plan.tiles.map(\.id) + plan.rejects.map(\.id)), shard: options.shard, logger: logger)
        try RunInterruption.checkpoint(catalog: catalog, runId: runId, directory: out, finished: phase1.finished, of: resume.todo.count,
                                       skipped: resume.skipped)
        failures += phase1.failures
        failures.sort { Array($0.tile.utf8).lexicographicallyPrecedes(Array($1.tile.utf8)) }
        let planned = Set(plan.tiles.map(\.id) + plan.rejects.map(\.id))
        let rows = try catalog.allTiles().filter { planned.contains($0.id) }
        var warnings = RunSummary.groupedWarnings(rows)
        let pairs = try runPairs(config: config, rows: rows, job: job, executor: exec, context: ctx, warnings: &warnings)
        failures += pairs
        try catalog.setMeta(runMeta(config: config, products: products, configHash: configHash, options: options, startedAt: startedAt))
        do { try RunProducts.write(directory: out, catalog: catalog) } catch {
            failures.append(FailureEntry(path: out, stage: "report", cause: "\(error)", kind: .io))
            logger.error("reports failed", metadata: ["error": "\(error)"])
        }
        let iso = ISO8601DateFormatter()
        let summary = RunSummary(toolVersion: options.toolVersion, configHash: configHash, shard: options.shard.description,
                                 total: plan.tiles.count + plan.rejects.count, done: phase1.done, skipped: resume.skipped,
                                 failed: failures.count, failures: failures, warnings: warnings, indices: RunSummary.totals(rows),
                                 outputCount: try catalog.allOutputs().filter { planned.contains($0.tileId) }.count,
                                 startedAt: iso.string(from: startedAt), finishedAt: iso.string(from: Date()),
                                 wallSeconds: Date().timeIntervalSince(startedAt))
        try catalog.finishRun(runId, done: phase1.done, skipped: resume.skipped, failed: failures.count)
        try AtomicFile.write(text: summary.json, to: (out as NSString).appendingPathComponent("run.json"))
        logger.info("run finished", metadata: ["done": "\(phase1.done)", "skipped": "\(resume.skipped)", "failed": "\(failures.count)",
                                               "max_in_flight_observed": "\(phase1.observedMaxInFlight)"])
        return summary
    }

    /// Makes the WGS84 transform of `tile`'s CRS on another thread (kept by `CRSTransform.shared`) while this one
    /// opens the output folder and the catalog. Making it opens PROJ's database and searches it (about 8 ms), and the
    /// first tile needs it (footprint, sun geometry) before any of its windows can start: that was the last serial
    /// piece of a run's start. A tile whose header cannot be read, or a CRS PROJ refuses, is left to the tile itself
    /// (which reports it). The returned group ends when the attempt has; `run` waits for it before it returns or
    /// throws (a process that exits while the attempt runs tears PROJ down under it: a crash seen on a run refused
    /// for a planted link).
    static func warmProjection(for tile: TileSource?) -> DispatchGroup {
        let done = DispatchGroup()
        guard let tile else { return done }
        DispatchQueue.global(qos: .userInitiated).async(group: done) {
            guard let grid = try? tile.input.windowGrid(bands: nil, limits: .default),
                  let definition = grid.geo?.crs?.projDefinition else { return }
            _ = try? CRSTransform.toWGS84(from: definition)
        }
        return done
    }

    /// Creates the output folder and checks it is writable.
    static func createOutput(_ out: String) throws {
        do { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) } catch {
            throw PipelineError.outputUnwritable(path: out, reason: error.localizedDescription)
        }
        guard access(out, W_OK) == 0 else { throw PipelineError.outputUnwritable(path: out, reason: "permission denied") }
    }

    /// Clears the output folder with `--fresh` and removes stale temporaries (under the run's claim).
    static func clearOutput(_ out: String, fresh: Bool, logger: Logger) {
        let fm = FileManager.default
        if fresh {
            RunCatalog.remove(in: out)
            try? fm.removeItem(atPath: (out as NSString).appendingPathComponent("tiles"))
            for name in ["run.json", "pairs", "stac", "affected.geojson", "events"] + ReportWriter.fileNames {
                try? fm.removeItem(atPath: (out as NSString).appendingPathComponent(name))
            }
        }
        let removed = removeStaleTemporaries(in: out)
        if removed > 0 { logger.notice("removed leftover temporary files", metadata: ["count": "\(removed)"]) }
    }

    /// The per-tile product options of a config, with its regions read and, when two-date jobs will run, the
    /// quality mask persisted for them.
    static func productOptions(_ config: PipelineConfig) throws -> TileProductOptions {
        var products = TileProductOptions.from(config)
        if let path = config.regions {
            do { products.regions = try RegionReader.read(path: path) } catch {
                throw PipelineError.inputUnreadable(path: path, reason: "regions: \(error)")
            }
        }
        products.qualityMask = (config.monitor ?? []).contains { MonitorKind(rawValue: $0.kind) != .change }
        return products
    }

    /// Resume: the tiles to compute, every tile's input hash and how many are skipped (done with the same inputs,
    /// config and version, outputs intact).
    static func resumeState(_ plan: RunPlan, configHash: String, version: String, catalog: RunCatalog,
                            directory: String) throws -> (todo: [TileSource], inputHashes: [String: String], skipped: Int) {
        var todo: [TileSource] = [], hashes: [String: String] = [:], skipped = 0
        // Each tile's fingerprint reads 128 KiB of each of its files (5 ms for the bench's 8 tiles, perf) on the thread
        // every tile waits for: the tiles' fingerprints are taken side by side.
        let tiles = plan.tiles
        let prints = try FanOut(width: ProcessInfo.processInfo.activeProcessorCount) { DispatchQueue.global().async(execute: $0) }
            .map(tiles.count) { k in Fingerprint.input(tiles[k].files) ?? "unreadable" }
        for (t, h) in zip(tiles, prints) {
            hashes[t.id] = h
            if try isUpToDate(tile: t, inputHash: h, configHash: configHash, version: version,
                              expected: plan.outputs[t.id] ?? [], catalog: catalog, directory: directory) {
                skipped += 1
            } else {
                todo.append(t)
            }
        }
        return (todo, hashes, skipped)
    }

    /// Phase 1: every tile through ingest → compute → write on the executor, each recorded in the catalog as it
    /// finishes. Returns the tiles done, the tiles finished (fewer than `todo` after SIGINT/SIGTERM) and the failures
    /// (tiles that failed, and tiles that could not be recorded).
    static func executeTiles(_ todo: [TileSource], job: IndexJob, executor: TileExecutor.Options,
                             context ctx: RecordContext) -> (done: Int, finished: Int, failures: [FailureEntry], observedMaxInFlight: Int) {
        let unrecorded = LockedList<FailureEntry>()
        let (results, observed) = TileExecutor(options: executor).run(todo, stage: job) { _, tile, result in
            do { try ctx.record(tile, result) } catch {
                unrecorded.append(FailureEntry(tile: tile.id, path: tile.path, stage: StageName.record.rawValue, cause: "\(error)", kind: .io))
                ctx.logger.error("tile not recorded", metadata: ["tile_id": "\(tile.id)", "error": "\(error)"])
                ctx.progress.tileFinished(ok: false, pixels: 0)
            }
        }
        var failures = unrecorded.items
        let unrecordedIds = Set(failures.map(\.tile))
        var done = 0
        for (tile, r) in zip(todo, results) {
            switch r {
            case .success: if !unrecordedIds.contains(tile.id) { done += 1 }
            case .failure(let f): failures.append(f.entry)
            }
        }
        return (done, results.count, failures, observed.maxInFlight)
    }

    /// Phase 2: two-date pairs of this shard's done tiles on the executor (all recomputed, so maps of an earlier config go first;
    /// deterministic bytes). Returns the failed pairs; jobs that found no pair add a warning.
    static func runPairs(config: PipelineConfig, rows: [TileRecord], job: IndexJob, executor: TileExecutor.Options, context ctx: RecordContext,
                         warnings: inout [String]) throws -> [FailureEntry] {
        let out = job.outputDirectory
        try? FileManager.default.removeItem(atPath: (out as NSString).appendingPathComponent("pairs"))
        let pairs = PairPhase.run(rows: rows, monitor: config.monitor ?? [], directory: out,
                                  provenance: Provenance(version: ctx.version, pipelineHash: ctx.configHash),
                                  classification: job.products.scheme != nil, codec: job.codec, tileSize: job.tileSize, executor: executor)
        try ctx.catalog.replacePairs(pairs)
        for spec in config.monitor ?? [] where MonitorKind(rawValue: spec.kind) != .change && !pairs.contains(where: { $0.job == spec.kind }) {
            let dates = "\(spec.before ?? "earliest") → \(spec.after ?? "latest")"
            warnings.append("monitor \(spec.kind): no tile pair with dates \(dates) and the \(spec.index ?? "default") index on both dates; the job produced nothing")
        }
        return pairs.compactMap { p in
            guard let f = p.failureEntry else { return nil }
            ctx.logger.error("pair failed", metadata: ["job": "\(p.job)", "tiles": "\(f.path)", "error": "\(f.cause)", "kind": "\(f.kind.rawValue)"])
            return f
        }
    }

    /// The run-level facts phase 3 and `tilepipe report` read from the catalog.
    static func runMeta(config: PipelineConfig, products: TileProductOptions, configHash: String, options: RunOptions,
                        startedAt: Date) -> [String: String] {
        let iso = ISO8601DateFormatter()
        var meta: [String: String] = [RunProducts.Key.pipeline: config.sourcePath, RunProducts.Key.configHash: configHash,
                                      RunProducts.Key.toolVersion: options.toolVersion,
                                      RunProducts.Key.inputs: config.inputs.map(\.path).joined(separator: "\n"),
                                      RunProducts.Key.collectionId: products.collectionId,
                                      RunProducts.Key.started: iso.string(from: startedAt), RunProducts.Key.finished: iso.string(from: Date())]
        meta[RunProducts.Key.name] = config.name
        meta[RunProducts.Key.title] = config.report?.title
        // Always set (a rerun without `report.formats` must not inherit an earlier run's subset).
        meta[RunProducts.Key.formats] = (config.report?.formats ?? ReportWriter.Format.allCases.map(\.rawValue)).joined(separator: ",")
        meta[RunProducts.Key.license] = config.outputs.stac?.license
        meta[RunProducts.Key.inputNames] = RunProducts.inputNamesMeta(config.inputs) ?? ""   // "" clears an earlier run's
        meta[RunProducts.Key.regions] = config.regions ?? ""
        return meta
    }

    /// True when the catalog says the tile is done with these hashes and every expected output is intact.
    static func isUpToDate(tile: TileSource, inputHash: String, configHash: String, version: String, expected: [String],
                           catalog: RunCatalog, directory: String) throws -> Bool {
        guard let rec = try catalog.tile(tile.id), rec.status == .done, rec.result != nil, rec.inputHash == inputHash,
              rec.configHash == configHash, rec.toolVersion == version else { return false }
        let outs = try catalog.outputs(tile: tile.id)
        // The recorded outputs are a subset of the plan's (indices a tile lacks bands for are skipped, as a warning).
        guard !outs.isEmpty, Set(outs.map(\.path)).isSubset(of: Set(expected)) else { return false }
        for o in outs {
            guard Fingerprint.file((directory as NSString).appendingPathComponent(o.path)) == o.hash else { return false }
        }
        return true
    }

    /// Removes `AtomicFile` temporaries under `directory` left by processes that no longer run. Returns the count.
    @discardableResult
    public static func removeStaleTemporaries(in directory: String) -> Int {
        guard let e = FileManager.default.enumerator(atPath: directory) else { return 0 }
        var removed = 0
        while let rel = e.nextObject() as? String {
            let name = (rel as NSString).lastPathComponent
            guard AtomicFile.isTemporaryName(name) else { continue }
            // `.NAME.tmp-PID-TOKEN`: keep temporaries of live processes other than us (another writer's work).
            if let r = name.range(of: ".tmp-", options: .backwards),
               let pid = Int32(name[r.upperBound...].prefix { $0.isNumber }), pid != getpid(), kill(pid, 0) == 0 {
                continue
            }
            if (try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(rel))) != nil { removed += 1 }
        }
        return removed
    }
}

/// A list appended to from several threads.
final class LockedList<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [T] = []
    func append(_ x: T) { lock.withLock { storage.append(x) } }
    var items: [T] { lock.withLock { storage } }
}
