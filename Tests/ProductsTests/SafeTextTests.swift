import Foundation
@testable import Products
import RasterCore
import XCTest

/// CSV formula neutralising (OWASP), Markdown escaping, STAC href percent-encoding.
final class SafeTextTests: XCTestCase {
    func testCSVCellsStartingWithAFormulaCharacterAreNeutralised() {
        XCTAssertEqual(SafeText.csvCell("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0")
        XCTAssertEqual(SafeText.csvCell("+1+2"), "'+1+2")
        XCTAssertEqual(SafeText.csvCell("-2+3"), "'-2+3")
        XCTAssertEqual(SafeText.csvCell("@SUM(A1)"), "'@SUM(A1)")
        XCTAssertEqual(SafeText.csvCell("\tx"), "'\tx")
        XCTAssertEqual(SafeText.csvCell("\rx"), "\"'\rx\"")
        XCTAssertEqual(SafeText.csvCell("=a,b"), "\"'=a,b\"")
        XCTAssertEqual(SafeText.csvCell("-0.25"), "-0.25")
        XCTAssertEqual(SafeText.csvCell("-1e-3"), "-1e-3")
        XCTAssertEqual(SafeText.csvCell("plain"), "plain")
        XCTAssertEqual(SafeText.csvCell("say \"hi\""), "\"say \"\"hi\"\"\"")
        // Through the report's table writer.
        XCTAssertEqual(ReportCSV.table(["path"], [["=cmd"]]), "path\n'=cmd\n")
    }

    func testMarkdownEscapesHeadingsHTMLAndLinks() {
        let s = SafeText.markdown("T\n# H\r\n<script>x</script> [a](javascript:b) *e* | c")
        XCTAssertFalse(s.contains("\n") || s.contains("\r"))
        XCTAssertFalse(s.contains("<"))
        XCTAssertFalse(s.contains("](j"))
        XCTAssertTrue(s.contains("&lt;script&gt;"))
        XCTAssertTrue(s.contains("\\|"))
        XCTAssertTrue(s.contains("\\# H"))
    }

    func testHrefsArePercentEncodedPerSegment() {
        XCTAssertEqual(SafeText.href("./a#b?c%d e.tif"), "./a%23b%3Fc%25d%20e.tif")
        XCTAssertEqual(SafeText.href("../tiles/x/x_item.json"), "../tiles/x/x_item.json")
        XCTAssertEqual(SafeText.href("./é:1.tif"), "./%C3%A9%3A1.tif")
        XCTAssertEqual(URL(string: SafeText.href("./a#b?c%d.tif"), relativeTo: URL(string: "file:///r/i.json"))?.path, "/r/a#b?c%d.tif")
    }

    func testStacItemAndCollectionHrefsArePercentEncoded() throws {
        let grid = Oracles.anxiGrid()
        let scene = StacScene(datetime: Date(timeIntervalSince1970: 1_724_899_269), platform: "p", instruments: [], cloudCover: nil)
        let item = try StacItem.make(id: "a#b?c%d", collection: "run", collectionHref: "../../stac/collection.json", scene: scene, geo: grid,
                                     width: 100, height: 100, assets: [
                                        StacProductAsset(key: "ndvi", href: "./a#b?c%d_ndvi.tif", mediaType: StacAsset.cogMediaType, roles: ["data"]),
                                     ], provenance: Provenance(version: "t", pipelineHash: "h"))
        let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try item.json().utf8)) as? [String: Any])
        let assets = try XCTUnwrap(o["assets"] as? [String: [String: Any]])
        XCTAssertEqual(assets["ndvi"]?["href"] as? String, "./a%23b%3Fc%25d_ndvi.tif")
        let c = try StacCollection.make(id: "run", description: "d", items: [(item, "../tiles/a#b?c%d/a#b?c%d_item.json")])
        let co = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try c.json().utf8)) as? [String: Any])
        let hrefs = (co["links"] as? [[String: Any]] ?? []).compactMap { $0["href"] as? String }
        XCTAssertTrue(hrefs.contains("../tiles/a%23b%3Fc%25d/a%23b%3Fc%25d_item.json"), "\(hrefs)")
    }
}
