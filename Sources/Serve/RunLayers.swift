import Foundation
import RasterCore

/// The map layers of a run folder, found from what the run wrote (never from Pipeline's types):
/// - per-tile products from the STAC collection (`stac/collection.json` → items → `data` assets that are GeoTIFFs,
///   and `visual` GeoTIFF assets: the true-colour picture of `outputs.rgb`, drawn as it is),
///   dated by the item's `datetime` (two-date Items, with `start_datetime`/`end_datetime`, are the pair maps below);
///   without a collection, `tiles/<tile>/<tile>_<product>.tif` dated by the
///   `_YYYYMMDD_` in the tile id;
/// - two-date products (disaster and change maps) from `pairs/<kind>/<key>_<before>_<after>.tif`.
public struct RunLayers: Sendable {
    /// The run's files.
    public let files: RunFiles
    /// Layers by name, in display order (indices, class maps, then two-date products).
    public let layers: [MapLayer]
    /// Files that could not be used, with the reason (logged, not fatal).
    public let skipped: [String]

    /// Scans `root`. Throws when the folder is unusable or holds no raster to map.
    public init(root: String) throws {
        files = try RunFiles(root: root)
        var perTile: [String: [String: [String]]] = [:]   // layer → date → paths
        var titles: [String: String] = [:]
        var skipped: [String] = []
        let fm = FileManager.default
        let collection = files.root + "/stac/collection.json"
        if let data = fm.contents(atPath: collection),
           let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let links = json["links"] as? [[String: Any]] {
            for link in links where (link["rel"] as? String) == "item" {
                guard let href = link["href"] as? String,
                      let itemPath = Self.resolveRelative(href, from: "stac", in: files) else {
                    skipped.append("\(collection): item link \(link["href"] ?? "?") is outside the run or missing"); continue
                }
                guard let d = fm.contents(atPath: itemPath),
                      let item = try? JSONSerialization.jsonObject(with: d) as? [String: Any],
                      let props = item["properties"] as? [String: Any], let when = props["datetime"] as? String,
                      let assets = item["assets"] as? [String: [String: Any]] else {
                    skipped.append("\(itemPath): not a STAC item with a datetime and assets"); continue
                }
                if props["start_datetime"] != nil && props["end_datetime"] != nil { continue }
                let date = String(when.prefix(10))
                let itemDir = (itemPath as NSString).deletingLastPathComponent
                let relDir = String(itemDir.dropFirst(files.root.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
                for (key, asset) in assets {
                    guard let roles = asset["roles"] as? [String], roles.contains("data") || roles.contains("visual"),
                          let type = asset["type"] as? String, type.contains("geotiff"),
                          let href = asset["href"] as? String,
                          let path = Self.resolveRelative(href, from: relDir, in: files) else { continue }
                    perTile[key, default: [:]][date, default: []].append(path)
                    if let t = asset["title"] as? String { titles[key] = t }
                }
            }
        } else if let tiles = try? fm.contentsOfDirectory(atPath: files.root + "/tiles") {
            for tile in tiles.sorted() {
                guard let date = Self.date(inTileId: tile),
                      let names = try? fm.contentsOfDirectory(atPath: files.root + "/tiles/" + tile) else { continue }
                for name in names where name.hasPrefix(tile + "_") && name.hasSuffix(".tif") {
                    let product = String(name.dropFirst(tile.count + 1).dropLast(4))
                    if let path = files.resolve(["tiles", Substring(tile), Substring(name)]) {
                        perTile[product, default: [:]][date, default: []].append(path)
                    }
                }
            }
        }
        var pairs: [String: [String: [String]]] = [:]
        if let kinds = try? fm.contentsOfDirectory(atPath: files.root + "/pairs") {
            for kind in kinds.sorted() where RunFiles.isPlainName(kind) {
                guard let names = try? fm.contentsOfDirectory(atPath: files.root + "/pairs/" + kind) else { continue }
                for name in names.sorted() where name.hasSuffix(".tif") {
                    guard let key = Self.datePair(inName: String(name.dropLast(4))),
                          let path = files.resolve(["pairs", Substring(kind), Substring(name)]) else { continue }
                    pairs[kind, default: [:]][key, default: []].append(path)
                }
            }
        }
        func load(_ byDate: [String: [String]]) -> [String: [SourceRaster]] {
            var out: [String: [SourceRaster]] = [:]
            for (date, paths) in byDate {
                for p in paths.sorted() {
                    do { out[date, default: []].append(try SourceRaster(path: p)) } catch { skipped.append("\(error)") }
                }
            }
            return out
        }
        var layers: [MapLayer] = []
        for name in perTile.keys.sorted() {
            let dates = load(perTile[name]!)
            guard !dates.isEmpty else { continue }
            let first = dates.values.first?.first
            let kind = first?.isCategorical == true ? "classes" : first?.isTrueColor == true ? "truecolor" : "index"
            layers.append(MapLayer(name: name, title: titles[name] ?? name.uppercased(), kind: kind, dates: dates))
        }
        layers.sort { ($0.kind == "classes" ? 1 : 0, $0.name) < ($1.kind == "classes" ? 1 : 0, $1.name) }
        for kind in pairs.keys.sorted() {
            let dates = load(pairs[kind]!)
            guard !dates.isEmpty else { continue }
            layers.append(MapLayer(name: kind, title: kind.prefix(1).uppercased() + kind.dropFirst().replacingOccurrences(of: "_", with: " "),
                                   kind: "pair", dates: dates))
        }
        guard !layers.isEmpty else {
            throw ServeError.unusableRun(path: root, reason: "no georeferenced product found (stac/collection.json, tiles/, pairs/)")
        }
        self.layers = layers
        self.skipped = skipped
    }

    /// The layer called `name`.
    public func layer(_ name: String) -> MapLayer? { layers.first { $0.name == name } }

    /// Resolves an href relative to the run folder `fromDir` (`stac`, `tiles/T`), confined to the run.
    static func resolveRelative(_ href: String, from fromDir: String, in files: RunFiles) -> String? {
        guard !href.contains("://"), !href.hasPrefix("/") else { return nil }
        var parts = fromDir.split(separator: "/").map(String.init)
        for c in href.split(separator: "/") {
            if c == "." { continue }
            if c == ".." { guard !parts.isEmpty else { return nil }; parts.removeLast(); continue }
            parts.append(String(c))
        }
        return files.resolve(parts.map { Substring($0) })
    }

    /// `2025-06-02` from a tile id holding `_20250602_` (or ending in `_20250602`).
    static func date(inTileId id: String) -> String? {
        for part in id.split(separator: "_") where part.count == 8 && part.allSatisfy(\.isNumber) {
            let s = Array(part)
            return "\(String(s[0..<4]))-\(String(s[4..<6]))-\(String(s[6..<8]))"
        }
        return nil
    }

    /// `2025-06-02_2025-06-18` from a name ending `_2025-06-02_2025-06-18`.
    static func datePair(inName name: String) -> String? {
        let parts = name.split(separator: "_")
        guard parts.count >= 3 else { return nil }
        let a = parts[parts.count - 2], b = parts[parts.count - 1]
        func isDate(_ s: Substring) -> Bool { s.count == 10 && s.filter { $0 == "-" }.count == 2 && s.replacingOccurrences(of: "-", with: "").allSatisfy(\.isNumber) }
        return isDate(a) && isDate(b) ? "\(a)_\(b)" : nil
    }
}
