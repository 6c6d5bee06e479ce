import XCTest
import Foundation
import RasterCore
import TestSupport
@testable import Analysis

final class PolygonTests: XCTestCase {
    /// Draws a map from rows of characters: '.' = 0, digits = class codes.
    func map(_ rows: [String]) -> (map: [UInt8], w: Int, h: Int) {
        let w = rows[0].count
        return (rows.flatMap { $0.map { $0 == "." ? 0 : UInt8(String($0))! } }, w, rows.count)
    }

    func testSquareWithHoleTracesExteriorAndHole() {
        let (m, w, h) = map([
            "......",
            ".1111.",
            ".1..1.",
            ".1..1.",
            ".1111.",
            "......",
        ])
        let p = PolygonTracer.trace(m, width: w, height: h)
        XCTAssertEqual(p.count, 1)
        XCTAssertEqual(p[0].pixelCount, 12)
        XCTAssertEqual(p[0].parts.count, 1)
        XCTAssertEqual(Set(p[0].parts[0].exterior), Set([PixelPoint(x: 1, y: 1), PixelPoint(x: 5, y: 1), PixelPoint(x: 5, y: 5), PixelPoint(x: 1, y: 5)]))
        XCTAssertEqual(p[0].parts[0].holes.count, 1)
        XCTAssertEqual(Set(p[0].parts[0].holes[0]), Set([PixelPoint(x: 2, y: 2), PixelPoint(x: 4, y: 2), PixelPoint(x: 4, y: 4), PixelPoint(x: 2, y: 4)]))
        XCTAssertEqual(p[0].ringArea, 12)
        XCTAssertFalse(p[0].touchesEdge)
    }

    func testDiagonalPixelsEightVersusFourConnectivity() {
        let (m, w, h) = map([
            "1..",
            ".1.",
            "..1",
        ])
        let eight = PolygonTracer.trace(m, width: w, height: h, connectivity: .eight)
        XCTAssertEqual(eight.count, 1)
        XCTAssertEqual(eight[0].pixelCount, 3)
        // One region, three simple square parts touching at two corners (valid MultiPolygon, no self-touching ring).
        XCTAssertEqual(eight[0].parts.count, 3)
        XCTAssertTrue(eight[0].parts.allSatisfy { $0.exterior.count == 4 && $0.holes.isEmpty })
        XCTAssertTrue(eight[0].touchesEdge)
        let four = PolygonTracer.trace(m, width: w, height: h, connectivity: .four)
        XCTAssertEqual(four.count, 3)
        XCTAssertTrue(four.allSatisfy { $0.pixelCount == 1 && $0.parts.count == 1 && $0.parts[0].exterior.count == 4 })
    }

    func testRingAreaEqualsPixelCountOnRandomMaps() {
        // Property: for any map, each region's ring area (exterior − holes) equals its pixel count and the
        // sum over regions equals the number of non-zero pixels.
        var rng = SplitMix64(seed: 21)
        for _ in 0..<20 {
            let w = 17, h = 13
            let m = (0..<(w * h)).map { _ in UInt8(rng.next() % 3) }
            for conn in [ConnectedComponents.Connectivity.eight, .four] {
                let polys = PolygonTracer.trace(m, width: w, height: h, connectivity: conn)
                for p in polys { XCTAssertEqual(p.ringArea, Double(p.pixelCount), accuracy: 1e-9) }
                XCTAssertEqual(polys.reduce(0) { $0 + $1.pixelCount }, m.filter { $0 != 0 }.count)
                let cc = ConnectedComponents(m, width: w, height: h, connectivity: conn, excluding: [0])
                XCTAssertEqual(polys.count, cc.count)
            }
        }
    }

