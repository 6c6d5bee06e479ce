import Foundation
import Products
import RasterCore
import RasterIO
import Serve
import TestSupport
import XCTest

/// Served tiles against an independent rendering: `gdalwarp -t_srs EPSG:3857` of the same COGs to the tile's
/// bounds (nearest, exact transform), coloured with the same palette.
final class TileAgreementTests: XCTestCase {
    func testTilesAgreeWithGDALWarpOnAtLeast99PercentOfPixels() throws {
        guard TestData.hasTool("gdalwarp") else { throw Skip.because("gdalwarp not installed (apt-get install gdal-bin)") }
        let s = try ServeFixture.shared()
        let dir = try TestData.temporaryDirectory("serve-gdal")
        defer { try? FileManager.default.removeItem(at: dir) }
        var totalSame = 0, totalPixels = 0, compared = 0, withData = 0
        var report: [String] = []
        for layer in s.server.run.layers {
            for date in layer.dateKeys.prefix(1) {
                let sources = layer.dates[date] ?? []
                let b = layer.lonLatBounds
                // The centre (where the 2×2 source tiles meet: a mosaic seam) and a point a quarter in, at four zooms.
                let points = [((b.west + b.east) / 2, (b.south + b.north) / 2), (b.west + (b.east - b.west) / 4, b.north - (b.north - b.south) / 4)]
                var tiles = Set<WebMercatorTile>()
                for z in [13, 15, 17] { for p in points { if let t = WebMercatorTile.containing(lon: p.0, lat: p.1, z: z) { tiles.insert(t) } } }
                var same = 0, pixels = 0
                for t in tiles.sorted(by: { ($0.z, $0.x, $0.y) < ($1.z, $1.x, $1.y) }) {
                    let reply = try RawHTTP.get("/tiles/\(layer.name)/\(date)/\(t.z)/\(t.x)/\(t.y).png", port: s.port)
                    XCTAssertEqual(reply.status, 200)
                    let ours = try RawHTTP.png(reply.body)
                    XCTAssertEqual(ours.channels, 4)
                    let theirs = try gdalTile(t, sources: sources.map(\.path), layer: layer, dir: dir)
                    for i in 0..<(256 * 256) {
                        let a = ours.pixels8[(4 * i)..<(4 * i + 4)]
                        let c = theirs[i] ?? RGBA(0, 0, 0, 0)
                        // Fully transparent pixels agree whatever their colour channels.
                        if (a[a.startIndex + 3] == 0 && c.a == 0) || Array(a) == [c.r, c.g, c.b, c.a] { same += 1 }
                        if c.a > 0 { withData += 1 }
                    }
                    pixels += 256 * 256
                    compared += 1
                }
                totalSame += same; totalPixels += pixels
                let pct = 100 * Double(same) / Double(max(pixels, 1))
                report.append("\(layer.name) \(date): \(String(format: "%.3f", pct)) % of \(pixels) px")
                XCTAssertGreaterThanOrEqual(pct, 99, "\(layer.name) \(date) agrees with gdalwarp on \(pct) % of pixels")
            }
        }
        let pct = 100 * Double(totalSame) / Double(max(totalPixels, 1))
        print("tile agreement with gdalwarp: \(String(format: "%.3f", pct)) % over \(compared) tiles (\(withData) of \(totalPixels) px with data); "
              + report.joined(separator: "; "))
        XCTAssertGreaterThan(compared, 20)
        XCTAssertGreaterThan(withData, totalPixels / 4, "the comparison is not over empty tiles")
        XCTAssertGreaterThanOrEqual(pct, 99)
    }

    /// GDAL's rendering of `tile`: RGBA per pixel (nil = transparent).
    func gdalTile(_ t: WebMercatorTile, sources: [String], layer: MapLayer, dir: URL) throws -> [RGBA?] {
        let b = t.bounds()
        let out = dir.appendingPathComponent("\(layer.name)-\(t.z)-\(t.x)-\(t.y).tif").path
        let categorical: Bool
        switch layer.style {
        case .classes, .trueColor: categorical = true   // integer codes, nodata 0
        case .ramp: categorical = false
        }
        let args = ["-q", "-overwrite", "-t_srs", "EPSG:3857", "-te", "\(b.minX)", "\(b.minY)", "\(b.maxX)", "\(b.maxY)",
                    "-ts", "256", "256", "-r", "near", "-et", "0", "-ovr", "NONE", "-dstnodata", categorical ? "0" : "nan",
                    "-of", "GTiff"] + sources + [out]
        let run = try TestData.run("gdalwarp", args)
        XCTAssertEqual(run.status, 0, run.err)
        let warped = try GeoTIFFReader(path: out).read(window: nil, bands: nil)
        let values = warped.floatBand(0)
        switch layer.style {
        case .trueColor:
            // The picture as it is: bands 1–3 as red, green, blue; 0 (nodata) in any band transparent.
            let g = warped.floatBand(1), b = warped.floatBand(2)
            return values.indices.map { i in
                let px = [values[i], g[i], b[i]]
                guard px.allSatisfy({ $0.isFinite && $0 != 0 }) else { return nil }
                return RGBA(UInt8(px[0]), UInt8(px[1]), UInt8(px[2]))
            }
        case let .ramp(ramp, range):
            let r = range.map { ramp.stretched(to: $0) } ?? ramp
            return values.map { $0.isNaN ? nil : r.color(Double($0)) }
        case let .classes(table, _, nodata):
            return values.map { v in
                guard v.isFinite, Int(v) != nodata, Int(v) < table.entries.count else { return nil }
                let c = table.entries[Int(v)]
                return c.a == 0 ? nil : c
            }
        }
    }
}
