import Foundation
import Logging
import Pipeline
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// One run of the repository's `pipeline.yaml` over `SampleTiles/`, shared by the default-job tests (a debug run
/// takes several seconds; every test reads its outputs, none writes into them).
enum SampleTilesRun {
    struct Result: @unchecked Sendable {
        var directory: URL
        var summary: RunSummary
        var config: PipelineConfig
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cached: Result?

    /// The repository's pipeline.yaml, with the output folder replaced.
    static func config(output: URL, overrides: [String] = []) throws -> PipelineConfig {
        let root = TestData.packageRoot
        var c = try PipelineConfig.load(path: root.appendingPathComponent("pipeline.yaml").path, overrides: overrides)
        for i in c.inputs.indices where !c.inputs[i].path.hasPrefix("/") {
            c.inputs[i].path = root.appendingPathComponent(c.inputs[i].path).path
        }
        c.outputs.directory = output.path
        return c
    }

    /// The shared run (made on first use).
    static func shared() throws -> Result {
        try lock.withLock {
            if let cached { return cached }
            guard FileManager.default.fileExists(atPath: TestData.packageRoot.appendingPathComponent("SampleTiles/flood").path) else {
                throw Skip.because("SampleTiles/ absent")
            }
            let dir = try TestData.temporaryDirectory("pipeline-sampletiles")
            let c = try config(output: dir)
            let summary = try PipelineRunner.run(config: c, options: RunOptions(jobs: 2, toolVersion: "test"),
                                                 logger: PipelineRunner.silentLogger)
            let r = Result(directory: dir, summary: summary, config: c)
            cached = r
            return r
        }
    }

    /// Deletes the shared run's folder (after the last test that reads it).
    static func removeShared() {
        lock.withLock {
            if let d = cached?.directory { try? FileManager.default.removeItem(at: d) }
            cached = nil
        }
    }

    /// Relative paths of every file under `dir` with extension `ext`, sorted.
    static func files(_ dir: URL, ext: String) -> [String] {
        ((FileManager.default.enumerator(atPath: dir.path)?.allObjects as? [String]) ?? [])
            .filter { ($0 as NSString).pathExtension == ext && !($0 as NSString).lastPathComponent.hasPrefix(".") }.sorted()
    }

    /// Pixel counts per code of a one-band UInt8 GeoTIFF.
    static func classCounts(_ path: String) throws -> [Int: Int] {
        let r: Raster<UInt8> = try GeoTIFFReader(path: path).read(UInt8.self, window: nil, bands: [0])
        var out: [Int: Int] = [:]
        for v in r.samples { out[Int(v), default: 0] += 1 }
        return out
    }

    /// report.json parsed.
    static func reportJSON(_ dir: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: dir.appendingPathComponent("report.json"))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    /// report.json without the run's own times (which differ between runs): the figures only.
    static func figures(_ dir: URL) throws -> String {
        var doc = try reportJSON(dir)
        var report = doc["report"] as? [String: Any] ?? [:]
        report["run"] = nil
        doc["report"] = report
        let data = try JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// GDAL's COG validator invocation (python3 with GDAL's utilities), or nil.
    static let cogValidator: (python: String, args: [String])? = {
        for py in ["/usr/bin/python3", "python3"] {
            guard py.hasPrefix("/") ? FileManager.default.isExecutableFile(atPath: py) : TestData.hasTool(py) else { continue }
            if let r = try? TestData.run(py, ["-c", "import osgeo_utils.samples.validate_cloud_optimized_geotiff"]), r.status == 0 {
                return (py, ["-m", "osgeo_utils.samples.validate_cloud_optimized_geotiff"])
            }
        }
        return nil
    }()

    /// A python3 that imports GDAL's bindings, or nil.
    static let gdalPython: String? = {
        for py in ["/usr/bin/python3", "python3"] {
            if let r = try? TestData.run(py, ["-c", "from osgeo import gdal"]), r.status == 0 { return py }
        }
        return nil
    }()
}