    func testDouglasPeuckerStaysWithinTolerance() {
        // A 200 px edge with a single 1 px jog in the middle: the jog is within 0.5 px of the chord and goes;
        // every original vertex stays within 0.5 px of the result.
        let ring = [PixelPoint(x: 0, y: 0), PixelPoint(x: 100, y: 0), PixelPoint(x: 100, y: 1), PixelPoint(x: 200, y: 1),
                    PixelPoint(x: 200, y: 4), PixelPoint(x: 0, y: 4)]
        let s = DouglasPeucker.simplify(ring: ring, tolerance: 0.5)
        XCTAssertEqual(s.count, 4)
        let diag = [PixelPoint(x: 0, y: 0), PixelPoint(x: 1, y: 0), PixelPoint(x: 1, y: 1), PixelPoint(x: 2, y: 1), PixelPoint(x: 2, y: 2),
                    PixelPoint(x: 3, y: 2), PixelPoint(x: 3, y: 5), PixelPoint(x: 0, y: 5)]
        let sd = DouglasPeucker.simplify(ring: diag, tolerance: 0.5)
        for p in diag {
            let d = sd.indices.map { DouglasPeucker.distance(p, sd[$0], sd[($0 + 1) % sd.count]) }.min()!
            XCTAssertLessThanOrEqual(d, 0.5 + 1e-12)
        }
        for p in ring {
            let d = s.indices.map { DouglasPeucker.distance(p, s[$0], s[($0 + 1) % s.count]) }.min()!
            XCTAssertLessThanOrEqual(d, 0.5 + 1e-12)
        }
        // Collinear points always go.
        let sq = [PixelPoint(x: 0, y: 0), PixelPoint(x: 1, y: 0), PixelPoint(x: 2, y: 0), PixelPoint(x: 2, y: 2), PixelPoint(x: 0, y: 2)]
        XCTAssertEqual(DouglasPeucker.simplify(ring: sq, tolerance: 0.5).count, 4)
    }

