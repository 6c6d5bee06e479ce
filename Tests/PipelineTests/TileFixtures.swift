import Foundation
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// Small synthetic multi-band tiles written with the project's GeoTIFF writer (deterministic content).
enum TileFixtures {
    static let bandMap = "{blue: 1, green: 2, red: 3, nir: 4, swir16: 5, swir22: 6}"

    /// Writes `count` UInt16 6-band tiles `t00_20250101.tif`… into `dir`; returns their paths.
    @discardableResult
    static func writeTiles(count: Int, into dir: URL, size: Int = 64, seed: UInt64 = 1, names: [String]? = nil) throws -> [String] {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var paths: [String] = []
        for i in 0..<count {
            let name = names?[i] ?? String(format: "t%02d_20250101", i)
            let path = dir.appendingPathComponent("\(name).tif").path
            try writeTile(path, size: size, seed: seed &+ UInt64(i) &* 7919, column: i)
            paths.append(path)
        }
        return paths
    }

    /// One tile; values from a 64-bit LCG so every seed gives other bytes. Pixel (0,0) of band 3 and 4 is 0 (NaN index).
    static func writeTile(_ path: String, size: Int, seed: UInt64, column: Int = 0,
                          bandNames: [String] = ["blue", "green", "red", "nir", "swir16", "swir22"]) throws {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        var samples = [UInt16](repeating: 0, count: size * size * bandNames.count)
        for i in samples.indices {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            samples[i] = UInt16((state >> 33) % 10000)
        }
        samples[2 * size * size] = 0
        samples[3 * size * size] = 0
        let geo = GeoReference(transform: GeoTransform(originX: 500_000 + Double(column * size) * 30, pixelWidth: 30,
                                                       originY: 2_800_000, pixelHeight: -30),
                               crs: CRS(epsg: 32650))
        let raster = Raster<UInt16>(width: size, height: size, samples: samples,
                                    bands: bandNames.map { BandInfo(description: $0, scale: 0.0001) }, geo: geo)
        try GeoTIFFWriter.write(raster, to: path)
    }

    /// The minimum config of the issue, pointing at `input` and `output`.
    static func minimalYAML(input: String, output: String, indices: String = "[ndvi, ndwi]") -> String {
        """
        version: 1
        inputs:
          - path: \(input)
            bands: \(bandMap)   # loose multi-band tiles with no scene manifest
        indices: \(indices)
        outputs:
          directory: \(output)
        """
    }

    /// All regular files under `dir` (relative path → bytes), excluding the catalog, run.json, SQLite side files and
    /// the reports that carry the run's own times (report.json/md/html; compare `reportFigures` instead).
    static func outputFiles(_ dir: URL) -> [String: Data] {
        var out: [String: Data] = [:]
        guard let e = FileManager.default.enumerator(atPath: dir.path) else { return out }
        while let rel = e.nextObject() as? String {
            let full = dir.appendingPathComponent(rel)
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full.path, isDirectory: &isDir), !isDir.boolValue else { continue }
            if rel.hasPrefix("catalog.sqlite") || ["run.json", "report.json", "report.md", "report.html"].contains(rel) { continue }
            out[rel] = FileManager.default.contents(atPath: full.path)
        }
        return out
    }

    /// report.json without its run block (times): the figures, which must not depend on how the run went.
    static func reportFigures(_ dir: URL) throws -> String {
        let data = try Data(contentsOf: dir.appendingPathComponent("report.json"))
        var doc = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        var report = doc["report"] as? [String: Any] ?? [:]
        report["run"] = nil
        // Whether a tile was computed by the last run or left unchanged from an earlier one is not a figure: a
        // resumed run reports the tiles its killed predecessors finished as unchanged.
        report["tiles"] = (report["tiles"] as? [[String: Any]] ?? []).map { t in var t = t; t["status"] = nil; return t }
        var summary = doc["summary"] as? [String: Any] ?? [:]
        let processed = (summary["tilesDone"] as? Int ?? 0) + (summary["tilesSkipped"] as? Int ?? 0)
        summary["tilesDone"] = nil; summary["tilesSkipped"] = nil; summary["tilesProcessed"] = processed
        doc["summary"] = summary
        doc["report"] = report
        return String(decoding: try JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys]), as: UTF8.self)
    }

    /// Names of temporaries left under `dir`.
    static func temporaries(_ dir: URL) -> [String] {
        (FileManager.default.enumerator(atPath: dir.path)?.allObjects as? [String] ?? [])
            .filter { AtomicFile.isTemporaryName(($0 as NSString).lastPathComponent) }
    }

    /// The built `tilepipe` executable, or nil.
    static var tilepipeBinary: String? { ToolWorkspace.builtBinary }
}
