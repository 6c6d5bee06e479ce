import Foundation
import Analysis
import GRDB
import Logging
import RasterCore
import RasterIO

/// The run catalog is checked, not trusted (issue 16 item 4):
/// * every JSON column is decoded on read (`tiles.results_json`, `tiles.stats_json` where the schema has it,
///   `pairs.json`); a run recomputes a tile whose row does not decode (`repair`), `report` and `merge` stop with
///   exit 2 and say how to recover (`verify`);
/// * after the tiles phase (`reconcile`): a tile that failed loses the products an earlier success left in
///   `tiles/<id>/`, and a tile whose input disappeared (no longer discovered under the configured inputs) loses its
///   row, its outputs and its folder, so reports, the STAC collection and the output tree describe only what exists.
public enum CatalogIntegrity {
    /// One catalog row whose JSON does not decode.
    public struct BadRow: Sendable, Equatable {
        /// `tiles` or `pairs`.
        public var table: String
        /// The row's id.
        public var id: String
        /// The column.
        public var column: String
    }

    /// The rows of the catalog in `directory` whose JSON columns do not decode (a done tile without results counts).
    public static func badRows(in directory: String) throws -> [BadRow] {
        let path = (directory as NSString).appendingPathComponent(RunCatalog.fileName)
        do {
            let db = try DatabaseQueue(path: path)
            return try db.read { db in
                var bad: [BadRow] = []
                let columns = Set(try Row.fetchAll(db, sql: "PRAGMA table_info(tiles)").map { $0["name"] as String })
                let hasStats = columns.contains("stats_json")
                let sql = "SELECT id, status, results_json" + (hasStats ? ", stats_json" : "") + " FROM tiles ORDER BY id"
                for r in try Row.fetchAll(db, sql: sql) {
                    let id: String = r["id"], status: String = r["status"]
                    let results: String? = r["results_json"]
                    if let results, !decodes(results, as: CatalogTileResult.self) {
                        bad.append(BadRow(table: "tiles", id: id, column: "results_json"))
                    } else if results == nil && status == "done" {
                        bad.append(BadRow(table: "tiles", id: id, column: "results_json"))
                    } else if hasStats, let stats = r["stats_json"] as String?, !decodes(stats, as: [String: BandStatistics.Accumulator].self) {
                        bad.append(BadRow(table: "tiles", id: id, column: "stats_json"))
                    }
                }
                for r in try Row.fetchAll(db, sql: "SELECT id, json FROM pairs ORDER BY id") {
                    let json: String? = r["json"]
                    if !decodes(json ?? "", as: PairResult.self) { bad.append(BadRow(table: "pairs", id: r["id"], column: "json")) }
                }
                return bad
            }
        } catch {
            throw PipelineError.catalog(path: path, reason: "\(error)")
        }
    }

    /// `report` / `merge`: refuses a catalog with undecodable rows.
    /// - Throws: `PipelineError.catalog` naming the rows and saying how to recover.
    public static func verify(directory: String) throws {
        let bad = try badRows(in: directory)
        guard !bad.isEmpty else { return }
        let path = (directory as NSString).appendingPathComponent(RunCatalog.fileName)
        let shown = bad.prefix(5).map { "\($0.table) '\($0.id.escapingControlCharacters)' (\($0.column))" }.joined(separator: ", ")
        throw PipelineError.catalog(path: path, reason: "\(bad.count) row(s) do not decode: \(shown)\(bad.count > 5 ? ", …" : ""); run `tilepipe run` on this folder to recompute them, or `tilepipe run --fresh` to start over")
    }

    /// `run`, before resuming: rows that do not decode are deleted (their tiles are recomputed by this run, their
    /// folders removed first), each with a warning. Returns how many.
    @discardableResult
    public static func repair(directory: String, logger: Logger) throws -> Int {
        let bad = try badRows(in: directory)
        guard !bad.isEmpty else { return 0 }
        let tiles = Set(bad.filter { $0.table == "tiles" }.map(\.id)), pairs = Set(bad.filter { $0.table == "pairs" }.map(\.id))
        try delete(tiles: tiles, pairs: pairs, in: directory)
        for b in bad {
            logger.warning("catalog row does not decode; recomputing", metadata: ["table": "\(b.table)", "row_id": "\(b.id)", "column": "\(b.column)"])
        }
        return bad.count
    }

