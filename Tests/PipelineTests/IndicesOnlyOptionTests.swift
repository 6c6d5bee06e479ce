import Pipeline
import XCTest

/// `classification.scheme: none` turns the class map (and its quicklook) off, so an index-only job (the NDVI job of
/// scripts/bench-peers.sh) writes only its index rasters; any other value keeps the default land-use map.
final class IndicesOnlyOptionTests: XCTestCase {
    private func config(_ classification: String) throws -> PipelineConfig {
        try PipelineConfig.parse(yaml: """
            version: 1
            inputs:
              - path: tiles/
                bands: {red: 3, nir: 4}
            indices: [ndvi]
            \(classification)
            outputs:
              directory: out
            """)
    }

    func testSchemeNoneHasNoClassMapAndNoLandUseQuicklook() throws {
        let o = TileProductOptions.from(try config("classification: {scheme: none}"))
        XCTAssertNil(o.scheme)
        XCTAssertEqual(o.quicklooks, ["ndvi"])
    }

    func testDefaultStillClassifiesLandUse() throws {
        let o = TileProductOptions.from(try config(""))
        XCTAssertNotNil(o.scheme)
        XCTAssertEqual(o.quicklooks, ["ndvi", "landuse"])
    }
}
