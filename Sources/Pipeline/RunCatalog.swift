import Foundation
import GRDB
public import Analysis
public import Products

/// One tile's row in the run catalog.
public struct TileRecord: Sendable, Equatable {
    /// Tile id.
    public var id: String
    /// Input path as given.
    public var path: String
    /// Done or failed.
    public var status: TileStatus
    /// Input fingerprint (`Fingerprint.input`).
    public var inputHash: String
    /// Config fingerprint.
    public var configHash: String
    /// Tool version that produced the row.
    public var toolVersion: String
    /// Failed stage, for failures.
    public var failedStage: String?
    /// Cause, for failures; the warning, for done tiles.
    public var cause: String?
    /// Failure kind, for failures.
    public var kind: FailureKind?
    /// The tile's result (statistics, class counts, accuracy, regions, product paths), for done tiles.
    public var result: TileResult?
    /// The run that recorded the row (a tile unchanged since an earlier run keeps that run's id).
    public var runId: Int64?

    /// A record.
    public init(id: String, path: String, status: TileStatus, inputHash: String, configHash: String, toolVersion: String,
                failedStage: String? = nil, cause: String? = nil, kind: FailureKind? = nil, result: TileResult? = nil,
                runId: Int64? = nil) {
        self.id = id; self.path = path; self.status = status; self.inputHash = inputHash; self.configHash = configHash
        self.toolVersion = toolVersion; self.failedStage = failedStage; self.cause = cause; self.kind = kind
        self.result = result; self.runId = runId
    }

    /// A failed tile's row from its failure.
    public init(failure f: TileFailure, inputHash: String, configHash: String, toolVersion: String) {
        self.init(id: f.tileId, path: f.path, status: .failed, inputHash: inputHash, configHash: configHash, toolVersion: toolVersion,
                  failedStage: f.stage.rawValue, cause: f.cause, kind: f.kind)
    }

    /// The row as a report's failure entry (nil for a done tile).
    public var failure: FailureEntry? {
        guard status == .failed else { return nil }
        return FailureEntry(tile: id, path: path, stage: failedStage ?? "", cause: cause ?? "", kind: kind ?? .corrupt)
    }
}

/// One output file in the run catalog (path relative to the output folder).
public struct OutputRecord: Sendable, Equatable, Codable {
    /// Path relative to the output folder.
    public var path: String
    /// Tile that produced it.
    public var tileId: String
    /// XXH64 of the whole file (`Fingerprint.file`).
    public var hash: String
    /// Size in bytes.
    public var bytes: Int

    /// A record.
    public init(path: String, tileId: String, hash: String, bytes: Int) {
        self.path = path; self.tileId = tileId; self.hash = hash; self.bytes = bytes
    }
}

/// The run catalog: `catalog.sqlite` in the output folder (GRDB, WAL, synchronous=NORMAL: a process crash loses
/// nothing committed; it can be rebuilt by re-running). Tables: `runs`, `tiles`, `outputs`.
/// A tile's row and its outputs are committed in one transaction, after the outputs are renamed into place, so
/// a row marked `done` always describes files that exist complete.
public final class RunCatalog: Sendable {
    /// The catalog file name inside the output folder.
    public static let fileName = "catalog.sqlite"
    /// The database path.
    public let path: String
    private let pool: DatabasePool