    /// `run`, after the tiles phase: removes the products of failed tiles, and everything of tiles of this shard
    /// (`shard.contains`) that this run no longer discovered (`planned`: its tiles and rejects). Returns the ids removed.
    @discardableResult
    public static func reconcile(directory: String, planned: Set<String>, shard: ShardSpec, logger: Logger) throws -> [String] {
        let path = (directory as NSString).appendingPathComponent(RunCatalog.fileName)
        let rows: [(id: String, status: String)]
        do {
            rows = try DatabaseQueue(path: path).read { db in
                try Row.fetchAll(db, sql: "SELECT id, status FROM tiles ORDER BY id").map { ($0["id"] as String, $0["status"] as String) }
            }
        } catch {
            throw PipelineError.catalog(path: path, reason: "\(error)")
        }
        let gone = rows.filter { !planned.contains($0.id) && shard.contains($0.id) }.map(\.id)
        if !gone.isEmpty {
            try delete(tiles: Set(gone), pairs: [], in: directory)
            logger.notice("inputs no longer present: their rows and products removed", metadata: ["tiles": .array(gone.map { .string($0) })])
        }
        for r in rows where r.status != "done" && planned.contains(r.id) { removeFolder(of: r.id, in: directory) }
        return gone
    }

    /// Deletes tile rows (with their outputs and `tiles/<id>/`) and pair rows.
    static func delete(tiles: Set<String>, pairs: Set<String>, in directory: String) throws {
        let path = (directory as NSString).appendingPathComponent(RunCatalog.fileName)
        do {
            try DatabaseQueue(path: path).write { db in
                for id in tiles.sorted() {
                    try db.execute(sql: "DELETE FROM outputs WHERE tile_id = ?", arguments: [id])
                    try db.execute(sql: "DELETE FROM tiles WHERE id = ?", arguments: [id])
                }
                for id in pairs.sorted() { try db.execute(sql: "DELETE FROM pairs WHERE id = ?", arguments: [id]) }
            }
        } catch {
            throw PipelineError.catalog(path: path, reason: "\(error)")
        }
        for id in tiles { removeFolder(of: id, in: directory) }
    }

    /// Removes `tiles/<id>/` when `id` is a plain name and the folder is a real folder (never a link).
    static func removeFolder(of id: String, in directory: String) {
        guard OutputTree.safeNameProblem(id) == nil else { return }
        let folder = ((directory as NSString).appendingPathComponent("tiles") as NSString).appendingPathComponent(id)
        var st = stat()
        guard lstat((directory as NSString).appendingPathComponent("tiles"), &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR,
              lstat(folder, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { return }
        try? FileManager.default.removeItem(atPath: folder)
    }

    static func decodes<T: Decodable>(_ json: String, as type: T.Type) -> Bool { CatalogJSON.decode(type, json) != nil }
}

/// The type a done tile's `results_json` holds (the one alias to change when that type is renamed, e.g. to
/// Analysis' `TileResult`).
typealias CatalogTileResult = TileResult

/// A tile's truth files (`truth-landcover.tif`, `truth-event.tif` next to its first input file) belong to its fingerprint: a replaced
/// `truth-landcover.tif` changes the accuracy figures, so the tile must be recomputed.
enum TruthFiles {
    /// The ground-truth files TilePipe reads beside a tile.
    static let names = ["truth-landcover.tif", "truth-event.tif"]

    /// `files` plus the truth files that exist in the first file's folder.
    static func withTruth(_ files: [String]) -> [String] {
        guard let first = files.first else { return files }
        let folder = (first as NSString).deletingLastPathComponent
        let truth = names.map { (folder as NSString).appendingPathComponent($0) }
            .filter { !files.contains($0) && FileManager.default.fileExists(atPath: $0) }
        return files + truth
    }
}
