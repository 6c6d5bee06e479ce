import XCTest
import Foundation
import RasterCore
import TestSupport
@testable import GroundStation

/// The parallel, table-driven simulator writes the bytes the serial point-by-point one wrote.
///
/// The expected digests were taken from the serial simulator (main at 057282e, before rows were rendered in
/// parallel and noise was tabulated) with `tilepipe simulate` and the same options; SampleTiles covers the flood
/// and fire events (`SimulatorTests.testSampleTilesRegenerateByteIdentical`), these cover landslide, drought,
/// no event, another satellite and tile sizes that do not divide into the row chunks.
final class SimulatorParallelTests: XCTestCase {
    /// FNV-1a 64 over every file under `root`, sorted by relative path: path bytes, a 0 byte, then the contents.
    func digest(_ root: String) throws -> (hash: UInt64, files: Int) {
        let e = FileManager.default.enumerator(atPath: root)!
        var rels = [String]()
        while let rel = e.nextObject() as? String {
            var d: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + rel, isDirectory: &d), !d.boolValue { rels.append(rel) }
        }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for rel in rels.sorted() {
            let data = try Data(contentsOf: URL(fileURLWithPath: root + "/" + rel))
            for b in Array(rel.utf8) + [0] + [UInt8](data) { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        }
        return (h, rels.count)
    }

    func check(_ config: SimulationConfig, hash: UInt64, files: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = try TestData.temporaryDirectory("sim-parallel")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try Simulator.run(config, outputDirectory: dir.path)
        let d = try digest(dir.path)
        XCTAssertEqual(d.files, files, file: file, line: line)
        XCTAssertEqual(String(d.hash, radix: 16), String(hash, radix: 16), "output differs from the serial simulator's", file: file, line: line)
    }

    func testLandslideMatchesSerialOutput() throws {
        try check(SimulationConfig(seed: 5, satellite: "Anxi Tieguanyin-2", rows: 2, columns: 2, size: 40, dates: 2, event: .landslide),
                  hash: 0x6ff5_d42a_bb4a_3eb6, files: 32)
    }

    func testDroughtMatchesSerialOutput() throws {
        try check(SimulationConfig(seed: 5, satellite: "Anxi Tieguanyin-2", rows: 2, columns: 2, size: 40, dates: 2, event: .drought),
                  hash: 0x2cf3_37f3_38fa_fde8, files: 32)
    }

    func testNoEventMatchesSerialOutput() throws {
        try check(SimulationConfig(seed: 9, satellite: "Huaxiangyuan-1", rows: 1, columns: 2, size: 72, dates: 1),
                  hash: 0x5578_e6fc_eee9_1429, files: 6)
    }

    /// A chunk's generator, started `k` draws into the stream, continues exactly where the serial stream is.
    func testNoiseGeneratorSkipsAhead() {
        var serial = SplitMix64(seed: 0xABCDEF)
        for _ in 0..<1234 { _ = serial.next() }
        var skipped = SceneRender.noiseGenerator(seed: 0xABCDEF, skipping: 1234)
        for _ in 0..<10 { XCTAssertEqual(skipped.next(), serial.next()) }
    }

    /// The tabulated noise equals the hashed noise bit for bit, inside the table and outside it (fallback).
    func testFBMTableEqualsNoiseField() {
        let field = NoiseField(seed: 42).derived(3)
        let table = FBMTable(field, scale: 700, octaves: 3, x0: 620_000, y0: 2_770_000, x1: 625_000, y1: 2_775_000)
        var rng = SplitMix64(seed: 1)
        for _ in 0..<2000 {
            let x = 619_000 + 7000 * rng.nextUnit(), y = 2_769_000 + 7000 * rng.nextUnit()
            XCTAssertEqual(table.fbm(x, y).bitPattern, field.fbm(x, y, scale: 700, octaves: 3).bitPattern)
        }
    }
}
