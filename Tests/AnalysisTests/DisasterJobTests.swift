import XCTest
import Foundation
import RasterCore
@testable import Analysis

/// Synthetic before/after scenes built here with known truth; jobs must recover the truth.
final class DisasterJobTests: XCTestCase {
    let utm = GeoReference(transform: GeoTransform(originX: 720000, pixelWidth: 10, originY: 2780000, pixelHeight: -10), crs: .epsg(32650))

    func testDNBRClassesExactlyAtUSGSBreakpoints() {
        // Each breakpoint belongs to the class above it (domain.md §4.3 table: −0.250 is "enhanced regrowth, low",
        // −0.100 "unburned", 0.100 "low", 0.270 "moderate-low", 0.440 "moderate-high", 0.660 "high").
        let cases: [(Float, UInt8)] = [
            (-0.5, 1), (-0.2501, 1), (-0.25, 2), (-0.1001, 2), (-0.1, 3), (0.0999, 3), (0.1, 4),
            (0.2699, 4), (0.27, 5), (0.4399, 5), (0.44, 6), (0.6599, 6), (0.66, 7), (1.3, 7), (.nan, 0),
        ]
        for (v, c) in cases { XCTAssertEqual(BurnSeverityJob.severityClass(v), c, "dNBR \(v)") }
        // The same through the job: NBR_pre − NBR_post lands exactly on each breakpoint when NBR_post = 0.
        let pre: [Float] = BurnSeverityJob.usgsBreakpoints
        let r = try! BurnSeverityJob().run(nbrBefore: pre, nbrAfter: [Float](repeating: 0, count: 6), width: 6, height: 1, geo: utm)
        XCTAssertEqual(r.classRaster, [2, 3, 4, 5, 6, 7])
        XCTAssertEqual(BurnSeverityJob.classes.map(\.color).dropFirst(), ["#7a8737", "#acbe4d", "#0ae042", "#fff70b", "#ffaf38", "#ff641b", "#a41fd6"])
        // Thresholds are configurable (MTBS-style analyst thresholds).
        XCTAssertEqual(BurnSeverityJob.severityClass(0.3, breakpoints: [-0.3, -0.15, 0.05, 0.2, 0.313, 0.6]), 5)
        XCTAssertThrowsError(try BurnSeverityJob(breakpoints: [0.1, 0]).run(nbrBefore: [0], nbrAfter: [0], width: 1, height: 1, geo: utm))
    }

    /// A 120×100 scene: a burned disk (centre 60,50, radius 25) with severity rising towards the centre,
    /// noise everywhere, a cloud band over part of the disk on the post date.
    func testBurnSeverityIoUOnSyntheticScene() throws {
        let w = 120, h = 100
        var rng = SplitMix64(seed: 11)
        var pre = [Float](repeating: 0, count: w * h), post = pre
        var qualityAfter = [UInt8](repeating: 0, count: w * h)
        var truth = [Bool](repeating: false, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                let i = y * w + x
                let d = Float(((x - 60) * (x - 60) + (y - 50) * (y - 50))).squareRoot()
                pre[i] = 0.55 + 0.05 * rng.gaussian()
                let burned = d <= 25
                truth[i] = burned
                let drop: Float = burned ? 0.25 + 0.5 * (1 - d / 25) : 0
                post[i] = pre[i] - drop + 0.03 * rng.gaussian()
                if y < 10 && x >= 50 && x < 70 { qualityAfter[i] = LandUse.Quality.cloud }
            }
        }
        let r = try BurnSeverityJob().run(nbrBefore: pre, nbrAfter: post, qualityAfter: qualityAfter, width: w, height: h, geo: utm)
        let predicted = r.classRaster.map { $0 >= 4 }
        let valid = qualityAfter.map { $0 == 0 }
        let iou = try XCTUnwrap(intersectionOverUnion(predicted, truth, valid: valid))
        print("synthetic burn IoU = \(iou)")
        XCTAssertGreaterThanOrEqual(iou, 0.85)
        // Cloudy pixels are class 0, never burned.
        XCTAssertTrue(zip(r.classRaster, qualityAfter).allSatisfy { $1 == 0 || $0 == 0 })
        // Areas: pixels × 0.01 ha; burned hectares equal the affected sum; one main polygon.
        XCTAssertEqual(r.affectedHa, Double(r.classRaster.filter { $0 >= 4 }.count) * 0.01, accuracy: 1e-9)
        XCTAssertEqual(r.areasHa.reduce(0) { $0 + $1.pixels }, w * h)
        XCTAssertEqual(r.alert.level, .warning)   // ~19 ha burned: ≥ 10 ha (warning), < 100 ha (emergency)
        XCTAssertTrue(r.alert.rule.contains("warning threshold 10 ha"), r.alert.rule)
        XCTAssertGreaterThanOrEqual(r.polygons.count, 1)
        XCTAssertTrue(r.polygons.allSatisfy { $0.pixelCount >= 9 }, "regions of ≤ 8 pixels are not polygons by default")
        XCTAssertEqual(r.summary.polygonCount, r.polygons.count)
        // RdNBR = dNBR / sqrt(|NBR_pre|).
        let i = 50 * w + 60
        XCTAssertEqual(r.layers["rdnbr"]![i], r.layers["dnbr"]![i] / abs(pre[i]).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(r.layers["dnbr"]![i], pre[i] - post[i], accuracy: 1e-7)
    }

