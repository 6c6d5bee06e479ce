import Foundation
import RasterCore
import RasterIO

/// Finding tiles on disk.
public enum TileDiscovery {
    /// Scans `path` (a folder, recursively, or one file). `bandMap` maps common names to 1-based band numbers
    /// for loose multi-band tiles with no manifest (pipeline.yaml `bands: {blue: 1, ...}`); scene folders use
    /// their manifest. Files that cannot be understood are returned as rejects (path + reason), not thrown.
    ///
    /// Rules, per folder: every `scene.json`, `*MTL.txt`, `*MTL.json` and STAC item JSON is read as a
    /// manifest (one input each; a manifest that fails to parse is a reject with the `ManifestError`); in a
    /// folder without one, MODIS band-per-file products form one scene per product prefix (`MODISBandFiles`). TIFFs
    /// referenced by a manifest belong to it; `truth-*.tif` (simulator ground truth) and hidden/temporary files
    /// are skipped; any other TIFF in a folder that has a manifest is a reject; TIFFs in folders without a
    /// manifest are loose tiles (the header is read to check them). Other files are ignored. Inputs are sorted
    /// by id; ids that collide get their folder path prepended.
    /// Throws only when `path` does not exist.
    public static func discover(path: String, bandMap: [String: Int]?) throws -> (inputs: [TileInput], rejects: [(path: String, reason: String)]) {
        let d = try scan(path: path, bandMap: bandMap)
        return (d.inputs, d.rejects)
    }

    /// What a scan found: tiles, files that look like rasters but cannot be used (rejects: failed tiles), and
    /// every other file with why it is not an input (ignored: sidecars, reports, unknown formats).
    public struct Found: Sendable {
        /// Tiles, sorted by id.
        public var inputs: [TileInput] = []
        /// Raster or manifest files that cannot be used, with the reason.
        public var rejects: [(path: String, reason: String)] = []
        /// Files that are not inputs, with the reason.
        public var ignored: [(path: String, reason: String)] = []
    }

    /// `discover`, plus the ignored files. `date` is `inputs[].date` (overrides every other date source) and
    /// `role` `inputs[].role` (`pre`/`post`), stamped on every tile found. Each tile's date and its source
    /// (`AcquisitionDate`) are set: the manifest's acquisition time, or for plain rasters the config date, GDAL
    /// metadata, a date token in the file or folder name, or TIFFTAG_DATETIME.
    public static func scan(path: String, bandMap: [String: Int]?, date: String? = nil, role: String? = nil) throws -> Found {
        var found = try scanFiles(path: path, bandMap: bandMap, date: date)
        for i in found.inputs.indices {
            found.inputs[i].role = role
            if let date, let d = AcquisitionDate.find(path: found.inputs[i].files.first ?? path, metadata: [:], configured: date) {
                found.inputs[i].date = d.date
                found.inputs[i].dateSource = d
            }
        }
        return found
    }

