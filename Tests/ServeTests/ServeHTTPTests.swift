import Foundation
import RasterCore
import RasterIO
import Serve
import TestSupport
import XCTest

/// The server's HTTP contract over a real run: confinement (404), malformed addresses (400), validators, files.
final class ServeHTTPTests: XCTestCase {
    func testPathTraversalAndSymlinksOutOfTheRunAre404() throws {
        let s = try ServeFixture.shared()
        // Control: the same route serves a file that is inside the run.
        XCTAssertEqual(try RawHTTP.get("/stac/collection.json", port: s.port).status, 200)
        let hostile = [
            "/stac/../../etc/passwd", "/stac/../../../../../../etc/passwd", "/stac/%2e%2e/%2e%2e/etc/passwd",
            "/stac/%2E%2E/%2E%2E/%2E%2E/etc/passwd", "/stac/..%2f..%2f..%2fetc%2fpasswd", "/stac/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
            "/stac/..%5c..%5cetc%5cpasswd", "/stac/%252e%252e/%252e%252e/etc/passwd", "/stac/.%2e/.%2e/etc/passwd",
            "/stac/%00../../etc/passwd", "/stac/passwd.json", "/stac/etc/passwd", "/stac/./collection.json",
            "/stac/", "/tiles/..%2f..%2f/etc%2fpasswd", "/tiles/../../etc/passwd",
            "/pairs/flood/..%2f..%2f..%2fetc%2fpasswd", "/pairs/../../etc/passwd", "/leaflet/../../../etc/passwd",
            "/leaflet/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/outside.geojson", "/catalog.sqlite", "/../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd",
        ]
        for path in hostile {
            let r = try RawHTTP.get(path, port: s.port)
            XCTAssertEqual(r.status, 404, "\(path) answered \(r.status)")
            XCTAssertFalse(r.text.contains("root:"), "\(path) leaked /etc/passwd")
        }
    }

    func testMalformedTileAddressesAre400AndUnknownOnes404() throws {
        let s = try ServeFixture.shared()
        let date = try XCTUnwrap(s.server.run.layer("ndvi")?.dateKeys.first)
        XCTAssertEqual(try RawHTTP.get("/tiles/ndvi/\(date)/15/27142/14022.png", port: s.port).status, 200)
        for bad in ["abc/1/2.png", "15/27142/abc.png", "-1/0/0.png", "15/-3/1.png", "3/8/0.png", "3/0/8.png", "25/0/0.png",
                    "15/27142/14022", "15/27142/14022.jpg", "1e1/0/0.png", "15/0x10/1.png", "15/+1/1.png", "15/%201/1.png",
                    "99999999999999999999/0/0.png", "15/27142/.png"] {
            let r = try RawHTTP.get("/tiles/ndvi/\(date)/\(bad)", port: s.port)
            XCTAssertEqual(r.status, 400, "\(bad) answered \(r.status)")
        }
        for bad in ["0,1,2", "1,0", "a,b", "nan,1", "1", ""] {
            let r = try RawHTTP.get("/tiles/ndvi/\(date)/15/27142/14022.png?rescale=\(bad)", port: s.port)
            XCTAssertEqual(r.status, 400, "rescale=\(bad) answered \(r.status)")
        }
        XCTAssertEqual(try RawHTTP.get("/tiles/nosuchlayer/\(date)/15/27142/14022.png", port: s.port).status, 404)
        XCTAssertEqual(try RawHTTP.get("/tiles/ndvi/1999-01-01/15/27142/14022.png", port: s.port).status, 404)
        XCTAssertEqual(try RawHTTP.get("/legend/nosuchlayer.svg", port: s.port).status, 404)
    }

