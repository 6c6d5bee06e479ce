import XCTest
import Foundation
import RasterCore
import TestSupport
import RasterIO
import GroundStation
@testable import Analysis

/// Acceptance figures on the station simulator's scenes (GroundStation issue): overall accuracy ≥ 90 % against
/// truth-landcover.tif, flood and burn IoU ≥ 0.85 against truth-event.tif, computed here from the tiles.
///
/// Scenes are generated with `Simulator.run` (seed 1, Huaxiangyuan-1, 2×2 tiles of 128 px; an event scene has
/// two dates) into a temporary folder, once per test run; `$TILEPIPE_SIM_DIR/{none,flood,fire,landslide,drought}`
/// (from `tilepipe simulate --output $D/flood --event flood`, ...) replaces them with other scenes.
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

    /// Generated scenes, shared by the tests of one run.
    nonisolated(unsafe) static var generated: [String: URL] = [:]
    static let lock = NSLock()

    func simDir(_ kind: String) throws -> URL {
        if let root = ProcessInfo.processInfo.environment["TILEPIPE_SIM_DIR"] {
            let d = URL(fileURLWithPath: root).appendingPathComponent(kind)
            guard FileManager.default.fileExists(atPath: d.path) else { throw Skip.because("\(d.path) absent") }
            return d
        }
        Self.lock.lock()
        defer { Self.lock.unlock() }
        if let d = Self.generated[kind] { return d }
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("tilepipe-analysis-sim-\(ProcessInfo.processInfo.processIdentifier)/\(kind)")
        let event = kind == "none" ? nil : AnxiLandscape.Event(rawValue: kind)
        _ = try Simulator.run(SimulationConfig(seed: 1, satellite: "Huaxiangyuan-1", rows: 2, columns: 2, size: 128, event: event),
                              outputDirectory: d.path)
        Self.generated[kind] = d
        return d
    }

    override class func tearDown() {
        for d in generated.values { try? FileManager.default.removeItem(at: d.deletingLastPathComponent()) }
        generated = [:]
        super.tearDown()
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
            let dir = try simDir(kind)
            var truth: [UInt8] = [], bare: [UInt8] = [], masked: [UInt8] = []
            for scene in try scenes(dir) {
                for t in try scene.map(load) {
                    truth += t.truth
                    // Scheme alone (its spectral cloud/shadow rules) and with the station's quality mask.
                    bare += try ClassificationScheme.default.classify(inputs: t.inputs, width: t.width, height: t.height).classes
                    let q = SpectralCloudTest.run(t.bands, count: t.width * t.height)
                    masked += try ClassificationScheme.default.classify(inputs: t.inputs, quality: q, width: t.width, height: t.height).classes
                }
            }
            for (label, predicted) in [("scheme only", bare), ("with station mask", masked)] {
                let cm = try ConfusionMatrix(truth: truth, predicted: predicted, classes: Array(1...8))
                let oa = try XCTUnwrap(cm.overallAccuracy)
                print("simulated \(kind), \(label): overall accuracy \(oa), kappa \(cm.kappa ?? .nan), pixels \(cm.total)")
                for c in cm.perClass where c.truthPixels > 0 {
                    print("  class \(c.code): recall \(c.recall ?? .nan) precision \(c.precision ?? .nan) (\(c.truthPixels) px)")
                }
                XCTAssertGreaterThanOrEqual(oa, 0.90, "\(kind), \(label)")
            }
        }
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
            // Quality from the station's spectral cloud/shadow test plus fill (NaN) as nodata.
            func quality(_ t: Tile) throws -> [UInt8] {
                var q = try XCTUnwrap(SpectralCloudTest.run(t.bands, count: t.width * t.height))
                for i in q.indices where t.bands["red"]![i].isNaN { q[i] = LandUse.Quality.nodata }
                return q
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
            guard a.inputs["nbr"] != nil else { throw Skip.because("the simulated sensor has no SWIR2 band: no NBR") }
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

    /// "N ha newly flooded in township X": two township polygons (lon/lat) splitting a flood tile in halves along
    /// a pixel boundary; their flooded hectares add up to the job's total for the tile.
    func testFloodedHectaresPerTownship() throws {
        let s = try scenes(try simDir("flood"))
        let before = try load(s[0][0]), after = try load(s[s.count - 1][0])
        let geo = try XCTUnwrap(before.geo)
        let r = try FloodJob().run(before: before.inputs["mndwi"]!, after: after.inputs["mndwi"]!, width: before.width,
                                   height: before.height, geo: geo)
        let proj = try CRSTransform.toWGS84(from: "EPSG:32650")
        func township(_ id: String, _ c0: Int, _ c1: Int) throws -> Region {
            let corners = [(c0, 0), (c1, 0), (c1, before.height), (c0, before.height), (c0, 0)].map {
                geo.transform.apply(column: Double($0.0), row: Double($0.1))
            }
            var xs = corners.map(\.x), ys = corners.map(\.y)
            try proj.transform(xs: &xs, ys: &ys)
            return Region(id: id, name: id, polygons: [[zip(xs, ys).map { [$0, $1] }]])
        }
        let half = before.width / 2
        let regions = [try township("west", 0, half), try township("east", half, before.width)]
        let cov = try RegionRasterizer.rasterize(regions, geo: geo, width: before.width, height: before.height)
        let stats = try RegionStatistics.compute(regions: regions, coverage: cov, classes: r.classRaster, indices: [:],
                                                 width: before.width, height: before.height, geo: geo)
        let flooded = stats.map { $0.classHa["3"] ?? 0 }
        print("flooded ha per township: \(zip(stats.map(\.name), flooded).map { "\($0) \($1)" }), tile total \(r.hectares(of: 3))")
        XCTAssertEqual(flooded.reduce(0, +), r.hectares(of: 3), accuracy: max(0.01, 0.005 * r.hectares(of: 3)))
        XCTAssertEqual(stats.reduce(0) { $0 + $1.coveredHa }, Double(before.width * before.height) * geo.transform.pixelArea / 10_000,
                       accuracy: 0.5)
    }
}