    /// River valley: permanent river (columns 10..<16), flood spreads 20 px either side after the event;
    /// MNDWI noisy; clouds over some pixels on the after date; a permanent-water mask marks a reservoir.
    func testFloodIoUOnSyntheticScene() throws {
        let w = 100, h = 80
        var rng = SplitMix64(seed: 5)
        var before = [Float](repeating: 0, count: w * h), after = before
        var qAfter = [UInt8](repeating: 0, count: w * h)
        var truth = [Bool](repeating: false, count: w * h)
        var permanent = [Bool](repeating: false, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                let i = y * w + x
                let river = x >= 40 && x < 46
                let flood = !river && x >= 20 && x < 66 && y > 10
                let reservoir = x >= 85 && y >= 60
                permanent[i] = reservoir
                before[i] = (river || reservoir ? 0.45 : -0.35) + 0.15 * rng.gaussian()
                after[i] = (river || flood || reservoir ? 0.35 : -0.35) + 0.15 * rng.gaussian()
                truth[i] = flood
                if x >= 30 && x < 35 && y >= 30 && y < 40 { qAfter[i] = LandUse.Quality.shadow }
            }
        }
        for threshold in [Float(0), nil] {
            let job = FloodJob(threshold: threshold)
            let r = try job.run(before: before, after: after, qualityAfter: qAfter, permanentWater: permanent, width: w, height: h, geo: utm)
            let iou = try XCTUnwrap(intersectionOverUnion(r.classRaster.map { $0 == 3 }, truth, valid: qAfter.map { $0 == 0 }))
            print("synthetic flood IoU (threshold \(threshold.map { "\($0)" } ?? "Otsu")) = \(iou)")
            XCTAssertGreaterThanOrEqual(iou, 0.85)
            XCTAssertFalse(zip(r.classRaster, qAfter).contains { $1 != 0 && $0 != 0 }, "masked pixels must be class 0")
            XCTAssertFalse(zip(r.classRaster, permanent).contains { $1 && $0 == 3 }, "permanent water is never new flood")
            XCTAssertEqual(r.hectares(of: 3), Double(r.classRaster.filter { $0 == 3 }.count) * 0.01, accuracy: 1e-9)
        }
    }

    func testVegetationLossAndLandslide() throws {
        // 3 px: vegetated and lost (0.7 → 0.3), vegetated kept (0.7 → 0.6), bare before (0.1 → 0.0); then a cloudy loss pixel.
        let job = VegetationLossJob(kind: "landslide")
        let r = try job.run(ndviBefore: [0.7, 0.7, 0.1, 0.7], ndviAfter: [0.3, 0.6, 0.0, 0.1], qualityAfter: [0, 0, 0, 3],
                            width: 4, height: 1, geo: utm)
        XCTAssertEqual(r.classRaster, [3, 2, 1, 0])
        XCTAssertEqual(r.job, "landslide")
        XCTAssertEqual(r.hectares(of: 3), 0.01, accuracy: 1e-12)
        XCTAssertEqual(r.alert.level, .none)
        // Exactly at the drop threshold counts as loss (drop ≥ t), computed in Float32.
        let edge = try VegetationLossJob(drop: 0.25).run(ndviBefore: [0.75], ndviAfter: [0.5], width: 1, height: 1, geo: utm)
        XCTAssertEqual(edge.classRaster, [3])
    }

    func testDroughtAnomalyAgainstBaselineMean() throws {
        // Baselines 0.6 and 0.8 (mean 0.7, or 0.6 alone when the second is cloudy); current values give each class.
        let base1: [Float] = [0.6, 0.6, 0.6, 0.6, 0.6, 0.6]
        let base2: [Float] = [0.8, 0.8, 0.8, 0.8, 0.8, 0.8]
        let q2: [UInt8] = [0, 0, 0, 0, 3, 0]
        let current: [Float] = [0.7, 0.85, 0.58, 0.45, 0.35, .nan]
        let r = try DroughtJob().run(current: current, baseline: [base1, base2], baselineQuality: [nil, q2],
                                     width: 6, height: 1, geo: utm)
        // anomalies: 0, +0.15, −0.12, −0.25, −0.25 (baseline 0.6 only), NaN
        XCTAssertEqual(r.classRaster, [1, 2, 3, 4, 4, 0])
        XCTAssertEqual(r.layers["anomaly"]![4], 0.35 - 0.6, accuracy: 1e-6)
        XCTAssertEqual(r.affectedHa, 0.03, accuracy: 1e-12)
        XCTAssertThrowsError(try DroughtJob().run(current: current, baseline: [], width: 6, height: 1, geo: utm))
    }

    func testAlertLevelsAndRuleText() {
        let rules = AlertRules(watchHa: 5, warningHa: 50, emergencyHa: 500)
        XCTAssertEqual(rules.assess(affectedHa: 4.9, what: "x").level, .none)
        XCTAssertEqual(rules.assess(affectedHa: 5, what: "x").level, .watch)
        XCTAssertEqual(rules.assess(affectedHa: 412.3, what: "newly flooded area").level, .warning)
        XCTAssertEqual(rules.assess(affectedHa: 412.3, what: "newly flooded area").rule, "newly flooded area 412.3 ha ≥ warning threshold 50 ha")
        XCTAssertEqual(rules.assess(affectedHa: 600, what: "x").level, .emergency)
        XCTAssertEqual(AlertRules(watchHa: nil, warningHa: nil, emergencyHa: 1).assess(affectedHa: 0.5, what: "x").level, .none)
        XCTAssertTrue(AlertLevel.emergency > .warning && AlertLevel.watch > AlertLevel.none)
    }
}

