import Foundation
import Pipeline
import TestSupport
import XCTest

/// The run's STAC catalogue as a client sees it: the disaster maps are two-date Items with roles, affected.geojson is
/// a Collection asset, the Collection is rebuilt from the run catalog alone, and pystac validates the whole of it.
final class StacCatalogTests: XCTestCase {
    private func json(_ url: URL) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any], url.path)
    }

    /// The disaster maps the run wrote (`pairs/<job>/*.tif`), relative to the run folder.
    private func disasterMaps(_ run: URL) throws -> [String] {
        let pairs = run.appendingPathComponent("pairs")
        var out: [String] = []
        for job in try FileManager.default.contentsOfDirectory(atPath: pairs.path) {
            for name in try FileManager.default.contentsOfDirectory(atPath: pairs.appendingPathComponent(job).path) where name.hasSuffix(".tif") {
                out.append("pairs/\(job)/\(name)")
            }
        }
        return out.sorted()
    }

    func testDisasterMapsAndAffectedAreasAreAssetsWithRoles() throws {
        let run = try ServeFixture.shared().run
        let collection = try json(run.appendingPathComponent("stac/collection.json"))
        let assets = try XCTUnwrap(collection["assets"] as? [String: [String: Any]])
        XCTAssertEqual(assets["affected"]?["href"] as? String, "../affected.geojson")
        XCTAssertEqual(assets["affected"]?["roles"] as? [String], ["data"])
        XCTAssertEqual(assets["affected"]?["type"] as? String, "application/geo+json")

        let maps = try disasterMaps(run)
        XCTAssertFalse(maps.isEmpty, "the SampleTiles job writes flood and burn maps")
        let itemHrefs = Set(((collection["links"] as? [[String: Any]]) ?? []).filter { $0["rel"] as? String == "item" }.compactMap { $0["href"] as? String })
        for map in maps {
            let rel = String(map.dropLast(4)) + ".json"
            XCTAssertTrue(itemHrefs.contains("../" + rel), "\(rel) is not an item of the collection")
            let item = try json(run.appendingPathComponent(rel))
            let job = map.split(separator: "/")[1]
            let props = try XCTUnwrap(item["properties"] as? [String: Any])
            XCTAssertNotNil(props["start_datetime"]); XCTAssertNotNil(props["end_datetime"])
            XCTAssertEqual(props["tilepipe:job"] as? String, String(job))
            let itemAssets = try XCTUnwrap(item["assets"] as? [String: [String: Any]])
            let data = try XCTUnwrap(itemAssets[String(job)], "\(rel) has no '\(job)' asset")
            XCTAssertEqual(data["href"] as? String, "./" + (map as NSString).lastPathComponent)
            XCTAssertEqual(data["roles"] as? [String], ["data"])
            let classes = try XCTUnwrap(data["classification:classes"] as? [[String: Any]])
            XCTAssertTrue(classes.contains { $0["value"] as? Int == 0 && $0["nodata"] as? Bool == true })
            XCTAssertGreaterThan(classes.count, 2)
            XCTAssertEqual(itemAssets["\(job)_quicklook"]?["roles"] as? [String], ["overview", "visual"])
            let derived = ((item["links"] as? [[String: Any]]) ?? []).filter { $0["rel"] as? String == "derived_from" }
            XCTAssertEqual(derived.count, 2, "\(rel): derived_from the two dates' items")
            for l in derived {
                let target = run.appendingPathComponent(String(rel.split(separator: "/").dropLast().joined(separator: "/")))
                    .appendingPathComponent(try XCTUnwrap(l["href"] as? String)).standardized
                XCTAssertTrue(FileManager.default.fileExists(atPath: target.path), "\(target.path) is missing")
            }
        }
    }

    /// The Collection is made from what the catalog holds: with every tile Item file removed, `RunProducts.write`
    /// gives the same Collection bytes (reading the Items back would lose them).
    func testCollectionIsBuiltWithoutReadingTheItems() throws {
        let served = try ServeFixture.shared().run
        let copy = try TestData.temporaryDirectory("stac-from-catalog").appendingPathComponent("run")
        try FileManager.default.copyItem(at: served, to: copy)
        for link in ["stac/passwd.json", "stac/etc", "outside.geojson"] { try? FileManager.default.removeItem(at: copy.appendingPathComponent(link)) }
        let original = try Data(contentsOf: copy.appendingPathComponent("stac/collection.json"))
        var removed = 0
        let tiles = copy.appendingPathComponent("tiles")
        for tile in try FileManager.default.contentsOfDirectory(atPath: tiles.path) {
            for name in try FileManager.default.contentsOfDirectory(atPath: tiles.appendingPathComponent(tile).path) where name.hasSuffix("_item.json") {
                try FileManager.default.removeItem(at: tiles.appendingPathComponent(tile).appendingPathComponent(name))
                removed += 1
            }
        }
        XCTAssertGreaterThan(removed, 0)
        try FileManager.default.removeItem(at: copy.appendingPathComponent("stac/collection.json"))
        try RunProducts.write(directory: copy.path)
        let rebuilt = try Data(contentsOf: copy.appendingPathComponent("stac/collection.json"))
        XCTAssertEqual(String(decoding: rebuilt, as: UTF8.self), String(decoding: original, as: UTF8.self))
        let links = (try json(copy.appendingPathComponent("stac/collection.json"))["links"] as? [[String: Any]]) ?? []
        XCTAssertEqual(links.filter { $0["rel"] as? String == "item" && ($0["href"] as? String)?.hasPrefix("../tiles/") == true }.count, removed)
    }

    /// pystac (offline: STAC 1.1.0 core schemas bundled with pystac; extensions through its extension API, since
    /// their schemas are not on the machine) validates the Collection and every Item; skips without pystac.
    func testPystacValidatesTheCollectionAndEveryItem() throws {
        let run = try ServeFixture.shared().run
        let python = "/usr/bin/python3"
        guard (try? TestData.run(python, ["-c", "import pystac, jsonschema"]).status) == 0 else {
            throw Skip.because("pystac or jsonschema is not installed for \(python) (make test-deps installs them)")
        }
        let script = TestData.packageRoot.appendingPathComponent("scripts/stac-validate.py").path
        let r = try TestData.run(python, [script, run.appendingPathComponent("stac/collection.json").path])
        XCTAssertEqual(r.status, 0, "stac-validate: \(r.err)")
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], r.out)
        let items = try XCTUnwrap(summary["items"] as? Int)
        XCTAssertEqual(summary["problems"] as? Int, 0)
        XCTAssertEqual(summary["core_schema_validated"] as? Int, items + 1, "the collection and every item against the core schema")
        XCTAssertEqual(summary["two_date_items"] as? Int, try disasterMaps(run).count)
        XCTAssertEqual((summary["collection_assets"] as? [String: [String]])?["affected"], ["data"])
        XCTAssertEqual(summary["classified_assets"] as? Int, try disasterMaps(run).count)
    }
}