    /// Opens (creating when needed) the catalog in `directory`.
    public init(directory: String) throws {
        path = (directory as NSString).appendingPathComponent(RunCatalog.fileName)
        do {
            var config = Configuration()
            config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            pool = try DatabasePool(path: path, configuration: config)
            var migrator = DatabaseMigrator()
            migrator.registerMigration("v1") { db in
                try db.execute(sql: """
                    CREATE TABLE runs(id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL, finished_at TEXT,
                        tool_version TEXT NOT NULL, config_hash TEXT NOT NULL, shard TEXT NOT NULL, status TEXT NOT NULL,
                        total INTEGER NOT NULL DEFAULT 0, done INTEGER NOT NULL DEFAULT 0, skipped INTEGER NOT NULL DEFAULT 0,
                        failed INTEGER NOT NULL DEFAULT 0);
                    CREATE TABLE tiles(id TEXT PRIMARY KEY, path TEXT NOT NULL, status TEXT NOT NULL, input_hash TEXT NOT NULL,
                        config_hash TEXT NOT NULL, tool_version TEXT NOT NULL, failed_stage TEXT, cause TEXT, kind TEXT,
                        stats_json TEXT NOT NULL DEFAULT '{}', pixels INTEGER NOT NULL DEFAULT 0, run_id INTEGER,
                        updated_at TEXT NOT NULL);
                    CREATE TABLE outputs(path TEXT PRIMARY KEY, tile_id TEXT NOT NULL REFERENCES tiles(id) ON DELETE CASCADE,
                        hash TEXT NOT NULL, bytes INTEGER NOT NULL);
                    CREATE INDEX outputs_tile ON outputs(tile_id);
                    """)
            }
            // v2: report figures per tile, two-date pair results and run-level facts (reports rebuild from these).
            migrator.registerMigration("v2") { db in
                try db.execute(sql: """
                    ALTER TABLE tiles ADD COLUMN results_json TEXT;
                    CREATE TABLE pairs(id TEXT PRIMARY KEY, json TEXT NOT NULL);
                    CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
                    """)
            }
            // v3: one result per tile (`results_json`, a `TileResult`); the per-index statistics it holds are no
            // longer stored a second time.
            migrator.registerMigration("v3") { db in
                try db.execute(sql: "ALTER TABLE tiles DROP COLUMN stats_json")
            }
            try migrator.migrate(pool)
        } catch {
            throw PipelineError.catalog(path: path, reason: "\(error)")
        }
    }

