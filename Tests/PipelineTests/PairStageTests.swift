import Foundation
@testable import Pipeline
import Products
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Phase 2 on the executor: every job on every pair is a `PairStage` item, bounded in flight, and the outputs do
/// not depend on the scheduling.
final class PairStageTests: XCTestCase {
    /// Three pair keys of two dates each (half of each later tile floods).
    static func writeInputs(_ input: URL) throws {
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        for key in ["x", "y", "z"] {
            try PairPhaseTests.writeDated(input.appendingPathComponent("\(key)_20250101.tif").path, date: "2025-01-01T00:00:00Z", water: false)
            try PairPhaseTests.writeDated(input.appendingPathComponent("\(key)_20250301.tif").path, date: "2025-03-01T00:00:00Z", water: true)
        }
    }

    static func run(_ input: URL, _ out: URL, jobs: Int, maxInFlight: Int) throws -> RunSummary {
        let config = try PairPhaseTests.config(input, out, job: "{kind: flood}\n  - {kind: landslide}")
        return try PipelineRunner.run(config: config, options: RunOptions(jobs: jobs, maxInFlight: maxInFlight, toolVersion: "test"),
                                      logger: PipelineRunner.silentLogger)
    }

    /// Every file under `pairs/`, relative path → bytes.
    static func pairFiles(_ out: URL) throws -> [String: Data] {
        let dir = out.appendingPathComponent("pairs")
        var files: [String: Data] = [:]
        for rel in FileManager.default.enumerator(atPath: dir.path)?.allObjects as? [String] ?? [] {
            var isDir: ObjCBool = false
            let full = dir.appendingPathComponent(rel)
            if FileManager.default.fileExists(atPath: full.path, isDirectory: &isDir), !isDir.boolValue { files[rel] = try Data(contentsOf: full) }
        }
        return files
    }

