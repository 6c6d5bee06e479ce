import XCTest
import RasterCore
@testable import RasterIO
import TestSupport

/// Writer → reader round trips: every writable sample type × codec × predictor × 1 and 4 bands,
/// compared bit for bit (floats by bit pattern, NaN included), with partial edge tiles.
final class GeoTIFFRoundTripTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws { dir = try TestData.temporaryDirectory("rt") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func testEverySampleTypeCodecPredictorAndBandCountIsBitIdentical() throws {
        try roundTrips(UInt8.self)
        try roundTrips(Int8.self)
        try roundTrips(UInt16.self)
        try roundTrips(Int16.self)
        try roundTrips(UInt32.self)
        try roundTrips(Int32.self)
        try roundTrips(Float.self)
        try roundTrips(Double.self)
    }

    private func roundTrips<S: RasterSample>(_ type: S.Type) throws {
        let predictors = S.sampleType.isFloatingPoint ? [1, 2, 3] : [1, 2]
        for bands in [1, 4] {
            // 37×21 with 16-pixel tiles: 3×2 tiles, the right and bottom ones partial.
            let src = SyntheticRasters.make(S.self, width: 37, height: 21, bands: bands)
            for codec in GeoTIFFWriter.Compression.allCases {
                for p in (codec == .none ? [1] : predictors) {
                    let path = dir.appendingPathComponent("\(S.sampleType)-\(codec)-p\(p)-b\(bands).tif").path
                    try GeoTIFFWriter.write(src, to: path, options: .init(compression: codec, predictor: p, tileSize: 16))
                    let reader = try GeoTIFFReader(path: path)
                    let label = "\(S.sampleType) \(codec) predictor \(p) \(bands) band(s)"
                    XCTAssertEqual(reader.description.sampleType, S.sampleType, label)
                    XCTAssertEqual(reader.description.layout.compression, codec == .none ? "NONE" : codec.rawValue.uppercased(), label)
                    XCTAssertEqual(reader.description.layout.predictor, p, label)
                    XCTAssertEqual(reader.description.layout.blockWidth, 16, label)
                    let back = try reader.read(S.self)
                    XCTAssertEqual(back.width, 37, label)
                    XCTAssertEqual(back.height, 21, label)
                    XCTAssertEqual(back.bandCount, bands, label)
                    XCTAssertEqual(SyntheticRasters.bytes(back), SyntheticRasters.bytes(src), "pixels differ: \(label)")
                }
            }
        }
    }

    func testGeoreferencingNodataAndMetadataSurvive() throws {
        var r = SyntheticRasters.make(Float.self, width: 40, height: 30, bands: 3)
        r.bands = [
            BandInfo(description: "red", nodata: .nan, scale: 2.75e-05, offset: -0.2, unit: "reflectance", metadata: ["WAVELENGTH": "0.65"]),
            BandInfo(description: "nir", nodata: .nan, scale: 1, offset: 0, unit: "", metadata: ["a&b": "<x> \"q\""]),
            BandInfo(description: "swir 1", nodata: .nan),
        ]
        r.metadata = ["SENSOR": "OLI", "DATE": "2020-01-27"]
        r.geo = GeoReference(transform: GeoTransform(originX: 399960, pixelWidth: 30, originY: 4_500_000, pixelHeight: -30),
                             crs: .epsg(32618))
        let path = dir.appendingPathComponent("meta.tif").path
        try GeoTIFFWriter.write(r, to: path)
        let back = try GeoTIFFReader(path: path).read(Float.self)
        XCTAssertEqual(back.bands, r.bands)
        XCTAssertTrue(back.bands.allSatisfy { $0.nodata!.isNaN })
        XCTAssertEqual(back.metadata, r.metadata)
        XCTAssertEqual(back.geo, r.geo)
        XCTAssertEqual(back.geo?.crs?.epsg, 32618)
    }