final class JobConfigTests: XCTestCase {
    /// The job configs are Codable for storage (synthesized both ways); pipeline.yaml reaches them only through
    /// PipelineConfig's one schema, so there is no partial-config decoder to test here.
    func testJobsRoundTripThroughJSON() throws {
        let dec = JSONDecoder(), enc = JSONEncoder()
        XCTAssertEqual(try dec.decode(DroughtJob.self, from: enc.encode(DroughtJob(severe: -0.3))), DroughtJob(severe: -0.3))
        XCTAssertEqual(try dec.decode(FloodJob.self, from: enc.encode(FloodJob())), FloodJob())
        XCTAssertEqual(try dec.decode(VegetationLossJob.self, from: enc.encode(VegetationLossJob(kind: "landslide", drop: 0.3))),
                       VegetationLossJob(kind: "landslide", drop: 0.3))
    }
}

final class JobInputErrorTests: XCTestCase {
    func testWrongBufferSizesAreTypedErrorsNamingTheBuffer() {
        let geo = GeoReference(transform: GeoTransform(originX: 0, pixelWidth: 10, originY: 0, pixelHeight: -10), crs: .epsg(32650))
        XCTAssertThrowsError(try BurnSeverityJob().run(nbrBefore: [0, 0], nbrAfter: [0, 0], qualityAfter: [0], width: 2, height: 1, geo: geo)) {
            XCTAssertEqual($0 as? AnalysisError, .sizeMismatch(name: "qualityAfter", expected: 2, actual: 1))
        }
        XCTAssertThrowsError(try VegetationLossJob().run(ndviBefore: [0], ndviAfter: [0, 0], width: 2, height: 1, geo: geo)) {
            XCTAssertEqual($0 as? AnalysisError, .sizeMismatch(name: "ndviBefore", expected: 2, actual: 1))
        }
        XCTAssertThrowsError(try DroughtJob().run(current: [0, 0], baseline: [[0, 0]], baselineQuality: [[0]], width: 2, height: 1, geo: geo)) {
            XCTAssertEqual($0 as? AnalysisError, .sizeMismatch(name: "baselineQuality[0]", expected: 2, actual: 1))
        }
        XCTAssertThrowsError(try FloodJob().run(before: [0, 0], after: [0, 0], width: 2, height: 1, geo: nil)) {
            XCTAssertEqual($0 as? AnalysisError, .noPixelArea(reason: "the raster has no georeference"))
        }
    }
}