    func testPairOutputsAreByteIdenticalWhateverTheScheduling() throws {
        let root = try TestData.temporaryDirectory("pair-stage")
        defer { try? FileManager.default.removeItem(at: root) }
        let input = root.appendingPathComponent("in")
        try Self.writeInputs(input)
        let serial = root.appendingPathComponent("serial"), parallel = root.appendingPathComponent("parallel")
        XCTAssertEqual(try Self.run(input, serial, jobs: 1, maxInFlight: 1).exitCode, 0)
        XCTAssertEqual(try Self.run(input, parallel, jobs: 2, maxInFlight: 4).exitCode, 0)
        let a = try Self.pairFiles(serial), b = try Self.pairFiles(parallel)
        // 3 keys × 2 jobs × (map, quicklook, world file), besides their sidecars and STAC items.
        XCTAssertEqual(a.keys.filter { [".tif", ".png", ".pgw"].contains(where: $0.hasSuffix) }.count, 18, "\(a.keys.sorted())")
        XCTAssertEqual(a, b)
        let pa = try RunCatalog(directory: serial.path).allPairs(), pb = try RunCatalog(directory: parallel.path).allPairs()
        XCTAssertEqual(pa.count, 9, "change, flood and landslide on three pairs")
        XCTAssertEqual(pa, pb)
        // Each recorded output (map, quicklook, world file and the GIS sidecars: .tif.aux.xml, .qml, .png.aux.xml)
        // carries the size and hash of the file on disk, although the run computed them while writing; every file
        // under pairs/ but the STAC items (run products, rewritten from the catalog) is a recorded output.
        let outputs = pa.flatMap(\.outputs)
        XCTAssertEqual(outputs.count, 36)
        XCTAssertEqual(Set(outputs.map(\.path)), Set(a.keys.filter { !$0.hasSuffix(".json") }.map { "pairs/" + $0 }))
        for o in outputs {
            let path = serial.appendingPathComponent(o.path).path
            XCTAssertEqual(o.hash, Fingerprint.file(path), o.path)
            XCTAssertEqual(o.bytes, (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue, o.path)
        }
    }

    /// The work list in canonical order, run by the executor with `PairStage`: results in list order, at most
    /// `max_in_flight` pairs between ingest and write, equal to what the run recorded.
    func testPairWorkRunsOnTheExecutorInOrder() throws {
        let root = try TestData.temporaryDirectory("pair-stage-exec")
        defer { try? FileManager.default.removeItem(at: root) }
        let input = root.appendingPathComponent("in"), out = root.appendingPathComponent("out")
        try Self.writeInputs(input)
        XCTAssertEqual(try Self.run(input, out, jobs: 1, maxInFlight: 1).exitCode, 0)
        let catalog = try RunCatalog(directory: out.path)
        let config = try PairPhaseTests.config(input, out, job: "{kind: flood}\n  - {kind: landslide}")
        let work = PairPhase.plan(rows: try catalog.allTiles(), monitor: config.monitor ?? [], classification: true)
        XCTAssertEqual(work.map(\.id), ["change:x:2025-01-01:2025-03-01", "flood:x:2025-01-01:2025-03-01", "landslide:x:2025-01-01:2025-03-01",
                                        "change:y:2025-01-01:2025-03-01", "flood:y:2025-01-01:2025-03-01", "landslide:y:2025-01-01:2025-03-01",
                                        "change:z:2025-01-01:2025-03-01", "flood:z:2025-01-01:2025-03-01", "landslide:z:2025-01-01:2025-03-01"])
        let settings = PairPhase.Settings(directory: out.path, provenance: Provenance(version: "test", pipelineHash: PipelineRunner.configHash(config)),
                                          codec: .deflate, tileSize: 512)
        let (results, observed) = TileExecutor(options: .init(jobs: 2, maxInFlight: 3)).run(work, stage: PairStage(settings: settings)) { _, _, _ in }
        XCTAssertLessThanOrEqual(observed.maxInFlight, 3)
        XCTAssertLessThanOrEqual(observed.maxComputing, 2)
        let pairs = try results.map { try $0.get() }
        XCTAssertEqual(pairs.map(\.id), work.map(\.id))
        XCTAssertEqual(pairs, try catalog.allPairs().sorted { work.map(\.id).firstIndex(of: $0.id)! < work.map(\.id).firstIndex(of: $1.id)! })
    }

    /// After a stop request the executor takes no further pair: those pairs are listed as failed, not dropped.
    func testPairsAStopRequestKeptFromRunningAreListedAsFailed() throws {
        let root = try TestData.temporaryDirectory("pair-stage-stop")
        defer { try? FileManager.default.removeItem(at: root) }
        let input = root.appendingPathComponent("in"), out = root.appendingPathComponent("out")
        try Self.writeInputs(input)
        XCTAssertEqual(try Self.run(input, out, jobs: 1, maxInFlight: 1).exitCode, 0)
        let rows = try RunCatalog(directory: out.path).allTiles()
        RunInterruption.reset()
        RunInterruption.request(SIGINT)
        defer { RunInterruption.reset() }
        let pairs = PairPhase.run(rows: rows, monitor: [], directory: out.path, provenance: Provenance(version: "test", pipelineHash: "x"),
                                  classification: true)
        XCTAssertEqual(pairs.map(\.id), ["change:x:2025-01-01:2025-03-01", "change:y:2025-01-01:2025-03-01", "change:z:2025-01-01:2025-03-01"])
        XCTAssertTrue(pairs.allSatisfy { $0.failure?.contains("stopped by a signal") == true }, "\(pairs.map(\.failure))")
        XCTAssertEqual(pairs.map { $0.failureEntry?.kind }, [.interrupted, .interrupted, .interrupted])
    }

    /// A pair whose phase-1 product cannot be read fails with the reader's kind (io or corrupt), not as a config error,
    /// and only that pair fails.
    func testPairWithAnUnreadableProductFailsWithTheReadersKind() throws {
        let root = try TestData.temporaryDirectory("pair-stage-unreadable")
        defer { try? FileManager.default.removeItem(at: root) }
        let input = root.appendingPathComponent("in"), out = root.appendingPathComponent("out")
        try Self.writeInputs(input)
        XCTAssertEqual(try Self.run(input, out, jobs: 1, maxInFlight: 1).exitCode, 0)
        let rows = try RunCatalog(directory: out.path).allTiles()
        let x = try XCTUnwrap(rows.first { $0.id.hasPrefix("x") && $0.id.contains("20250301") }, "\(rows.map(\.id))")
        let map = try XCTUnwrap(x.result?.products.classMap, "the after tile of x has a class map")
        try Data("not a tiff".utf8).write(to: out.appendingPathComponent(map))
        let pairs = PairPhase.run(rows: rows, monitor: [], directory: out.path, provenance: Provenance(version: "test", pipelineHash: "x"),
                                  classification: true)
        let failed = pairs.filter { $0.failure != nil }
        XCTAssertEqual(failed.map(\.key), ["x"], "\(pairs.map(\.failure))")
        let kind = try XCTUnwrap(failed.first?.failureEntry?.kind)
        XCTAssertTrue([.io, .corrupt].contains(kind), "kind \(kind)")
    }
}