    private func wrap<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as PipelineError { throw e } catch {
            throw PipelineError.catalog(path: path, reason: "\(error)")
        }
    }

    private static func now() -> String { ISO8601DateFormatter().string(from: Date()) }

    /// Starts a run row; returns its id.
    public func beginRun(toolVersion: String, configHash: String, shard: String, total: Int) throws -> Int64 {
        try wrap {
            try pool.write { db in
                try db.execute(sql: "INSERT INTO runs(started_at, tool_version, config_hash, shard, status, total) VALUES (?, ?, ?, ?, 'running', ?)",
                               arguments: [RunCatalog.now(), toolVersion, configHash, shard, total])
                return db.lastInsertedRowID
            }
        }
    }

    /// Closes a run row with its counts.
    public func finishRun(_ id: Int64, done: Int, skipped: Int, failed: Int) throws {
        try wrap {
            try pool.write { db in
                try db.execute(sql: "UPDATE runs SET finished_at = ?, status = ?, done = ?, skipped = ?, failed = ? WHERE id = ?",
                               arguments: [RunCatalog.now(), failed == 0 ? "ok" : "partial", done, skipped, failed, id])
            }
        }
    }

    /// Closes a run row with `status` (`interrupted`: stopped by a signal) and its counts so far.
    public func markRun(_ id: Int64, status: String, done: Int, skipped: Int) throws {
        try wrap {
            try pool.write { db in
                try db.execute(sql: "UPDATE runs SET finished_at = ?, status = ?, done = ?, skipped = ? WHERE id = ?",
                               arguments: [RunCatalog.now(), status, done, skipped, id])
            }
        }
    }

    /// Records a tile (done or failed) and replaces its outputs, in one transaction.
    public func record(_ tile: TileRecord, outputs: [OutputRecord], runId: Int64?) throws {
        let results = try tile.result.map { try CatalogJSON.encode($0) }
        try wrap {
            try pool.write { db in
                try db.execute(sql: "DELETE FROM outputs WHERE tile_id = ?", arguments: [tile.id])
                try db.execute(sql: """
                    INSERT OR REPLACE INTO tiles(id, path, status, input_hash, config_hash, tool_version, failed_stage, cause, kind,
                        pixels, run_id, updated_at, results_json) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
                    """, arguments: [tile.id, tile.path, tile.status.rawValue, tile.inputHash, tile.configHash, tile.toolVersion,
                                     tile.failedStage, tile.cause, tile.kind?.rawValue, tile.result?.pixels ?? 0, runId,
                                     RunCatalog.now(), results])
                for o in outputs {
                    try db.execute(sql: "INSERT OR REPLACE INTO outputs(path, tile_id, hash, bytes) VALUES (?,?,?,?)",
                                   arguments: [o.path, o.tileId, o.hash, o.bytes])
                }
            }
        }
    }

    /// The tile's row, if any.
    public func tile(_ id: String) throws -> TileRecord? {
        try wrap { try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM tiles WHERE id = ?", arguments: [id]) }.map(RunCatalog.decodeTile) }
    }

    /// Every tile row, sorted by id (the canonical order).
    public func allTiles() throws -> [TileRecord] {
        try wrap { try pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM tiles ORDER BY id") }.map(RunCatalog.decodeTile) }
    }

    /// The outputs of one tile, sorted by path.
    public func outputs(tile id: String) throws -> [OutputRecord] {
        try wrap {
            try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM outputs WHERE tile_id = ? ORDER BY path", arguments: [id]).map {
                    OutputRecord(path: $0["path"], tileId: $0["tile_id"], hash: $0["hash"], bytes: $0["bytes"])
                }
            }
        }
    }

    /// Every output, sorted by path.
    public func allOutputs() throws -> [OutputRecord] {
        try wrap {
            try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM outputs ORDER BY path").map {
                    OutputRecord(path: $0["path"], tileId: $0["tile_id"], hash: $0["hash"], bytes: $0["bytes"])
                }
            }
        }
    }

    /// The config hashes of all recorded runs (merge checks they agree).
    public func configHashes() throws -> Set<String> {
        try wrap { Set(try pool.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT config_hash FROM tiles") }) }
    }

    /// Replaces every pair result (the second phase recomputes all pairs of the shard each run).
    public func replacePairs(_ pairs: [PairResult]) throws {
        let rows = try pairs.map { ($0.id, try CatalogJSON.encode($0)) }
        try wrap {
            try pool.write { db in
                try db.execute(sql: "DELETE FROM pairs")
                for (id, json) in rows { try db.execute(sql: "INSERT INTO pairs(id, json) VALUES (?, ?)", arguments: [id, json]) }
            }
        }
    }

    /// Every pair result, sorted by id.
    public func allPairs() throws -> [PairResult] {
        try wrap {
            try pool.read { db in try Row.fetchAll(db, sql: "SELECT json FROM pairs ORDER BY id") }.compactMap {
                CatalogJSON.decode(PairResult.self, $0["json"] as String?)
            }
        }
    }

    /// Sets a run-level fact (`run_name`, `pipeline`, `started_at`, ...).
    public func setMeta(_ key: String, _ value: String) throws {
        try wrap { try pool.write { db in try db.execute(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", arguments: [key, value]) } }
    }

    /// Sets several run-level facts in one transaction.
    public func setMeta(_ facts: [String: String]) throws {
        try wrap {
            try pool.write { db in
                for (k, v) in facts { try db.execute(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", arguments: [k, v]) }
            }
        }
    }

    /// Every run-level fact.
    public func meta() throws -> [String: String] {
        try wrap {
            Dictionary(uniqueKeysWithValues: try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT key, value FROM meta").map { ($0["key"] as String, $0["value"] as String) }
            })
        }
    }

    /// `PRAGMA integrity_check` (`ok` when sound).
    public func integrityCheck() throws -> String {
        try wrap { try pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" } }
    }

    static func decodeTile(_ r: Row) -> TileRecord {
        TileRecord(id: r["id"], path: r["path"], status: TileStatus(rawValue: r["status"]) ?? .failed, inputHash: r["input_hash"],
                   configHash: r["config_hash"], toolVersion: r["tool_version"], failedStage: r["failed_stage"], cause: r["cause"],
                   kind: (r["kind"] as String?).flatMap(FailureKind.init(rawValue:)),
                   result: CatalogJSON.decode(TileResult.self, r["results_json"]), runId: r["run_id"])
    }

    /// The id of the latest run recorded (nil before the first).
    public func latestRunId() throws -> Int64? {
        try wrap { try pool.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM runs") } }
    }

    /// Removes the catalog files of `directory` (`--fresh`).
    public static func remove(in directory: String) {
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(fileName + suffix))
        }
    }
}
