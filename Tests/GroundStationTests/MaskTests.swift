import XCTest
import Foundation
import RasterCore
import RasterIO
import TestSupport
@testable import GroundStation

/// Masks on real and simulated scenes.
final class MaskTests: XCTestCase {
    func testCollection1SceneEdgeZerosAndBQAClouds() throws {
        guard let d = TestData.sharedData else { throw Skip.because("../shared/data absent") }
        let m = try SceneManifest.read(path: d.appendingPathComponent("landsat8-c1-900m_rio-tiler-pds/LC08_L1TP_016037_20170813_20170814_01_RT_MTL.txt").path)
        let t = try m.load(bands: ["red", "nir"], limits: .default)
        let c = t.qualityCounts()
        // Zeros outside the footprint (no nodata tag) are fill; the MTL reports 26.7 % cloud.
        XCTAssertGreaterThan(c[.nodata] ?? 0, 5000)
        let inside = t.pixelCount - (c[.nodata] ?? 0)
        let cloudy = Double(c[.cloud] ?? 0) / Double(inside)
        XCTAssertGreaterThan(cloudy, 0.10, "BQA cloud share \(cloudy)")
        XCTAssertLessThan(cloudy, 0.45, "BQA cloud share \(cloudy)")
        XCTAssertEqual(t.quality[0], PixelQuality.nodata.rawValue, "the corner is outside the scene")
    }

    func testSpectralTestFindsSimulatedClouds() throws {
        let root = TestData.packageRoot.appendingPathComponent("SampleTiles").path
        guard FileManager.default.fileExists(atPath: root) else { throw Skip.because("SampleTiles absent") }
        let (inputs, _) = try TileDiscovery.discover(path: root, bandMap: nil)
        var cloudTruth = 0, cloudHit = 0, cloudFlagged = 0, cloudFlaggedRight = 0, shadowTruth = 0, shadowHit = 0
        for input in inputs {
            let t = try input.load(bands: ["red"], limits: .default)
            let folder = (input.files.first { $0.hasSuffix("scene.json") }! as NSString).deletingLastPathComponent
            let truth = try GeoTIFFReader(path: folder + "/truth-landcover.tif").read(UInt8.self).samples
            for i in 0..<t.pixelCount {
                let q = t.quality[i]
                if truth[i] == 6 { cloudTruth += 1; if q == 3 { cloudHit += 1 } }
                if q == 3 { cloudFlagged += 1; if truth[i] == 6 { cloudFlaggedRight += 1 } }
                if truth[i] == 7 { shadowTruth += 1; if q == 4 { shadowHit += 1 } }
                if truth[i] == 0 { XCTAssertEqual(q, 1) }
            }
        }
        let recall = Double(cloudHit) / Double(cloudTruth), precision = Double(cloudFlaggedRight) / Double(cloudFlagged)
        let shadowRecall = Double(shadowHit) / Double(shadowTruth)
        print("spectral test on SampleTiles: cloud recall \(recall), precision \(precision); shadow recall \(shadowRecall)")
        XCTAssertGreaterThan(recall, 0.8)
        XCTAssertGreaterThan(precision, 0.95)
        XCTAssertGreaterThan(shadowRecall, 0.6)
    }

    /// The reflectance tally counts valid and implausible samples and keeps the extremes exactly as a scalar pass
    /// does, for lengths around the vector width, with NaN, ±infinity and samples at and beyond both plausible ends.
    func testReflectanceTallyCountsAsAScalarPass() {
        var rng = SplitMix64(seed: 3)
        let (pLo, pHi) = (ReflectanceSanity.plausible.lowerBound, ReflectanceSanity.plausible.upperBound)
        let specials: [Float] = [.nan, .infinity, -.infinity, pLo, pHi, pLo.nextDown, pHi.nextUp, 0, 3000, -1]
        for n in [0, 1, 7, 8, 9, 15, 16, 17, 1000, 4099] {
            let v = (0..<n).map { _ in rng.next() % 4 == 0 ? specials[Int(rng.next() % UInt64(specials.count))] : Float(rng.nextUnit() * 2 - 0.3) }
            let finite = v.filter(\.isFinite)
            let b = ReflectanceSanity.Tally.count(v)
            XCTAssertEqual(b.valid, finite.count, "n \(n)")
            XCTAssertEqual(b.outside, finite.filter { !ReflectanceSanity.plausible.contains($0) }.count, "n \(n)")
            XCTAssertEqual(b.lo, finite.min() ?? .infinity, "n \(n)")
            XCTAssertEqual(b.hi, finite.max() ?? -.infinity, "n \(n)")
        }
    }
}
