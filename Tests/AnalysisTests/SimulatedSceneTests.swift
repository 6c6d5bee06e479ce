import XCTest
import Foundation
import RasterCore
import RasterIO
@testable import Analysis

/// Acceptance figures on the station simulator's scenes (GroundStation issue): overall accuracy ≥ 90 % against
/// truth-landcover.tif, flood and burn IoU ≥ 0.85 against truth-event.tif, computed here from the tiles.
///
/// Scenes come from `tilepipe simulate` run into `$TILEPIPE_SIM_DIR/{none,flood,fire,landslide,drought}` (e.g.
/// `tilepipe simulate --output $D/flood --event flood`); the tests skip when the variable is unset.
/// Reflectance = (M·DN + A)/sin(sun elevation) with M, A and the elevation from each tile's scene.json; DN 0 is fill.
final class SimulatedSceneTests: XCTestCase {
    struct Tile {
        var name: String
        var bands: [String: [Float]]
        var truth: [UInt8]
        var event: [UInt8]?
        var geo: GeoReference?
        var width: Int
        var height: Int
        /// Bands and index buffers (set by `load`).
        var inputs: [String: [Float]] = [:]
        /// Index buffers computed from the bands (NaN where a band is fill or a denominator is 0).
        func computeInputs() -> [String: [Float]] {
            func nd(_ a: [Float], _ b: [Float]) -> [Float] { zip(a, b).map { $0 + $1 == 0 ? .nan : ($0 - $1) / ($0 + $1) } }
            var v = bands
            v["ndvi"] = nd(bands["nir"]!, bands["red"]!)
            v["ndwi"] = nd(bands["green"]!, bands["nir"]!)
            if let s1 = bands["swir16"] {
                v["mndwi"] = nd(bands["green"]!, s1)
                v["ndsi"] = v["mndwi"]
                v["ndbi"] = nd(s1, bands["nir"]!)
                let r = bands["red"]!, n = bands["nir"]!, b = bands["blue"]!
                v["bsi"] = (0..<s1.count).map { i in nd([s1[i] + r[i]], [n[i] + b[i]])[0] }
            }
            if let s2 = bands["swir22"] { v["nbr"] = nd(bands["nir"]!, s2) }
            return v
        }
    }

    func simDir(_ kind: String) throws -> URL {
        guard let root = ProcessInfo.processInfo.environment["TILEPIPE_SIM_DIR"] else {
            throw XCTSkip("TILEPIPE_SIM_DIR unset: run `tilepipe simulate` into $TILEPIPE_SIM_DIR/{none,flood,fire} to get the simulator figures")
        }
        let d = URL(fileURLWithPath: root).appendingPathComponent(kind)
        guard FileManager.default.fileExists(atPath: d.path) else { throw XCTSkip("\(d.path) absent") }
        return d
    }

    /// Scene folders (dates) in order, each with its tile folders.
    func scenes(_ dir: URL) throws -> [[URL]] {
        let fm = FileManager.default
        return try fm.contentsOfDirectory(atPath: dir.path).sorted().filter { !$0.hasPrefix(".") }.map { scene in
            let s = dir.appendingPathComponent(scene)
            return try fm.contentsOfDirectory(atPath: s.path).sorted().filter { $0.hasPrefix("r") }.map { s.appendingPathComponent($0) }
        }
    }

