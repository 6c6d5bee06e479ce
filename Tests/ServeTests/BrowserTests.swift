import Foundation
import RasterCore
import RasterIO
import Serve
import TestSupport
import XCTest

/// The map page in headless Chromium against the in-process server: every layer loads tiles from this server only,
/// with no console message, tiles hold data, the flood layer's flooded pixels lie in the flood polygons, and a
/// screenshot is kept under .build/test-artifacts/serve/.
final class BrowserTests: XCTestCase {
    func testMapPageLoadsEveryLayerFromThisServerOnly() throws {
        guard let chromium = ["chromium", "chromium-browser", "google-chrome"].first(where: TestData.hasTool) else {
            throw Skip.because("chromium not installed (apt-get install chromium)")
        }
        guard FileManager.default.fileExists(atPath: "/usr/share/javascript/leaflet/leaflet.js") else {
            throw Skip.because("libjs-leaflet not installed (apt-get install libjs-leaflet)")
        }
        let s = try ServeFixture.shared()
        let dir = try TestData.temporaryDirectory("serve-chromium")
        defer { try? FileManager.default.removeItem(at: dir) }
        let origin = "http://127.0.0.1:\(s.port)"
        // Every name but this machine's loopback fails to resolve: nothing can leave the machine.
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync", "--disable-default-apps", "--enable-logging=stderr", "--v=0",
                      "--window-size=1200,800", "--virtual-time-budget=8000"]
        func open(_ hash: String, tag: String, extra: [String]) throws -> (run: (status: Int32, out: String, err: String), requests: [String]) {
            let netlog = dir.appendingPathComponent("netlog-\(tag).json").path
            let run = try TestData.run(chromium, common + ["--user-data-dir=" + dir.appendingPathComponent("profile-\(tag)").path,
                                                           "--log-net-log=" + netlog] + extra + [origin + "/#" + hash])
            let log = (try? String(contentsOfFile: netlog, encoding: .utf8)) ?? ""
            return (run, log.matches(of: /"traffic_annotation":101845102,"url":"([^"]+)"/).map { String($0.1) })
        }
        // The run writes `outputs.rgb: true`: its true-colour picture is a layer of the page.
        XCTAssertEqual(s.server.run.layer("rgb")?.kind, "truecolor", "layers: \(s.server.run.layers.map(\.name))")
        for layer in s.server.run.layers {
            let date = try XCTUnwrap(layer.dateKeys.last)
            let (run, requests) = try open("layer=\(layer.name)&date=\(date)", tag: layer.name, extra: ["--dump-dom"])
            XCTAssertEqual(run.status, 0, run.err)
            let counts = try XCTUnwrap(run.out.firstMatch(of: /tiles: (\d+) loaded, (\d+) failed/), "\(layer.name): no tile status in the page")
            XCTAssertGreaterThan(Int(counts.1) ?? 0, 0, "\(layer.name): no tile loaded")
            XCTAssertEqual(Int(counts.2), 0, "\(layer.name): tiles failed")
            let console = run.err.split(separator: "\n").filter { $0.contains("CONSOLE") }
            XCTAssertTrue(console.isEmpty, "\(layer.name): console messages: \(console)")
            XCTAssertFalse(requests.isEmpty, "the network log recorded the page's requests")
            let foreign = requests.filter { !$0.hasPrefix(origin + "/") && !$0.hasPrefix("data:") }
            XCTAssertTrue(foreign.isEmpty, "\(layer.name): requests to other hosts: \(foreign)")
            let tileURLs = requests.filter { $0.hasPrefix(origin + "/tiles/\(layer.name)/") }
            XCTAssertFalse(tileURLs.isEmpty, "\(layer.name): the page requested no tile")
            var opaque = 0, flooded = 0, inside = 0
            var colours = Set<UInt32>()   // of the true-colour layer: a picture, not a palette
            let polygons = layer.name == "flood" ? try floodPolygons(s.run) : []
            let floodColour: RGBA? = {
                guard case let .classes(table, names, _) = layer.style, let code = names.first(where: { $0.value == "flooded" })?.key else { return nil }
                return table.entries[code]
            }()
            for url in tileURLs {
                let reply = try RawHTTP.get(String(url.dropFirst(origin.count)), port: s.port)
                XCTAssertEqual(reply.status, 200, url)
                let img = try RawHTTP.png(reply.body)
                let parts = url.split(separator: "/").suffix(3)
                let (z, x) = (Int(parts[parts.startIndex]) ?? 0, Int(parts[parts.startIndex + 1]) ?? 0)
                let y = Int(parts[parts.startIndex + 2].dropLast(4)) ?? 0
                let tile = try XCTUnwrap(WebMercatorTile(z: z, x: x, y: y))
                for i in 0..<(img.width * img.height) where img.pixels8[4 * i + 3] > 0 {
                    opaque += 1
                    if layer.name == "rgb" {
                        colours.insert(UInt32(img.pixels8[4 * i]) << 16 | UInt32(img.pixels8[4 * i + 1]) << 8 | UInt32(img.pixels8[4 * i + 2]))
                    }
                    guard let c = floodColour, img.pixels8[4 * i] == c.r, img.pixels8[4 * i + 1] == c.g, img.pixels8[4 * i + 2] == c.b else { continue }
                    flooded += 1
                    let (lon, lat) = Self.lonLat(tile, column: i % img.width, row: i / img.width)
                    if polygons.contains(where: { Self.contains($0, lon: lon, lat: lat) }) { inside += 1 }
                }
            }
            XCTAssertGreaterThan(opaque, 0, "\(layer.name): the tiles the page showed hold no data")
            if layer.name == "rgb" {
                XCTAssertGreaterThan(colours.count, 1000, "the rgb layer shows a picture (\(colours.count) distinct colours in \(opaque) opaque pixels)")
            }
            if layer.name == "flood" {
                XCTAssertGreaterThan(flooded, 1000, "the flood tiles show flooded pixels")
                let share = Double(inside) / Double(max(flooded, 1))
                print("flood layer: \(inside) of \(flooded) flooded pixels (\(String(format: "%.2f", 100 * share)) %) inside the flood polygons")
                // Polygons leave out patches under min_area_m2 and are traced on pixel edges: nearly all, not all.
                XCTAssertGreaterThanOrEqual(share, 0.97, "flooded pixels outside the flood polygons")
            }
        }
        // The screenshot artefact: flood layer, map and legend.
        let artefacts = TestData.packageRoot.appendingPathComponent(".build/test-artifacts/serve")
        try FileManager.default.createDirectory(at: artefacts, withIntermediateDirectories: true)
        let shot = artefacts.appendingPathComponent("map-flood.png").path
        let flood = try XCTUnwrap(s.server.run.layer("flood")?.dateKeys.last)
        let (run, _) = try open("layer=flood&date=\(flood)", tag: "shot", extra: ["--screenshot=" + shot])
        XCTAssertEqual(run.status, 0, run.err)
        let image = try PNGImage.read(path: shot)
        XCTAssertEqual(image.width, 1200)
        let channels = image.channels
        func count(_ c: (UInt8, UInt8, UInt8), xs: Range<Int>) -> Int {
            var n = 0
            for y in 0..<image.height { for x in xs {
                let o = (y * image.width + x) * channels
                if image.pixels8[o] == c.0 && image.pixels8[o + 1] == c.1 && image.pixels8[o + 2] == c.2 { n += 1 }
            } }
            return n
        }
        // The permanent-water class colour (#08306B) at full opacity is in the legend swatch (panel, x ≥ 900).
        XCTAssertGreaterThan(count((8, 48, 107), xs: 900..<1200), 50, "the legend is visible in \(shot)")
        XCTAssertGreaterThan(Set(image.pixels8[0..<(image.width * 600 * channels)]).count, 20, "the map is not blank in \(shot)")
    }

    /// Outer and inner rings (lon/lat) of the flood features of affected.geojson.
    func floodPolygons(_ run: URL) throws -> [[[(Double, Double)]]] {
        let data = try Data(contentsOf: run.appendingPathComponent("affected.geojson"))
        let doc = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        var out: [[[(Double, Double)]]] = []
        for f in (doc["features"] as? [[String: Any]]) ?? [] {
            guard let p = f["properties"] as? [String: Any], (p["job"] as? String) == "flood",
                  let g = f["geometry"] as? [String: Any] else { continue }
            let polys: [[[[Double]]]]
            if g["type"] as? String == "Polygon" { polys = [(g["coordinates"] as? [[[Double]]]) ?? []] }
            else { polys = (g["coordinates"] as? [[[[Double]]]]) ?? [] }
            for poly in polys { out.append(poly.map { ring in ring.map { ($0[0], $0[1]) } }) }
        }
        return out
    }

    /// Even-odd point in polygon (outer ring and holes).
    static func contains(_ rings: [[(Double, Double)]], lon: Double, lat: Double) -> Bool {
        var inside = false
        for ring in rings where ring.count > 2 {
            var j = ring.count - 1
            for i in 0..<ring.count {
                let (xi, yi) = ring[i], (xj, yj) = ring[j]
                if (yi > lat) != (yj > lat), lon < (xj - xi) * (lat - yi) / (yj - yi) + xi { inside.toggle() }
                j = i
            }
        }
        return inside
    }

    /// WGS84 longitude/latitude of a tile pixel's centre (spherical Web Mercator inverse).
    static func lonLat(_ t: WebMercatorTile, column: Int, row: Int) -> (Double, Double) {
        let b = t.bounds(), r = t.resolution()
        let x = b.minX + (Double(column) + 0.5) * r, y = b.maxY - (Double(row) + 0.5) * r
        let R = 6378137.0
        return (x / R * 180 / .pi, (2 * atan(exp(y / R)) - .pi / 2) * 180 / .pi)
    }
}
