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
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw ManifestError.unreadable(file: path, reason: "no such file or folder")
        }
        var inputs = [TileInput]()
        var rejects = [(path: String, reason: String)]()
        if !isDir.boolValue {
            let ext = (path as NSString).pathExtension.lowercased()
            if ext == "tif" || ext == "tiff" {
                looseTile(path, bandMap: bandMap, into: &inputs, rejects: &rejects)
            } else {
                do { inputs.append(input(for: try SceneManifest.read(path: path))) }
                catch { rejects.append((path, "\(error)")) }
            }
            return (inputs, rejects)
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
                if name.hasPrefix(".") || AtomicFile.isTemporaryName(name) { continue }
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
            for f in files {
                let name = (f as NSString).lastPathComponent
                let ext = (name as NSString).pathExtension.lowercased()
                guard ext == "tif" || ext == "tiff", !consumed.contains(f) else { continue }
                if name.lowercased().hasPrefix("truth-") { continue }
                if hasManifest {
                    rejects.append((f, "TIFF in a scene folder that no manifest there references"))
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
        return (inputs, rejects)
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
        TileInput(id: m.tileID, files: m.files, date: m.info.acquired, source: .manifest(m))
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
            let reader = try GeoTIFFReader(path: f)
            let d = reader.description
            _ = try LooseTile.bandNumbers(path: f, description: d, bandMap: bandMap)
            let stem = ((f as NSString).lastPathComponent as NSString).deletingPathExtension
            let date = (d.metadata["ACQUISITION_DATE"] ?? d.metadata["ACQUISITION_TIME"] ?? d.metadata["TIFFTAG_DATETIME"])
                .flatMap { ISO8601.parse($0) ?? tiffDate($0) }
            inputs.append(TileInput(id: stem, files: [f], date: date, source: .loose(path: f, bandMap: bandMap)))
        } catch let e as RasterIOError {
            rejects.append((f, e.reason))
        } catch {
            rejects.append((f, "\(error)"))
        }
    }

    /// `YYYY:MM:DD HH:MM:SS` (TIFF DateTime), read as UTC.
    static func tiffDate(_ s: String) -> Date? {
        let p = s.split(whereSeparator: { $0 == ":" || $0 == " " }).compactMap { Int($0) }
        guard p.count == 6 else { return nil }
        var c = DateComponents()
        (c.year, c.month, c.day, c.hour, c.minute, c.second) = (p[0], p[1], p[2], p[3], p[4], p[5])
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        return cal.date(from: c)
    }
}