    /// A disk with a hole and a separate blob on a UTM 50N grid near Anxi → RFC 7946 GeoJSON: structural check,
    /// lon/lat order and range, and areas (spherical, from the lon/lat rings) within 1 % of pixel-count areas.
    func testGeoJSONIsRFC7946AndAreasMatchPixelCounts() throws {
        let w = 200, h = 160
        var m = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                let d = Double((x - 80) * (x - 80) + (y - 80) * (y - 80)).squareRoot()
                if d <= 60 && d > 20 { m[y * w + x] = 3 }
                if x >= 160 && y >= 20 && y < 60 && x - 160 < y - 10 { m[y * w + x] = 3 }
                if x >= 185 { m[y * w + x] = 2 }     // a strip on the right edge (class 2)
            }
        }
        let geo = GeoReference(transform: GeoTransform(originX: 710000, pixelWidth: 10, originY: 2790000, pixelHeight: -10), crs: .epsg(32650))
        let polys = PolygonTracer.trace(m, width: w, height: h)
        XCTAssertEqual(polys.count, 3)
        let writer = GeoJSONWriter(geo: geo)
        let features = try writer.features(polys, tileIds: ["anxi_r0c0"], dates: ["2026-06-01", "2026-06-20"],
                                           classNames: [2: "built-up", 3: "flooded"], extra: ["event": "flood"])
        let doc = GeoJSONWriter.featureCollection(features)
        XCTAssertEqual(GeoJSONCheck.problems(in: Data(doc.utf8)), [])
        for f in features {
            for p in f.parts.flatMap({ $0.flatMap { $0 } }) {
                XCTAssertTrue((118.5...119.5).contains(p[0]), "lon first: \(p)")
                XCTAssertTrue((24.8...25.5).contains(p[1]), "lat second: \(p)")
            }
            let sphere = f.parts.reduce(0.0) { $0 + GeoJSONCheck.sphericalArea($1[0]) - $1.dropFirst().reduce(0) { $0 + GeoJSONCheck.sphericalArea($1) } }
            let pixelArea = Double(f.pixelCount) * 100
            XCTAssertEqual(f.areaHa, pixelArea / 10_000, accuracy: 1e-9)
            XCTAssertEqual(sphere / pixelArea, 1, accuracy: 0.01, "feature class \(f.classCode): \(sphere) m² vs \(pixelArea) m²")
        }
        let disk = try XCTUnwrap(features.first { $0.parts[0].count == 2 })
        XCTAssertFalse(disk.touchesEdge)
        XCTAssertTrue(try XCTUnwrap(features.first { $0.classCode == 2 }).touchesEdge)
        XCTAssertTrue(doc.contains("\"tile_id\":\"anxi_r0c0\""))
        XCTAssertTrue(doc.contains("\"dates\":[\"2026-06-01\",\"2026-06-20\"]"))
        XCTAssertTrue(doc.contains("\"event\":\"flood\""))
        XCTAssertTrue(doc.contains("\"area_m2\":\(disk.pixelCount * 100)"), "area_m2 = pixel count × 100 m²")
        XCTAssertFalse(doc.contains("\"crs\""))
        // The checker itself catches a wrong winding and an unclosed ring.
        let bad = #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[0,1],[1,1],[1,0],[0,0]],[[0.2,0.2],[0.4,0.2],[0.4,0.4],[0.2,0.2]]]}},{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,91]]]}}]}"#
        let problems = GeoJSONCheck.problems(in: Data(bad.utf8))
        XCTAssertTrue(problems.contains("feature 0 ring 0: exterior is not counter-clockwise"), "\(problems)")
        XCTAssertTrue(problems.contains("feature 0 ring 1: hole is not clockwise"), "\(problems)")
        XCTAssertTrue(problems.contains("feature 1 ring 0: not closed"), "\(problems)")
        XCTAssertTrue(problems.contains("feature 1 ring 0: coordinate out of lon/lat range"), "\(problems)")
    }

    func testGeoJSONFileIsValidForOgrWhenInstalled() throws {
        guard TestDataProbe.hasTool("ogrinfo") else { throw Skip.because("ogrinfo not installed") }
        let (m, w, h) = map(["....", ".11.", ".11.", "...."])
        let geo = GeoReference(transform: GeoTransform(originX: 720000, pixelWidth: 30, originY: 2780000, pixelHeight: -30), crs: .epsg(32650))
        let f = try GeoJSONWriter(geo: geo).features(PolygonTracer.trace(m, width: w, height: h), tileIds: ["t"])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("an-geojson-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("a.geojson").path
        try GeoJSONWriter.write(f, to: path)
        let out = try TestDataProbe.run("ogrinfo", ["-al", "-so", path])
        XCTAssertEqual(out.status, 0, out.err)
        XCTAssertTrue(out.out.contains("Feature Count: 1"), out.out)
        XCTAssertTrue(out.out.contains("area_ha"), out.out)
    }

    /// Two side-by-side tiles cut through one square and one L-shaped region; the merge gives back the
    /// polygons traced on the whole mosaic.
    func testEdgeRegionsMergeAcrossNeighbouringTiles() throws {
        let full = map([
            "..........",
            ".11111....",
            ".11111..2.",
            ".11111..2.",
            "......222.",
            "..........",
        ])
        let w = full.w, h = full.h
        let crs = CRS.epsg(32650)
        let fullGeo = GeoReference(transform: GeoTransform(originX: 1000, pixelWidth: 10, originY: 5000, pixelHeight: -10), crs: crs)
        func cut(_ x0: Int, _ cw: Int) -> [UInt8] { (0..<h).flatMap { y in (x0..<(x0 + cw)).map { full.map[y * w + $0] } } }
        let left = cut(0, 4), right = cut(4, 6)
        let leftGeo = fullGeo
        let rightGeo = GeoReference(transform: fullGeo.transform.offset(column: 4, row: 0), crs: crs)
        let tl = PolygonTracer.trace(left, width: 4, height: h), tr = PolygonTracer.trace(right, width: 6, height: h)
        XCTAssertTrue(tl.allSatisfy(\.touchesEdge))
        let merged = try EdgeRegionMerger.merge([
            TilePolygons(tileId: "r0c0", geo: leftGeo, width: 4, height: h, polygons: tl),
            TilePolygons(tileId: "r0c1", geo: rightGeo, width: 6, height: h, polygons: tr),
        ])
        let whole = PolygonTracer.trace(full.map, width: w, height: h)
        XCTAssertEqual(merged.polygons.count, whole.count)
        for p in whole {
            let m = try XCTUnwrap(merged.polygons.first { $0.polygon.classCode == p.classCode })
            XCTAssertEqual(m.polygon.pixelCount, p.pixelCount)
            XCTAssertEqual(Set(m.polygon.rings.flatMap { $0 }), Set(p.rings.flatMap { $0 }))
            XCTAssertEqual(m.polygon.ringArea, Double(p.pixelCount))
        }
        XCTAssertEqual(merged.polygons.first { $0.polygon.classCode == 1 }?.tileIds, ["r0c0", "r0c1"])
        XCTAssertEqual(merged.polygons.first { $0.polygon.classCode == 2 }?.tileIds, ["r0c1"])
        // Class 1 no longer touches an outer tile border; misaligned tiles are refused.
        XCTAssertEqual(merged.polygons.first { $0.polygon.classCode == 1 }?.polygon.touchesEdge, false)
        let shifted = GeoReference(transform: GeoTransform(originX: 1043, pixelWidth: 10, originY: 5000, pixelHeight: -10), crs: crs)
        XCTAssertThrowsError(try EdgeRegionMerger.merge([
            TilePolygons(tileId: "a", geo: leftGeo, width: 4, height: h, polygons: tl),
            TilePolygons(tileId: "b", geo: shifted, width: 6, height: h, polygons: tr),
        ]))
    }
}