    func load(_ tileDir: URL) throws -> Tile {
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: tileDir.appendingPathComponent("scene.json"))) as! [String: Any]
        let sinE = sin((doc["sun_elevation"] as! Double) * .pi / 180)
        let bandDocs = doc["bands"] as! [[String: Any]]
        let image = try GeoTIFFReader(path: tileDir.appendingPathComponent(bandDocs[0]["file"] as! String).path).read(UInt16.self)
        var bands: [String: [Float]] = [:]
        for b in bandDocs {
            let k = (b["band"] as! Int) - 1
            let m = b["reflectance_mult"] as! Double, a = b["reflectance_add"] as! Double
            bands[b["common_name"] as! String] = image.band(k).map { $0 == 0 ? Float.nan : Float((m * Double($0) + a) / sinE) }
        }
        let truth = try GeoTIFFReader(path: tileDir.appendingPathComponent("truth-landcover.tif").path).read(UInt8.self).samples
        let eventPath = tileDir.appendingPathComponent("truth-event.tif").path
        let event = FileManager.default.fileExists(atPath: eventPath) ? try GeoTIFFReader(path: eventPath).read(UInt8.self).samples : nil
        var t = Tile(name: tileDir.lastPathComponent, bands: bands, truth: truth, event: event, geo: image.geo, width: image.width, height: image.height)
        t.inputs = t.computeInputs()
        return t
    }

    func testOverallAccuracyAgainstTruthLandcover() throws {
        for kind in ["none", "flood", "fire"] {
            guard let dir = try? simDir(kind) else { continue }
            var truth: [UInt8] = [], predicted: [UInt8] = []
            for scene in try scenes(dir) {
                for t in try scene.map(load) {
                    let r = try ClassificationScheme.default.classify(inputs: t.inputs, width: t.width, height: t.height)
                    truth += t.truth
                    predicted += r.classes
                }
            }
            let cm = try ConfusionMatrix(truth: truth, predicted: predicted, classes: Array(1...8))
            let oa = try XCTUnwrap(cm.overallAccuracy)
            print("simulated \(kind): overall accuracy \(oa), kappa \(cm.kappa ?? .nan), pixels \(cm.total)")
            for c in cm.perClass where c.truthPixels > 0 {
                print("  class \(c.code): recall \(c.recall ?? .nan) precision \(c.precision ?? .nan) (\(c.truthPixels) px)")
            }
            XCTAssertGreaterThanOrEqual(oa, 0.90, kind)
        }
        _ = try simDir("none")   // skip (rather than pass silently) when nothing was found
    }

    /// Runs a two-date job per tile and scores the affected class against truth-event (1 = changed), over
    /// pixels that are inside the footprint (event ≠ 255) and not masked as cloud/shadow at either date.
    func eventIoU(_ kind: String, job: (Tile, Tile, [UInt8], [UInt8]) throws -> DisasterResult) throws -> Double {
        let s = try scenes(try simDir(kind))
        XCTAssertGreaterThanOrEqual(s.count, 2)
        var inter = 0, union = 0
        for (a, b) in zip(s[0], s[s.count - 1]) {
            let before = try load(a), after = try load(b)
            try GridPairing.requireSameGrid(before.geo, width: before.width, height: before.height, after.geo, width: after.width, height: after.height)
            // Quality from the classification's cloud/shadow/nodata classes (stands in for GroundStation's mask).
            func quality(_ t: Tile) throws -> [UInt8] {
                try ClassificationScheme.default.classify(inputs: t.inputs, width: t.width, height: t.height).classes.map {
                    $0 == LandUse.cloud ? LandUse.Quality.cloud : $0 == LandUse.cloudShadow ? LandUse.Quality.shadow
                        : $0 == LandUse.nodata ? LandUse.Quality.nodata : LandUse.Quality.valid
                }
            }
            let qa = try quality(before), qb = try quality(after)
            let r = try job(before, after, qa, qb)
            let event = try XCTUnwrap(after.event)
            for i in 0..<event.count where event[i] != 255 && !LandUse.isMasked(quality: qa[i]) && !LandUse.isMasked(quality: qb[i]) {
                let p = r.affectedClasses.contains(r.classRaster[i]), t = event[i] == 1
                if p && t { inter += 1 }
                if p || t { union += 1 }
            }
            XCTAssertFalse(zip(r.classRaster, zip(qa, qb)).contains { $0 != 0 && (LandUse.isMasked(quality: $1.0) || LandUse.isMasked(quality: $1.1)) })
        }
        return union == 0 ? 0 : Double(inter) / Double(union)
    }

    func testFloodIoUAgainstTruthEvent() throws {
        let iou = try eventIoU("flood") { a, b, qa, qb in
            let index = a.inputs["mndwi"] != nil ? "mndwi" : "ndwi"   // McFeeters NDWI for sensors without SWIR
            return try FloodJob(index: index).run(before: a.inputs[index]!, after: b.inputs[index]!, qualityBefore: qa, qualityAfter: qb,
                               width: a.width, height: a.height, geo: a.geo)
        }
        print("simulated flood IoU = \(iou)")
        XCTAssertGreaterThanOrEqual(iou, 0.85)
    }

    func testBurnIoUAgainstTruthEvent() throws {
        let iou = try eventIoU("fire") { a, b, qa, qb in
            guard a.inputs["nbr"] != nil else { throw XCTSkip("the simulated sensor has no SWIR2 band: no NBR") }
            return try BurnSeverityJob().run(nbrBefore: a.inputs["nbr"]!, nbrAfter: b.inputs["nbr"]!, qualityBefore: qa, qualityAfter: qb,
                                      width: a.width, height: a.height, geo: a.geo)
        }
        print("simulated burn IoU = \(iou)")
        XCTAssertGreaterThanOrEqual(iou, 0.85)
    }

    /// Not an acceptance bar of the issue: regression figures for the other two jobs with their default
    /// thresholds (landslide 0.79, drought 0.77 on seed 1), asserted at ≥ 0.7.
    func testLandslideAndDroughtIoUAgainstTruthEvent() throws {
        let slide = try eventIoU("landslide") { a, b, qa, qb in
            try VegetationLossJob(kind: "landslide").run(ndviBefore: a.inputs["ndvi"]!, ndviAfter: b.inputs["ndvi"]!,
                                                         qualityBefore: qa, qualityAfter: qb, width: a.width, height: a.height, geo: a.geo)
        }
        let drought = try eventIoU("drought") { a, b, qa, qb in
            try DroughtJob().run(current: b.inputs["ndvi"]!, quality: qb, baseline: [a.inputs["ndvi"]!], baselineQuality: [qa],
                                 width: a.width, height: a.height, geo: a.geo)
        }
        print("simulated landslide IoU = \(slide), drought IoU = \(drought)")
        XCTAssertGreaterThanOrEqual(slide, 0.7)
        XCTAssertGreaterThanOrEqual(drought, 0.7)
    }
}
