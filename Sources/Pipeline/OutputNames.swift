import Foundation
import RasterCore
import RasterIO

/// Tile ids come from data (a `scene_id` in scene.json, a file stem, a STAC id) and become folder and file names
/// (`tiles/<id>/<id>_ndvi.tif`). An id that cannot be one plain path component (`/`, `.`/`..`, NUL or control
/// characters, empty, too long: `OutputTree.safeNameProblem`) is refused at discovery: the tile is a failure of
/// stage `discover` that names the input and the cause, and nothing is written for it. `OutputTree` enforces the
/// same rule again for every path written, whatever its origin.
public enum OutputNames {
    /// A discovery reject for `tile` when its id cannot be a file name, else nil.
    public static func refusal(of tile: TileSource) -> DiscoveryReject? {
        guard let why = OutputTree.safeNameProblem(tile.id) else { return nil }
        return DiscoveryReject(id: escaped(tile.id), path: tile.path,
                               reason: "tile id '\(tile.id.escapingControlCharacters)' (from the scene id or file name) \(why), so it cannot name output files; fix the id in the input")
    }

    /// `id` with `/`, `%`, NUL and control characters percent-encoded and `.`/`..` spelled `%2E`: a name that
    /// identifies a refused tile in the catalog and reports without being a path.
    public static func escaped(_ id: String) -> String {
        if id.isEmpty { return "%00-empty" }
        if id == "." || id == ".." { return String(repeating: "%2E", count: id.count) }
        var out = ""
        for u in id.unicodeScalars {
            if u == "/" || u == "%" || u.properties.generalCategory == .control {
                for b in String(u).utf8 { out += String(format: "%%%02X", b) }
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return String(decoding: out.utf8.prefix(200), as: UTF8.self)
    }

    /// `rejects` with ids made unique among themselves and against `tiles`: a reject's id is its file stem, so a
    /// bad `b/x.tif` beside a good `a/x.tif` (or a second bad `c/x.tif`) would share one catalog row and flip between
    /// done and failed. A colliding reject takes its parent folders' names in front (`b_x`, then `in_b_x`, …) and,
    /// as a last resort, a `~N` suffix. Deterministic: rejects arrive sorted by path.
    public static func uniqueRejectIds(_ rejects: [DiscoveryReject], tiles: [TileSource]) -> [DiscoveryReject] {
        var taken = Set(tiles.map(\.id))
        let counts = Dictionary(grouping: rejects, by: \.id).mapValues(\.count)
        var out: [DiscoveryReject] = []
        for r in rejects.sorted(by: { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }) {
            var candidate = r.id
            if taken.contains(candidate) || counts[r.id, default: 0] > 1 {
                let folders = ((r.path as NSString).deletingLastPathComponent as NSString).pathComponents.filter { $0 != "/" }
                var k = 1
                candidate = escaped(r.id)
                repeat {
                    guard k <= folders.count else { break }
                    candidate = folders.suffix(k).map(escaped).joined(separator: "_") + "_" + escaped(r.id)
                    k += 1
                } while taken.contains(candidate)
                var n = 2
                let base = candidate
                while taken.contains(candidate) { candidate = "\(base)~\(n)"; n += 1 }
            }
            taken.insert(candidate)
            var unique = r
            unique.id = candidate
            out.append(unique)
        }
        return out.sorted { Array($0.id.utf8).lexicographicallyPrecedes(Array($1.id.utf8)) }
    }
}
