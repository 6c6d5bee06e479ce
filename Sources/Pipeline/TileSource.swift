import Foundation
import GroundStation

/// One input tile of the index job: a GroundStation `TileInput` (scene folder with a manifest, or a loose
/// multi-band file with the config's band map) and the facts the executor and catalog need.
public struct TileSource: TileItem {
    /// Stable id from GroundStation (file stem, or scene id; folder prepended when ids collide).
    public var id: String
    /// The main input path named in failures (the manifest or the file).
    public var path: String
    /// Every file the tile reads (input hash).
    public var files: [String]
    /// Total size in bytes of the files (for the plan).
    public var bytes: Int
    /// The discovered input.
    public var input: TileInput

    /// A tile from a discovered input.
    public init(input: TileInput) {
        self.input = input
        id = input.id
        switch input.source {
        case .loose(let p, _): path = p
        case .manifest: path = input.files.first ?? input.id
        }
        files = TruthFiles.withTruth(input.files)   // a replaced truth-landcover.tif changes the fingerprint
        bytes = input.files.reduce(0) { total, file in   // stat(), not FileManager's attributes (no owner lookups)
            var st = stat()
            return total + (stat(file, &st) == 0 ? Int(st.st_size) : 0)
        }
    }
}

/// A file discovery could not use (bad TIFF, broken manifest): recorded as a failed tile of stage `discover`.
public struct DiscoveryReject: Sendable, Equatable {
    /// Id derived from the file name (stem).
    public var id: String
    /// The file.
    public var path: String
    /// Why it was rejected.
    public var reason: String
}

/// Finds the tiles of the configured inputs with GroundStation's `TileDiscovery`.
///
/// Tiles are sorted by id (UTF-8 byte order), the canonical order of reports, shards and merge. Files under the
/// output folder are never inputs (when the output folder lies inside an input folder).
public enum TileSourceDiscovery {
    /// Lists tiles and rejects.
    /// - Throws: `PipelineError.inputUnreadable` when an input does not exist, or when two inputs share an id
    ///   (they would write the same outputs).
    public static func discover(_ inputs: [InputSpec], excluding: String? = nil) throws -> (tiles: [TileSource], rejects: [DiscoveryReject]) {
        let excluded = excluding.map { URL(fileURLWithPath: $0).standardizedFileURL.path + "/" }
        func isExcluded(_ p: String) -> Bool {
            guard let excluded else { return false }
            return URL(fileURLWithPath: p).standardizedFileURL.path.hasPrefix(excluded)
        }
        var tiles: [TileSource] = []
        var rejects: [DiscoveryReject] = []
        var seen: [String: String] = [:]
        for spec in inputs {
            let found: TileDiscovery.Found
            do { found = try TileDiscovery.scan(path: spec.path, bandMap: spec.bands, date: spec.date, role: spec.role) } catch {
                throw PipelineError.inputUnreadable(path: spec.path, reason: "\(error)")
            }
            for input in found.inputs where !input.files.contains(where: isExcluded) {
                let t = TileSource(input: input)
                if let pattern = spec.pattern, fnmatch(pattern, (t.path as NSString).lastPathComponent, 0) != 0 { continue }
                if let refused = OutputNames.refusal(of: t) { rejects.append(refused); continue }   // ids become paths
                if let other = seen[t.id] {
                    throw PipelineError.inputUnreadable(path: t.path, reason: "tile id '\(t.id)' is also the id of \(other); rename one")
                }
                seen[t.id] = t.path
                tiles.append(t)
            }
            for r in found.rejects where !isExcluded(r.path) {
                let name = (r.path as NSString).lastPathComponent
                if let pattern = spec.pattern, fnmatch(pattern, name, 0) != 0 { continue }
                rejects.append(DiscoveryReject(id: (name as NSString).deletingPathExtension, path: r.path, reason: r.reason))
            }
        }
        let byId: (String, String) -> Bool = { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        return (tiles.sorted { byId($0.id, $1.id) }, OutputNames.uniqueRejectIds(rejects, tiles: tiles))   // one row per input
    }
}
