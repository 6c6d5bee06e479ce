import Analysis
import Foundation
import Products
import RasterCore
import TestSupport
import XCTest

/// Two-date Items (disaster maps) and Collections made from Item summaries.
final class StacTwoDateItemTests: XCTestCase {
    let grid = Oracles.anxiGrid()
    let classes = [ClassDefinition(code: 0, name: "no data", color: "#00000000"), ClassDefinition(code: 1, name: "dry", color: "#f5f5dc"),
                   ClassDefinition(code: 3, name: "newly flooded (high)", color: "#4292c6")]

    private func item() throws -> StacItem {
        let p = StacTwoDateProduct(id: "flood_T_r0c0_2025-06-02_2025-06-18", job: "flood", title: "Flood", before: Date(timeIntervalSince1970: 1_748_832_000),
                                   after: Date(timeIntervalSince1970: 1_750_214_400), map: "./m.tif", quicklook: "./m.png", classes: classes,
                                   index: "ndwi", affectedHectares: 12.345, derivedFrom: ["../../tiles/a/a_item.json", "../../tiles/b/b_item.json"])
        return try StacItem.makeTwoDate(p, collection: "run", collectionHref: "../../stac/collection.json", geo: grid, width: 64, height: 32,
                                        provenance: Provenance(version: "test"))
    }

    func testTwoDateItemCarriesBothDatesClassesAndRoles() throws {
        let i = try item()
        XCTAssertEqual(i.properties["start_datetime"], .string("2025-06-02T02:40:00Z"))
        XCTAssertEqual(i.properties["end_datetime"], .string("2025-06-18T02:40:00Z"))
        XCTAssertEqual(i.properties["datetime"], .string("2025-06-18T02:40:00Z"))
        XCTAssertEqual(i.properties["tilepipe:affected_ha"], .number(12.35))
        XCTAssertTrue(i.stac_extensions.contains(StacItem.classificationExtension))
        XCTAssertEqual(i.assets["flood"]?.roles, ["data"])
        XCTAssertEqual(i.assets["flood_quicklook"]?.roles, ["overview", "visual"])
        guard case .array(let objects)? = i.assets["flood"]?.fields["classification:classes"] else { return XCTFail("no classes") }
        XCTAssertEqual(objects, [
            ["value": 0, "name": "no_data", "title": "no data", "color_hint": "000000", "nodata": .bool(true)],
            ["value": 1, "name": "dry", "title": "dry", "color_hint": "F5F5DC"],
            ["value": 3, "name": "newly_flooded__high_", "title": "newly flooded (high)", "color_hint": "4292C6"],
        ])
        XCTAssertEqual(i.links.filter { $0.rel == "derived_from" }.map(\.href), ["../../tiles/a/a_item.json", "../../tiles/b/b_item.json"])
    }

    func testCollectionFromSummariesEqualsCollectionFromItems() throws {
        let i = try item()
        let fromItems = try StacCollection.make(id: "run", description: "d", items: [(i, "../pairs/flood/m.json")])
        let fromSummaries = try StacCollection.make(id: "run", description: "d", members: [.init(id: i.id, href: "../pairs/flood/m.json", summary: i.summary)])
        XCTAssertEqual(fromItems, fromSummaries)
        XCTAssertNil(fromSummaries.assets)
        let withAsset = try StacCollection.make(id: "run", description: "d", members: [.init(id: i.id, href: "../x.json", summary: i.summary)],
                                                assets: ["affected": StacAsset(href: "../affected.geojson", type: StacAsset.geoJSONMediaType, roles: ["data"])])
        XCTAssertEqual(withAsset.assets?["affected"]?.roles, ["data"])
        XCTAssertTrue(try withAsset.json().contains("\"assets\""))
    }
}
