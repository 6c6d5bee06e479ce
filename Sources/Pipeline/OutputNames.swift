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
}
