import XCTest
import Foundation
import RasterCore
import RasterIO
import TestSupport
@testable import GroundStation

/// The simulator: determinism, the committed SampleTiles, and spectra that behave like real imagery.
final class SimulatorTests: XCTestCase {
    var sampleTiles: String { TestData.packageRoot.appendingPathComponent("SampleTiles").path }

    func files(under root: String) -> [String] {
        let e = FileManager.default.enumerator(atPath: root)!
        var out = [String]()
        while let rel = e.nextObject() as? String {
            var d: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + rel, isDirectory: &d), !d.boolValue, !rel.hasSuffix("README.md") { out.append(rel) }
        }
        return out.sorted()
    }

    func testSameSeedSameBytesOtherSeedOtherBytes() throws {
        let a = try TestData.temporaryDirectory("sim-a"), b = try TestData.temporaryDirectory("sim-b"), c = try TestData.temporaryDirectory("sim-c")
        defer { for u in [a, b, c] { try? FileManager.default.removeItem(at: u) } }
        let cfg = SimulationConfig(seed: 3, satellite: "Huaxiangyuan-1", rows: 1, columns: 2, size: 48, dates: 3, event: .drought)
        let fa = try Simulator.run(cfg, outputDirectory: a.path)
        _ = try Simulator.run(cfg, outputDirectory: b.path)
        var other = cfg
        other.seed = 4
        _ = try Simulator.run(other, outputDirectory: c.path)
        XCTAssertEqual(fa.count, 3 * 2 * 4)  // 3 dates × 2 tiles × (tif, scene.json, truth-landcover, truth-event)
        let la = files(under: a.path)
        XCTAssertEqual(la, files(under: b.path))
        for f in la {
            XCTAssertEqual(FileManager.default.contents(atPath: a.path + "/" + f), FileManager.default.contents(atPath: b.path + "/" + f), f)
        }
        let tif = la.first { $0.hasSuffix("_r0c0.tif") }!
        XCTAssertNotEqual(FileManager.default.contents(atPath: a.path + "/" + tif), FileManager.default.contents(atPath: c.path + "/" + tif))
    }

    func testSampleTilesRegenerateByteIdentical() throws {
        guard FileManager.default.fileExists(atPath: sampleTiles + "/README.md") else { throw Skip.because("SampleTiles absent") }
        let tmp = try TestData.temporaryDirectory("sampletiles")
        defer { try? FileManager.default.removeItem(at: tmp) }
        // The commands of SampleTiles/README.md.
        _ = try Simulator.run(SimulationConfig(seed: 7, satellite: "Anxi Tieguanyin-1", rows: 2, columns: 2, size: 256, event: .flood),
                              outputDirectory: tmp.path + "/flood")
        _ = try Simulator.run(SimulationConfig(seed: 11, satellite: "Huaxiangyuan-1", rows: 2, columns: 2, size: 256, event: .fire),
                              outputDirectory: tmp.path + "/fire")
        let committed = files(under: sampleTiles)
        XCTAssertEqual(files(under: tmp.path), committed)
        XCTAssertEqual(committed.count, 2 * 2 * 4 * 4)
        var total = 0
        for f in committed {
            let want = FileManager.default.contents(atPath: sampleTiles + "/" + f)
            total += want?.count ?? 0
            XCTAssertEqual(FileManager.default.contents(atPath: tmp.path + "/" + f), want, "\(f) differs from the committed file")
        }
        XCTAssertLessThanOrEqual(total, 8 << 20, "SampleTiles must stay within 8 MiB")
    }

    /// Per truth class, NDVI on "pure" pixels: valid for the loader (through scene.json + discovery) and with
    /// all 8 neighbours of the same truth class (edge pixels mix classes, as in real imagery).
    func ndviByClass(_ root: String) throws -> (dense: [Float], water: [Float], inputs: Int) {
        let (inputs, rejects) = try TileDiscovery.discover(path: root, bandMap: nil)
        XCTAssertTrue(rejects.isEmpty, "\(rejects)")
        var dense = [Float](), water = [Float]()
        for input in inputs {
            let t = try input.load(bands: ["red", "nir"], limits: .default)
            let folder = (input.files.first { $0.hasSuffix("scene.json") }! as NSString).deletingLastPathComponent
            let truth = try GeoTIFFReader(path: folder + "/truth-landcover.tif").read(UInt8.self).samples
            let red = t.bands["red"]!, nir = t.bands["nir"]!
            let w = t.width
            func pure(_ i: Int) -> Bool {
                let r = i / w, c = i % w
                guard r > 0, c > 0, r < t.height - 1, c < w - 1 else { return false }
                for dr in -1...1 { for dc in -1...1 where truth[i + dr * w + dc] != truth[i] { return false } }
                return true
            }
            for i in 0..<t.pixelCount where t.quality[i] == 0 && pure(i) {
                let v = (nir[i] - red[i]) / (nir[i] + red[i])
                if truth[i] == LandCoverClass.denseVegetation.rawValue { dense.append(v) }
                if truth[i] == LandCoverClass.water.rawValue { water.append(v) }
            }
        }
        return (dense, water, inputs.count)
    }

    func testSimulatedSpectraNDVI() throws {
        guard FileManager.default.fileExists(atPath: sampleTiles + "/README.md") else { throw Skip.because("SampleTiles absent") }
        for set in ["flood", "fire"] {
            let (dense, water, n) = try ndviByClass(sampleTiles + "/" + set)
            XCTAssertEqual(n, 8, set)
            XCTAssertGreaterThan(dense.count, 10_000, set)
            XCTAssertGreaterThan(water.count, 1_000, set)
            let denseHigh = Double(dense.filter { $0 > 0.6 }.count) / Double(dense.count)
            let waterNeg = Double(water.filter { $0 < 0 }.count) / Double(water.count)
            XCTAssertGreaterThan(denseHigh, 0.97, "\(set): tea/forest NDVI > 0.6 on \(denseHigh)")
            XCTAssertGreaterThan(waterNeg, 0.95, "\(set): water NDVI < 0 on \(waterNeg)")
            XCTAssertGreaterThan(dense.reduce(0, +) / Float(dense.count), 0.65)
            XCTAssertLessThan(water.reduce(0, +) / Float(water.count), -0.2)
        }
    }

    /// A plain rule classifier (NDVI, NDWI, BSI, brightness) reaches ≥ 90 % but not 100 %: the classes are
    /// separable the way real ones are, with mixed pixels and noise at their edges.
    func testRuleClassifierSeparability() throws {
        guard FileManager.default.fileExists(atPath: sampleTiles + "/README.md") else { throw Skip.because("SampleTiles absent") }
        let (inputs, _) = try TileDiscovery.discover(path: sampleTiles + "/fire", bandMap: nil)
        var right = 0, total = 0
        for input in inputs {
            let t = try input.load(bands: nil, limits: .default)
            let folder = (input.files.first { $0.hasSuffix("scene.json") }! as NSString).deletingLastPathComponent
            let truth = try GeoTIFFReader(path: folder + "/truth-landcover.tif").read(UInt8.self).samples
            let b = t.bands["blue"]!, g = t.bands["green"]!, r = t.bands["red"]!, n = t.bands["nir"]!, s = t.bands["swir16"]!
            for i in 0..<t.pixelCount where truth[i] >= 1 && truth[i] <= 5 && t.quality[i] == 0 {
                let ndvi = (n[i] - r[i]) / (n[i] + r[i]), ndwi = (g[i] - n[i]) / (g[i] + n[i])
                let bsi = ((s[i] + r[i]) - (n[i] + b[i])) / ((s[i] + r[i]) + (n[i] + b[i]))
                let cls: UInt8 = ndwi > 0 ? 1 : ndvi > 0.6 ? 5 : ndvi > 0.2 ? 4 : bsi > 0.15 ? 3 : 2
                if cls == truth[i] { right += 1 }
                total += 1
            }
        }
        let acc = Double(right) / Double(total)
        XCTAssertGreaterThan(acc, 0.9, "rule accuracy \(acc) on \(total) px")
        XCTAssertLessThan(acc, 0.999, "classes should not be trivially separable (\(acc))")
    }

    func testFireEventTruthMatchesLandCoverChange() throws {
        guard FileManager.default.fileExists(atPath: sampleTiles + "/README.md") else { throw Skip.because("SampleTiles absent") }
        var burned = 0, consistent = 0
        for tile in ["r0c0", "r0c1", "r1c0", "r1c1"] {
            let pre = try GeoTIFFReader(path: "\(sampleTiles)/fire/HXY1_20250108/\(tile)/truth-landcover.tif").read(UInt8.self).samples
            let post = try GeoTIFFReader(path: "\(sampleTiles)/fire/HXY1_20250124/\(tile)/truth-landcover.tif").read(UInt8.self).samples
            let ev = try GeoTIFFReader(path: "\(sampleTiles)/fire/HXY1_20250124/\(tile)/truth-event.tif").read(UInt8.self).samples
            for i in 0..<ev.count where ev[i] == 1 {
                burned += 1
                // Burned pixels were dense vegetation (or hidden by cloud) before and are bare soil (or hidden)
                // after; mixed edge pixels may carry a neighbour's majority class.
                if [5, 6, 7].contains(pre[i]) && [3, 6, 7].contains(post[i]) { consistent += 1 }
            }
            XCTAssertTrue(ev.allSatisfy { $0 <= 1 || $0 == 255 })
            let evPre = try GeoTIFFReader(path: "\(sampleTiles)/fire/HXY1_20250108/\(tile)/truth-event.tif").read(UInt8.self).samples
            XCTAssertFalse(evPre.contains(1), "nothing has burned yet on the pre-fire date")
        }
        XCTAssertGreaterThan(burned, 5000)
        XCTAssertGreaterThan(Double(consistent) / Double(burned), 0.98)
    }

    func testConfigValidation() {
        XCTAssertThrowsError(try SimulationConfig(satellite: "Landsat 8").validate()) { e in
            XCTAssertTrue("\(e)".contains("--satellite"))
        }
        XCTAssertThrowsError(try SimulationConfig(dates: 1, event: .flood).validate())
        XCTAssertEqual(SimulationConfig(event: .fire).dates, 2)
        XCTAssertEqual(SimulationConfig(satellite: "TGY2").shortName, "TGY2")
    }

    func testSplitMix64ReferenceValues() {
        // Reference outputs of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
        var g = SplitMix64(seed: 0)
        XCTAssertEqual(g.next(), 0xE220A8397B1DCDAF)
        XCTAssertEqual(g.next(), 0x6E789E6AA1B965F4)
        XCTAssertEqual(g.next(), 0x06C45D188009454F)
    }

    func testLandCoverScheme() {
        XCTAssertEqual(LandCoverClass.allCases.map(\.rawValue), Array(0...8))
        let t = LandCoverClass.colorTable
        XCTAssertEqual(t.entries.count, 256)
        XCTAssertEqual(t.entries[1], LandCoverClass.water.color)
        XCTAssertEqual(Set(LandCoverClass.allCases.map(\.color)).count, 9, "colours must be distinct")
    }
}