    func testTilesCarryValidatorsAndAnswerNotModified() throws {
        let s = try ServeFixture.shared()
        let date = try XCTUnwrap(s.server.run.layer("landuse")?.dateKeys.first)
        let path = "/tiles/landuse/\(date)/15/27142/14022.png"
        let first = try RawHTTP.get(path, port: s.port)
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.headers["content-type"], "image/png")
        let etag = try XCTUnwrap(first.headers["etag"])
        XCTAssertTrue(etag.hasPrefix("\"") && etag.hasSuffix("\""))
        XCTAssertNotNil(first.headers["last-modified"])
        let hitsBefore = s.server.cache.hits
        let second = try RawHTTP.get(path, port: s.port)
        XCTAssertEqual(second.headers["etag"], etag)
        XCTAssertEqual(second.body, first.body)
        XCTAssertGreaterThan(s.server.cache.hits, hitsBefore, "the second request came from the cache")
        XCTAssertEqual(try RawHTTP.get(path, port: s.port, headers: ["If-None-Match": etag]).status, 304)
        XCTAssertEqual(try RawHTTP.get(path, port: s.port, headers: ["If-None-Match": "\"other\""]).status, 200)
        // Another tile, another rescale: other tags.
        XCTAssertNotEqual(try RawHTTP.get("/tiles/landuse/\(date)/15/27143/14022.png", port: s.port).headers["etag"], etag)
        let ndvi = try XCTUnwrap(s.server.run.layer("ndvi")?.dateKeys.first)
        let plain = try RawHTTP.get("/tiles/ndvi/\(ndvi)/15/27142/14022.png", port: s.port)
        let stretched = try RawHTTP.get("/tiles/ndvi/\(ndvi)/15/27142/14022.png?rescale=0,0.9", port: s.port)
        XCTAssertEqual(stretched.status, 200)
        XCTAssertNotEqual(plain.headers["etag"], stretched.headers["etag"])
        XCTAssertNotEqual(plain.body, stretched.body, "rescale changes the colours")
    }

    func testRunFilesAndThePageAreServedWithoutOtherHosts() throws {
        let s = try ServeFixture.shared()
        let collection = try RawHTTP.get("/stac/collection.json", port: s.port)
        XCTAssertEqual(collection.headers["content-type"], "application/json")
        XCTAssertTrue(collection.text.contains("\"stac_version\""))
        let geojson = try RawHTTP.get("/affected.geojson", port: s.port)
        XCTAssertEqual(geojson.status, 200)
        XCTAssertTrue(geojson.text.contains("FeatureCollection"))
        XCTAssertEqual(try RawHTTP.get("/report.html", port: s.port).status, 200)
        // A STAC item's relative links resolve on the server too (collection → ../tiles/T/T_item.json → ./T_ndvi.tif).
        let item = try XCTUnwrap(collection.text.firstMatch(of: /"\.\.\/(tiles\/[^"]+_item\.json)"/)).1
        let itemReply = try RawHTTP.get("/" + item, port: s.port)
        XCTAssertEqual(itemReply.status, 200)
        let tif = try XCTUnwrap(itemReply.text.firstMatch(of: /"\.\/([^"]+_ndvi\.tif)"/)).1
        let dir = (String(item) as NSString).deletingLastPathComponent
        XCTAssertEqual(try RawHTTP.get("/\(dir)/\(tif)", port: s.port).status, 200)
        let page = try RawHTTP.get("/", port: s.port)
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.text.contains("/leaflet/leaflet.js"))
        XCTAssertNil(page.text.firstMatch(of: /(src|href)="(https?:)?\/\//), "the page loads nothing from another host")
        let layers = try RawHTTP.get("/layers.json", port: s.port)
        let doc = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(layers.body)) as? [String: Any])
        let names = ((doc["layers"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
        for expected in ["ndvi", "ndwi", "landuse", "flood", "burn", "rgb"] { XCTAssertTrue(names.contains(expected), "layers: \(names)") }
        let legend = try RawHTTP.get("/legend/flood.svg", port: s.port)
        XCTAssertEqual(legend.headers["content-type"], "image/svg+xml")
        XCTAssertTrue(legend.text.contains("flooded"), "the flood legend names its classes")
        if FileManager.default.fileExists(atPath: "/usr/share/javascript/leaflet/leaflet.js") {
            XCTAssertEqual(try RawHTTP.get("/leaflet/leaflet.js", port: s.port).status, 200)
        }
    }

    /// The binary: `tilepipe serve` prints its address, answers, logs JSON lines, and exits 0 on SIGTERM and SIGINT.
    func testCacheSizeOutOfRangeIsAUsageErrorNamingTheOption() throws {
        let s = try ServeFixture.shared()
        let binary = try tilepipeBinary()
        XCTAssertEqual(TileCache.bytes(megabytes: 64), 64 << 20)
        XCTAssertEqual(TileCache.bytes(megabytes: TileCache.maximumMegabytes), TileCache.maximumMegabytes << 20)
        // 2^44 MiB << 20 wraps to 0 bytes on 64 bits: the shift the option used to do silently disabled the cache.
        for bad in ["-1", String(TileCache.maximumMegabytes + 1), "17592186044416", "9223372036854775807"] {
            // An address that cannot be bound: if the option were accepted, serve would exit 2 instead of hanging the test.
            let r = try TestData.run(binary, ["serve", s.run.path, "--host", "256.0.0.1", "--port", "0", "--cache-mb", bad])
            XCTAssertEqual(r.status, 64, "--cache-mb \(bad): exit \(r.status) \(r.err)")
            XCTAssertTrue(r.err.contains("--cache-mb"), "--cache-mb \(bad): \(r.err)")
            XCTAssertNil(TileCache.bytes(megabytes: Int(bad) ?? -1))
        }
    }

    /// The `tilepipe` binary next to the test bundle (or in .build/debug); skips when it is not built.
    private func tilepipeBinary() throws -> String {
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tilepipe").path,
                          Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("tilepipe").path,
                          TestData.packageRoot.appendingPathComponent(".build/debug/tilepipe").path]
        guard let binary = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Skip.because("tilepipe binary not built")
        }
        return binary
    }

    func testBinaryShutsDownCleanlyOnSignalsAndLogsJSON() throws {
        let s = try ServeFixture.shared()
        let binary = try tilepipeBinary()
        for signal in [SIGTERM, SIGINT] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["serve", s.run.path, "--port", "0", "--log-format", "json"]
            let out = Pipe(), err = Pipe()
            p.standardOutput = out
            p.standardError = err
            try p.run()
            let line = String(decoding: out.fileHandleForReading.availableDataUntilNewline(), as: UTF8.self)
            let port = try XCTUnwrap(line.firstMatch(of: /127\.0\.0\.1:(\d+)/).flatMap { Int($0.1) }, "no address in '\(line)'")
            let date = try XCTUnwrap(s.server.run.layer("ndvi")?.dateKeys.first)
            XCTAssertEqual(try RawHTTP.get("/tiles/ndvi/\(date)/15/27142/14022.png", port: port).status, 200)
            XCTAssertEqual(try RawHTTP.get("/stac/../../etc/passwd", port: port).status, 404)
            kill(p.processIdentifier, signal)
            let deadline = Date().addingTimeInterval(20)
            while p.isRunning && Date() < deadline { usleep(50_000) }
            XCTAssertFalse(p.isRunning, "still running 20 s after signal \(signal)")
            if p.isRunning { p.terminate(); continue }
            XCTAssertEqual(p.terminationStatus, 0, "exit status after signal \(signal)")
            let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let requests = log.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                .filter { ($0["msg"] as? String ?? $0["message"] as? String) == "request" }
            XCTAssertEqual(requests.count, 2, "one JSON access-log line per request: \(log)")
            XCTAssertTrue(log.contains("stopped"), "the server says it stopped: \(log)")
        }
    }
}

extension FileHandle {
    /// Reads byte by byte up to the first newline (or end of file).
    func availableDataUntilNewline() -> Data {
        var data = Data()
        while true {
            let b = readData(ofLength: 1)
            if b.isEmpty || b.first == 10 { return data }
            data.append(b)
        }
    }
}