/// Tool helpers (mirrors TestSupport without importing it twice).
enum TestDataProbe {
    static func hasTool(_ name: String) -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(name)")
        }
    }
    static func run(_ tool: String, _ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + args
        let o = Pipe(), e = Pipe()
        p.standardOutput = o
        p.standardError = e
        try p.run()
        let od = o.fileHandleForReading.readDataToEndOfFile(), ed = e.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: od, as: UTF8.self), String(decoding: ed, as: UTF8.self))
    }
}

/// GEOS (through GDAL's Python bindings) as an external oracle for polygon validity.
final class PolygonValidityTests: XCTestCase {
    func testTracedAndSimplifiedPolygonsAreValidForGEOS() throws {
        let python = "/usr/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: python),
              (try? TestDataProbe.run(python, ["-c", "from osgeo import ogr"]))?.status == 0 else {
            throw Skip.because("python3-gdal (osgeo) not installed")
        }
        // Speckled maps (many diagonal pinches, holes, 1-px necks) and smooth blobs.
        var rng = SplitMix64(seed: 99)
        let w = 64, h = 48
        var maps: [[UInt8]] = []
        for density in [0.3, 0.5, 0.6] as [Float] { maps.append((0..<(w * h)).map { _ in rng.uniform() < density ? 1 : 0 }) }
        var blob = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h { for x in 0..<w {
            let v = sin(Double(x) / 5) + cos(Double(y) / 4) + 0.5 * sin(Double(x + y) / 3)
            blob[y * w + x] = v > 0.6 ? 2 : v < -0.8 ? 1 : 0
        } }
        maps.append(blob)
        let geo = GeoReference(transform: GeoTransform(originX: 720000, pixelWidth: 10, originY: 2780000, pixelHeight: -10), crs: .epsg(32650))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("an-valid-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var total = 0
        for (k, m) in maps.enumerated() {
            let polys = PolygonTracer.trace(m, width: w, height: h)
            total += polys.count
            for tol in [0.0, 0.5] {
                let features = try GeoJSONWriter(geo: geo, simplifyTolerance: tol).features(polys, tileIds: ["t"])
                let doc = GeoJSONWriter.featureCollection(features)
                XCTAssertEqual(GeoJSONCheck.problems(in: Data(doc.utf8)), [], "map \(k) tolerance \(tol)")
                let path = dir.appendingPathComponent("m\(k)-\(tol).geojson").path
                try doc.write(toFile: path, atomically: true, encoding: .utf8)
                let script = """
                import sys, json
                from osgeo import ogr
                d = json.load(open(sys.argv[1]))
                bad = [i for i, f in enumerate(d['features']) if not ogr.CreateGeometryFromJson(json.dumps(f['geometry'])).IsValid()]
                print(len(d['features']), len(bad))
                """
                let r = try TestDataProbe.run(python, ["-c", script, path])
                XCTAssertEqual(r.status, 0, r.err)
                XCTAssertEqual(r.out.trimmingCharacters(in: .whitespacesAndNewlines), "\(features.count) 0", "map \(k) tolerance \(tol): invalid features: \(r.err.prefix(300))")
            }
        }
        XCTAssertGreaterThan(total, 100)
    }
}

final class MergeMosaicTests: XCTestCase {
    /// A 2×2 mosaic of a smooth class map: merging the tiles' edge regions gives the regions of the whole map
    /// (same count, same pixel counts per class, ring areas equal to pixel counts), valid for GEOS when available.
    func testMergingA2x2MosaicReproducesTheWholeMap() throws {
        let w = 60, h = 50
        var full = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h { for x in 0..<w {
            let v = sin(Double(x) / 6) + cos(Double(y) / 5) + 0.4 * sin(Double(x + 2 * y) / 7)
            full[y * w + x] = v > 0.7 ? 2 : v < -0.6 ? 1 : 0
        } }
        let crs = CRS.epsg(32650)
        let base = GeoTransform(originX: 720000, pixelWidth: 10, originY: 2780000, pixelHeight: -10)
        var tiles: [TilePolygons] = []
        for (ty, (y0, th)) in [(0, 23), (23, 27)].enumerated() {
            for (tx, (x0, tw)) in [(0, 31), (31, 29)].enumerated() {
                let sub = (0..<th).flatMap { y in (0..<tw).map { full[(y0 + y) * w + x0 + $0] } }
                tiles.append(TilePolygons(tileId: "r\(ty)c\(tx)", geo: GeoReference(transform: base.offset(column: x0, row: y0), crs: crs),
                                          width: tw, height: th, polygons: PolygonTracer.trace(sub, width: tw, height: th)))
            }
        }
        let merged = try EdgeRegionMerger.merge(tiles)
        let whole = PolygonTracer.trace(full, width: w, height: h)
        XCTAssertEqual(merged.polygons.count, whole.count)
        for code: UInt8 in [1, 2] {
            XCTAssertEqual(merged.polygons.filter { $0.polygon.classCode == code }.map(\.polygon.pixelCount).sorted(),
                           whole.filter { $0.classCode == code }.map(\.pixelCount).sorted())
        }
        for m in merged.polygons { XCTAssertEqual(m.polygon.ringArea, Double(m.polygon.pixelCount), accuracy: 1e-9) }
        XCTAssertTrue(merged.polygons.contains { $0.tileIds.count >= 2 }, "some region must span tiles")
        XCTAssertGreaterThan(whole.count, 3)
        let features = try GeoJSONWriter(geo: merged.reference).features(merged: merged.polygons)
        XCTAssertTrue(features.contains { $0.tileIds.count >= 2 })
        XCTAssertEqual(GeoJSONCheck.problems(in: Data(GeoJSONWriter.featureCollection(features).utf8)), [])
        let python = "/usr/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: python),
              (try? TestDataProbe.run(python, ["-c", "from osgeo import ogr"]))?.status == 0 else { return }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("an-merge-\(UUID().uuidString).geojson").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try GeoJSONWriter.featureCollection(features).write(toFile: path, atomically: true, encoding: .utf8)
        let r = try TestDataProbe.run(python, ["-c", """
        import sys, json
        from osgeo import ogr
        d = json.load(open(sys.argv[1]))
        print(sum(not ogr.CreateGeometryFromJson(json.dumps(f['geometry'])).IsValid() for f in d['features']))
        """, path])
        XCTAssertEqual(r.out.trimmingCharacters(in: .whitespacesAndNewlines), "0", r.err)
    }
}