    func testRotatedTransformPixelIsPointAndGeographicEPSG() throws {
        var r = SyntheticRasters.make(Int16.self, width: 20, height: 10, bands: 1)
        r.bands[0].nodata = -32768
        let rotated = GeoTransform([500_000, 10, 2.5, 4_000_000, 1.5, -10])
        r.geo = GeoReference(transform: rotated, crs: .epsg(4326), rasterType: .pixelIsPoint)
        let path = dir.appendingPathComponent("rot.tif").path
        try GeoTIFFWriter.write(r, to: path)
        let back = try GeoTIFFReader(path: path).read(Int16.self)
        XCTAssertEqual(back.geo?.rasterType, .pixelIsPoint)
        XCTAssertEqual(back.geo?.crs?.epsg, 4326)
        let got = try XCTUnwrap(back.geo?.transform.coefficients)
        for (a, b) in zip(got, rotated.coefficients) { XCTAssertEqual(a, b, accuracy: 1e-9 * max(1, abs(b))) }
        XCTAssertEqual(back.bands[0].nodata, -32768)
        XCTAssertEqual(back.samples, r.samples)
    }

    func testUserDefinedGeoKeysWithDoublesAndAsciiAreKept() throws {
        // As MODIS files carry them: projected, user-defined sinusoidal on a sphere, no EPSG code.
        let entries: [(id: UInt16, value: GeoKeyDirectory.Value)] = [
            (GeoKeyDirectory.Key.modelType, .short(1)), (GeoKeyDirectory.Key.rasterType, .short(1)),
            (GeoKeyDirectory.Key.gtCitation, .ascii("Sinusoidal")),
            (GeoKeyDirectory.Key.geographicType, .short(32767)), (GeoKeyDirectory.Key.geogCitation, .ascii("GCS_Unknown")),
            (GeoKeyDirectory.Key.geogSemiMajorAxis, .doubles([6_371_007.181])), (GeoKeyDirectory.Key.geogSemiMinorAxis, .doubles([6_371_007.181])),
            (GeoKeyDirectory.Key.projectedCSType, .short(32767)), (GeoKeyDirectory.Key.projection, .short(32767)),
            (GeoKeyDirectory.Key.projCoordTrans, .short(24)), (GeoKeyDirectory.Key.projLinearUnits, .short(9001)),
            (GeoKeyDirectory.Key.projFalseEasting, .doubles([0])), (GeoKeyDirectory.Key.projFalseNorthing, .doubles([0])),
            (GeoKeyDirectory.Key.projCenterLong, .doubles([0])),
        ]
        let dir0 = GeoKeyDirectory(entries: entries)
        let t = dir0.encodedTags
        let crs = CRS(epsg: nil, geoKeys: t.keys, geoDoubleParams: t.doubles, geoAsciiParams: t.ascii)
        var r = SyntheticRasters.make(Int16.self, width: 24, height: 24, bands: 1)
        r.bands[0] = BandInfo(nodata: -3000, scale: 0.0001, metadata: ["scale_factor": "10000"])
        r.geo = GeoReference(transform: GeoTransform(originX: 16_679_076.2, pixelWidth: 463.3127, originY: -1_111_950.5, pixelHeight: -463.3127), crs: crs)
        let path = dir.appendingPathComponent("sinu.tif").path
        try GeoTIFFWriter.write(r, to: path)
        let back = try GeoTIFFReader(path: path).read(Int16.self)
        XCTAssertNil(back.geo?.crs?.epsg)
        XCTAssertEqual(back.geo?.crs?.directory, dir0)
        XCTAssertEqual(back.geo?.crs?.geoDoubleParams, t.doubles)
        XCTAssertEqual(back.geo?.crs?.geoAsciiParams, t.ascii)
        XCTAssertEqual(back.geo?.crs?.projDefinition?.hasPrefix("+proj=sinu"), true)
        XCTAssertEqual(back.bands, r.bands)
    }

    func testColourTableOfAClassMap() throws {
        var r = SyntheticRasters.make(UInt8.self, width: 33, height: 17, bands: 1)
        let entries: [RGBA] = (0..<256).map { (i: Int) -> RGBA in RGBA(UInt8(i), UInt8(255 - i), UInt8((i * 7) & 255)) }
        r.bands[0] = BandInfo(description: "class", nodata: 255, colorTable: ColorTable(entries: entries))
        let path = dir.appendingPathComponent("classes.tif").path
        try GeoTIFFWriter.write(r, to: path, options: .init(compression: .lzw))
        let back = try GeoTIFFReader(path: path).read(UInt8.self)
        XCTAssertEqual(back.bands[0].colorTable, ColorTable(entries: entries))
        XCTAssertEqual(back.bands, r.bands)
        XCTAssertEqual(back.samples, r.samples)
    }

