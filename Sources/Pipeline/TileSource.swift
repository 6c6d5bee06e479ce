import Foundation

/// One input tile of the index job: a multi-band raster file and the band map that names its bands.
public struct TileSource: TileItem, Equatable {
    /// Stable id: the path relative to the input folder, without extension, `/` replaced by `_`.
    public var id: String
    /// The file.
    public var path: String
    /// Band name → 1-based band number (nil: take names from the file's band descriptions).
    public var bands: [String: Int]?
    /// Size in bytes (for the plan's memory estimate).
    public var bytes: Int

    /// A tile.
    public init(id: String, path: String, bands: [String: Int]?, bytes: Int) {
        self.id = id; self.path = path; self.bands = bands; self.bytes = bytes
    }
}

/// Finds the tiles of the configured inputs.
///
/// Interim discovery for loose multi-band tiles (GeoTIFF files under each input folder, recursively, hidden files
/// and our temporaries skipped), until GroundStation's `TileDiscovery` (scene manifests, Landsat MTL, STAC items) is
/// wired in. Tiles are sorted by id (UTF-8 byte order), the canonical order of reports, shards and merge.
public enum TileSourceDiscovery {
    /// Lists tiles. Two files with the same id are refused (they would write the same outputs). Files under
    /// `excluding` (the output folder, when it lies inside an input folder) are never inputs.
    /// - Throws: `PipelineError.inputUnreadable` when an input cannot be listed, or on duplicate ids.
    public static func discover(_ inputs: [InputSpec], excluding: String? = nil) throws -> [TileSource] {
        let excluded = excluding.map { URL(fileURLWithPath: $0).standardizedFileURL.path + "/" }
        var tiles: [TileSource] = []
        var seen: [String: String] = [:]
        let fm = FileManager.default
        for input in inputs {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: input.path, isDirectory: &isDir) else {
                throw PipelineError.inputUnreadable(path: input.path, reason: "no such file or folder")
            }
            var files: [(rel: String, full: String)] = []
            if isDir.boolValue {
                guard let e = fm.enumerator(atPath: input.path) else {
                    throw PipelineError.inputUnreadable(path: input.path, reason: "cannot list the folder")
                }
                guard fm.isReadableFile(atPath: input.path) else {
                    throw PipelineError.inputUnreadable(path: input.path, reason: "permission denied")
                }
                while let rel = e.nextObject() as? String {
                    let name = (rel as NSString).lastPathComponent
                    if name.hasPrefix(".") { if (e.fileAttributes?[.type] as? FileAttributeType) == .typeDirectory { e.skipDescendants() }; continue }
                    guard matches(name, pattern: input.pattern) else { continue }
                    let full = (input.path as NSString).appendingPathComponent(rel)
                    if let excluded, URL(fileURLWithPath: full).standardizedFileURL.path.hasPrefix(excluded) { continue }
                    guard (e.fileAttributes?[.type] as? FileAttributeType) != .typeDirectory else { continue }
                    files.append((rel, full))
                }
            } else {
                files.append(((input.path as NSString).lastPathComponent, input.path))
            }
            for f in files {
                let id = tileId(relativePath: f.rel)
                if let other = seen[id] {
                    throw PipelineError.inputUnreadable(path: f.full, reason: "tile id '\(id)' is also the id of \(other); rename one")
                }
                seen[id] = f.full
                let size = ((try? fm.attributesOfItem(atPath: f.full))?[.size] as? NSNumber)?.intValue ?? 0
                tiles.append(TileSource(id: id, path: f.full, bands: input.bands, bytes: size))
            }
        }
        return tiles.sorted { Array($0.id.utf8).lexicographicallyPrecedes(Array($1.id.utf8)) }
    }

    /// The id of a file: its relative path without extension, `/` → `_`.
    public static func tileId(relativePath: String) -> String {
        let noExt = (relativePath as NSString).deletingPathExtension
        return noExt.replacingOccurrences(of: "/", with: "_")
    }

    /// `*.tif`/`*.tiff` by default, else a shell glob on the file name.
    static func matches(_ name: String, pattern: String?) -> Bool {
        guard let pattern else {
            let ext = (name as NSString).pathExtension.lowercased()
            return ext == "tif" || ext == "tiff"
        }
        return fnmatch(pattern, name, 0) == 0
    }
}