    static func scanFiles(path: String, bandMap: [String: Int]?, date: String?) throws -> Found {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw ManifestError.unreadable(file: path, reason: "no such file or folder")
        }
        var inputs = [TileInput]()
        var rejects = [(path: String, reason: String)]()
        var ignored = [(path: String, reason: String)]()
        if !isDir.boolValue {
            let ext = (path as NSString).pathExtension.lowercased()
            if LooseTile.extensions.contains(ext) {
                looseTile(path, bandMap: bandMap, into: &inputs, rejects: &rejects)
            } else {
                do { inputs.append(input(for: try SceneManifest.read(path: path))) }
                catch { rejects.append((path, "\(error)")) }
            }
            return Found(inputs: inputs, rejects: rejects, ignored: ignored)
        }
        let root = URL(fileURLWithPath: path).standardizedFileURL.path
        var byFolder = [String: [String]]()
        if let e = FileManager.default.enumerator(atPath: root) {
            while let rel = e.nextObject() as? String {
                let full = (root as NSString).appendingPathComponent(rel)
                var d: ObjCBool = false
                guard FileManager.default.fileExists(atPath: full, isDirectory: &d) else {
                    // Listed but not resolvable: a symlink loop, a dangling link, or a name Foundation could not
                    // decode (non-UTF-8 bytes). A TIFF-named entry is reported, never dropped silently.
                    if let reason = unresolvableReason(full) { rejects.append((full, reason)) }
                    continue
                }
                guard !d.boolValue else { continue }
                let name = (rel as NSString).lastPathComponent
                if name.hasPrefix(".") || AtomicFile.isTemporaryName(name) {
                    ignored.append((full, "hidden or temporary file"))
                    continue
                }
                byFolder[(full as NSString).deletingLastPathComponent, default: []].append(full)
            }
        }
        for folder in byFolder.keys.sorted() {
            let files = byFolder[folder]!.sorted()
            var consumed = Set<String>()
            var hasManifest = false
            for f in files where isManifestCandidate(f) {
                do {
                    let m = try SceneManifest.read(path: f)
                    hasManifest = true
                    consumed.formUnion(m.files)
                    inputs.append(input(for: m))
                } catch let e as ManifestError {
                    if case .unreadable = e, !isNamedManifest(f) { continue }  // some other JSON file
                    hasManifest = true
                    rejects.append((f, e.description))
                } catch {
                    rejects.append((f, "\(error)"))
                }
            }
            if !hasManifest {
                for (m, used) in MODISBandFiles.scenes(in: files) {
                    hasManifest = true
                    consumed.formUnion(used)
                    inputs.append(input(for: m))
                }
            }
            let manifests = Set(inputs.flatMap(\.files))
            for f in files {
                let name = (f as NSString).lastPathComponent
                let ext = (name as NSString).pathExtension.lowercased()
                if consumed.contains(f) || manifests.contains(f) { continue }
                guard LooseTile.extensions.contains(ext) else {
                    if !isManifestCandidate(f) { ignored.append((f, ignoredReason(f, among: files))) }
                    continue
                }
                if name.lowercased().hasPrefix("truth-") { ignored.append((f, "simulator ground truth")); continue }
                if hasManifest {
                    rejects.append((f, "\(ext.uppercased()) in a scene folder that no manifest there references"))
                } else {
                    looseTile(f, bandMap: bandMap, into: &inputs, rejects: &rejects)
                }
            }
        }
        // Disambiguate colliding ids with the folder path relative to the root.
        let counts = Dictionary(grouping: inputs, by: \.id).mapValues(\.count)
        for i in inputs.indices where counts[inputs[i].id]! > 1 {
            let anchor = inputs[i].files.first { !$0.hasSuffix(".json") && !$0.hasSuffix(".txt") } ?? inputs[i].files[0]
            let relFolder = String((anchor as NSString).deletingLastPathComponent.dropFirst(root.count))
                .split(separator: "/").joined(separator: "_")
            if !relFolder.isEmpty { inputs[i].id = relFolder + "_" + inputs[i].id }
        }
        inputs.sort { $0.id < $1.id }
        return Found(inputs: inputs, rejects: rejects, ignored: ignored)
    }

    /// Why a file that is neither a raster nor a manifest is not an input.
    static func ignoredReason(_ f: String, among files: [String]) -> String {
        let name = (f as NSString).lastPathComponent
        let lower = name.lowercased()
        let ext = (name as NSString).pathExtension.lowercased()
        let stem = (name as NSString).deletingPathExtension
        let images = files.filter { LooseTile.extensions.contains(($0 as NSString).pathExtension.lowercased()) }
        if ["pgw", "pngw", "wld", "tfw", "tifw", "prj"].contains(ext) || lower.hasSuffix(".aux.xml") || ext == "ovr" || ext == "msk" {
            let base = lower.hasSuffix(".aux.xml") ? String(name.dropLast(8)) : stem
            if let img = images.first(where: { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension == base
                                                || ($0 as NSString).lastPathComponent == base }) {
                return "sidecar of \((img as NSString).lastPathComponent) (georeferencing/metadata, read with it)"
            }
            return "sidecar file with no image beside it"
        }
        if ext == "json" { return "JSON file that is not a scene manifest (no stac_version/assets, not scene.json)" }
        if ["jpg", "jpeg", "jp2", "gif", "bmp", "webp"].contains(ext) { return "image format TilePipe does not read (.\(ext)); convert to GeoTIFF or PNG" }
        return "not a raster (GeoTIFF, PNG) or scene manifest"
    }

    /// A TileInput for a manifest.
    /// Why a listed TIFF-named entry cannot be opened, or nil for other names.
    static func unresolvableReason(_ full: String) -> String? {
        let ext = ((full as NSString).pathExtension).lowercased()
        guard ext == "tif" || ext == "tiff" else { return nil }
        var st = stat()
        if stat(full, &st) == 0 { return nil }
        let e = errno
        if e == ELOOP { return "symbolic link loop" }
        if lstat(full, &st) == 0 { return "dangling symbolic link (\(String(cString: strerror(e))))" }
        if full.unicodeScalars.contains("\u{FFFD}") { return "file name is not valid UTF-8 (shown with U+FFFD); rename it" }
        return String(cString: strerror(e))
    }

    static func input(for m: SceneManifest) -> TileInput {
        var t = TileInput(id: m.tileID, files: m.files, date: m.info.acquired, source: .manifest(m))
        if let d = m.info.acquired { t.dateSource = AcquisitionDate(date: d, source: .manifest, evidence: (m.path as NSString).lastPathComponent) }
        return t
    }

    static func isNamedManifest(_ f: String) -> Bool {
        let n = (f as NSString).lastPathComponent.lowercased()
        return n == "scene.json" || n.hasSuffix("mtl.txt") || n.hasSuffix("mtl.json")
    }

    static func isManifestCandidate(_ f: String) -> Bool {
        if isNamedManifest(f) { return true }
        guard (f as NSString).pathExtension.lowercased() == "json" else { return false }
        // A STAC item: a small JSON whose text mentions stac_version and assets.
        guard let attrs = try? FileManager.default.attributesOfItem(atPath: f), let size = attrs[.size] as? Int, size < 4 << 20,
              let data = FileManager.default.contents(atPath: f) else { return false }
        let text = String(decoding: data.prefix(200_000), as: UTF8.self)
        return text.contains("\"stac_version\"") && text.contains("\"assets\"")
    }

    static func looseTile(_ f: String, bandMap: [String: Int]?, into inputs: inout [TileInput], rejects: inout [(path: String, reason: String)]) {
        do {
            // Header only: a scene past the whole-image decode limit is still a tile (it is processed in windows;
            // a tile that must be read whole fails at ingest, naming the file and the limit).
            let d = try LooseTile.describe(path: f, forWindows: true)
            _ = try LooseTile.bandNumbers(path: f, description: d, bandMap: bandMap)
            let stem = ((f as NSString).lastPathComponent as NSString).deletingPathExtension
            let when = AcquisitionDate.find(path: f, metadata: d.metadata)
            var input = TileInput(id: stem, files: [f] + sidecars(of: f), date: when?.date, source: .loose(path: f, bandMap: bandMap))
            input.dateSource = when
            inputs.append(input)
        } catch let e as RasterIOError {
            rejects.append((f, e.reason))
        } catch {
            rejects.append((f, "\(error)"))
        }
    }

    /// The world file, .prj and .aux.xml beside an image (part of its input hash).
    static func sidecars(of image: String) -> [String] {
        let base = (image as NSString).deletingPathExtension
        let candidates = ["pgw", "pngw", "wld", "tfw", "prj", "PGW", "WLD", "PRJ"].map { base + "." + $0 } + [image + ".aux.xml"]
        return candidates.filter { FileManager.default.fileExists(atPath: $0) }.sorted()
    }
}