    func testWindowedReadsEqualTheCropOfAFullRead() throws {
        for bands in [1, 3] {
            var r = SyntheticRasters.make(UInt16.self, width: 70, height: 50, bands: bands)
            r.geo = GeoReference(transform: GeoTransform(originX: 1000, pixelWidth: 10, originY: 2000, pixelHeight: -10), crs: .epsg(32616))
            let path = dir.appendingPathComponent("win\(bands).tif").path
            try GeoTIFFWriter.write(r, to: path, options: .init(tileSize: 32))
            let reader = try GeoTIFFReader(path: path)
            let full = try reader.read(UInt16.self)
            XCTAssertEqual(full.samples, r.samples)
            let windows = [Window(x: 30, y: 30, width: 5, height: 5),     // across four tiles
                           Window(x: 64, y: 33, width: 6, height: 17),    // inside the partial corner tile
                           Window(x: 0, y: 31, width: 70, height: 2),     // a full row band across a tile edge
                           Window(x: 69, y: 49, width: 1, height: 1)]
            for w in windows {
                let part = try reader.read(UInt16.self, window: w)
                XCTAssertEqual(part, full.cropped(to: w), "window \(w), \(bands) band(s)")
            }
            if bands == 3 {
                let sub = try reader.read(UInt16.self, window: windows[0], bands: [2, 0])
                XCTAssertEqual(AnyRaster(sub), AnyRaster(full.cropped(to: windows[0])).selecting(bands: [2, 0]))
            }
            XCTAssertThrowsError(try reader.read(UInt16.self, window: Window(x: 60, y: 0, width: 11, height: 1)))
            XCTAssertThrowsError(try reader.read(UInt16.self, bands: [bands]))
        }
    }

    func testOverviewsAreWrittenAsReducedImages() throws {
        let main = SyntheticRasters.make(UInt8.self, width: 64, height: 64, bands: 1)
        let ov = SyntheticRasters.make(UInt8.self, width: 32, height: 32, bands: 1, seed: 9)
        let path = dir.appendingPathComponent("ov.tif").path
        try GeoTIFFWriter.write(main, to: path, options: .init(tileSize: 16), overviews: [ov])
        let reader = try GeoTIFFReader(path: path)
        XCTAssertEqual(reader.description.layout.overviewCount, 1)
        XCTAssertEqual(try reader.read(UInt8.self).samples, main.samples)
    }

    func testWriteIsAtomicAndLeavesNoTemporaryFile() throws {
        let r = SyntheticRasters.make(UInt8.self, width: 8, height: 8, bands: 1)
        let path = dir.appendingPathComponent("a.tif").path
        try GeoTIFFWriter.write(r, to: path)
        try GeoTIFFWriter.write(r, to: path)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["a.tif"])
        XCTAssertThrowsError(try GeoTIFFWriter.write(r, to: dir.appendingPathComponent("missing/a.tif").path)) { e in
            XCTAssertEqual((e as? RasterIOError)?.path.hasSuffix("missing/a.tif"), true)
        }
    }

    func testHalfFloatWideningIsExactForEveryBitPattern() {
        #if arch(x86_64) || arch(arm64)
        for h in 0...UInt16.max {
            let mine = GeoTIFFReader.halfToFloat(h)
            let reference = Float(Float16(bitPattern: h))
            if reference.isNaN { XCTAssertTrue(mine.isNaN, "\(h)"); continue }
            XCTAssertEqual(mine.bitPattern, reference.bitPattern, "half 0x\(String(h, radix: 16))")
        }
        #endif
    }

    func testPackedSamplesUnpackMSBFirstWithRowPadding() {
        // Two rows of three 4-bit samples: row bytes 0x12 0x30 | 0xAB 0xC0.
        var out = [UInt8](repeating: 0, count: 6)
        GeoTIFFReader.unpack([0x12, 0x30, 0xAB, 0xC0], bits: 4, samplesPerRow: 3, rows: 2, into: &out)
        XCTAssertEqual(out, [1, 2, 3, 10, 11, 12])
        var twelve = [UInt16](repeating: 0, count: 2)
        GeoTIFFReader.unpack([0xFF, 0xF0, 0x01], bits: 12, samplesPerRow: 2, rows: 1, into: &twelve)
        XCTAssertEqual(twelve, [4095, 1])
    }
}
