import XCTest
import Foundation
import RasterCore
import RasterIO
import TestSupport
@testable import GroundStation

/// Plain rasters as users have them: dates from names and metadata, band names without a band map, PNG tiles
/// with world files, the reflectance sanity check and the snow prior.
final class RealInputTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws { dir = try TestData.temporaryDirectory("gs-realinput") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func day(_ s: String) -> Date { ISO8601DateFormatter().date(from: s + "T00:00:00Z")! }

    // MARK: dates

    func testDateTokensInNames() {
        XCTAssertEqual(AcquisitionDate.fromName("wragg_20150711")?.0, day("2015-07-11"))
        XCTAssertEqual(AcquisitionDate.fromName("scene-2020-02-19-L2A")?.0, day("2020-02-19"))
        XCTAssertEqual(AcquisitionDate.fromName("MCD43A4.A2017006.h21v11.006.2017018074804")?.0, day("2017-01-06"), "MODIS AYYYYDDD")
        XCTAssertEqual(AcquisitionDate.fromName("S2_20200219T112111_B04")?.0, day("2020-02-19"))
        XCTAssertEqual(AcquisitionDate.fromName("tile_2020153")?.0, day("2020-06-01"), "bare YYYYDDD")
        XCTAssertNil(AcquisitionDate.fromName("ca3851412213120150722_20150711_20150812_dnbr"), "two different dates: ambiguous")
        XCTAssertNil(AcquisitionDate.fromName("wragg_20151345"), "not a calendar date")
        XCTAssertNil(AcquisitionDate.fromName("wragg"))
    }

    func testDateSourcesInOrder() {
        let md = ["IMAGERY::ACQUISITIONDATETIME": "2019-03-04T10:20:30Z", "TIFFTAG_DATETIME": "2021:01:01 00:00:00"]
        XCTAssertEqual(AcquisitionDate.find(path: "/x/a_20150711.tif", metadata: md, configured: "2018-05-06")?.source, .config)
        XCTAssertEqual(AcquisitionDate.find(path: "/x/a_20150711.tif", metadata: md)?.source, .metadata)
        XCTAssertEqual(AcquisitionDate.find(path: "/x/a_20150711.tif", metadata: ["TIFFTAG_DATETIME": "2021:01:01 00:00:00"])?.source, .fileName)
        let folder = AcquisitionDate.find(path: "/x/LC08_20150812/a.tif", metadata: [:])
        XCTAssertEqual(folder?.source, .folderName)
        XCTAssertEqual(folder?.date, day("2015-08-12"))
        let tag = AcquisitionDate.find(path: "/x/a.tif", metadata: ["TIFFTAG_DATETIME": "2021:01:02 03:04:05"])
        XCTAssertEqual(tag?.source, .tiffDateTime)
        XCTAssertNil(AcquisitionDate.find(path: "/x/a.tif", metadata: [:]))
    }

    func testDiscoveryDatesPlainFilesAndRecordsTheSource() throws {
        try writeTile(dir.appendingPathComponent("wragg_20150711.tif").path, names: ["red", "nir"])
        try writeTile(dir.appendingPathComponent("wragg_20150812.tif").path, names: ["red", "nir"])
        let found = try TileDiscovery.scan(path: dir.path, bandMap: nil)
        XCTAssertEqual(found.inputs.map(\.date), [day("2015-07-11"), day("2015-08-12")])
        XCTAssertEqual(found.inputs.map { $0.dateSource?.source }, [.fileName, .fileName])
        let configured = try TileDiscovery.scan(path: dir.path, bandMap: nil, date: "2016-01-02", role: "post")
        XCTAssertEqual(configured.inputs.map(\.date), [day("2016-01-02"), day("2016-01-02")])
        XCTAssertEqual(configured.inputs.map(\.role), ["post", "post"])
    }

    // MARK: band names

    func testSentinel2NamesWithAndWithoutPadding() {
        let padded = ["B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B10", "B11", "B12"]
        let f = BandNaming.family(names: padded, hints: [])
        XCTAssertEqual(f, .sentinel2)
        XCTAssertEqual(padded.map { BandNaming.meaning($0, family: f) },
                       ["coastal", "blue", "green", "red", "rededge1", "rededge2", "rededge3", "nir", "nir08", "nir09", "cirrus", "swir16", "swir22"].map { .common($0) })
        XCTAssertEqual(BandNaming.family(names: ["B2", "B4", "B8"], hints: ["S2A_29RKH_20200219"]), .sentinel2)
        XCTAssertEqual(BandNaming.meaning("b8", family: .sentinel2), .common("nir"))
    }

    func testLandsatNamesAndAmbiguity() {
        XCTAssertEqual(BandNaming.family(names: ["B4", "B5"], hints: ["LC08_L1TP_044034_20150812"]), .landsatOLI)
        XCTAssertEqual(BandNaming.meaning("B5", family: .landsatOLI), .common("nir"))
        XCTAssertEqual(BandNaming.meaning("SR_B6", family: .landsatOLI), .common("swir16"))
        XCTAssertEqual(BandNaming.family(names: ["B3", "B4"], hints: ["LT05_L1TP_2010"]), .landsatTM)
        XCTAssertEqual(BandNaming.meaning("B4", family: .landsatTM), .common("nir"))
        XCTAssertEqual(BandNaming.meaning("NIR", family: nil), .common("nir"))
        XCTAssertEqual(BandNaming.meaning("SWIR1", family: nil), .common("swir16"))
        guard case .ambiguous = BandNaming.meaning("B5", family: nil) else { return XCTFail("B5 without a sensor is ambiguous") }
    }

    func testLooseTileReadsSentinel2DescriptionsAndNamesAmbiguousBands() throws {
        let s2 = dir.appendingPathComponent("s2_13bands.tif").path
        try writeTile(s2, names: ["B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B10", "B11", "B12"])
        let t = try LooseTile.load(path: s2, id: "s2", bandMap: nil, bands: ["red", "nir", "swir16"], limits: .default)
        XCTAssertEqual(t.bands["red"]![0], 0.04, accuracy: 1e-6, "B04 is band 4")
        XCTAssertEqual(t.bands["nir"]![0], 0.08, accuracy: 1e-6, "B08 is band 8")
        XCTAssertEqual(t.bands["swir16"]![0], 0.12, accuracy: 1e-6, "B11 is band 12")
        let plain = dir.appendingPathComponent("plain.tif").path
        try writeTile(plain, names: ["B3", "B4", "B5"])
        XCTAssertThrowsError(try LooseTile.load(path: plain, id: "p", bandMap: nil, bands: ["nir"], limits: .default)) { e in
            let m = "\(e)"
            XCTAssertTrue(m.contains("plain.tif") && m.contains("nir") && m.contains("B5"), m)
        }
    }

    // MARK: PNG tiles

    func testPNGWithWorldFileIsATile() throws {
        let png = dir.appendingPathComponent("S2A_20200219_bgrn.png").path
        let n = 8
        var px = [UInt16](repeating: 0, count: n * 4)
        for i in 0..<(n / 4) { px[i * 4] = 500; px[i * 4 + 1] = 700; px[i * 4 + 2] = 600; px[i * 4 + 3] = 3000 }
        for i in (n / 4)..<n { px[i * 4] = 500; px[i * 4 + 1] = 700; px[i * 4 + 2] = 600; px[i * 4 + 3] = 3000 }
        try PNGImage.write(PNGImage.Image(width: 4, height: 2, channels: 4, pixels16: px), to: png)
        try "10\n0\n0\n-10\n500005\n2780005\n".write(toFile: dir.appendingPathComponent("S2A_20200219_bgrn.pgw").path, atomically: true, encoding: .utf8)
        try #"PROJCS["WGS 84 / UTM zone 50N",GEOGCS["WGS 84",AUTHORITY["EPSG","4326"]],AUTHORITY["EPSG","32650"]]"#
            .write(toFile: dir.appendingPathComponent("S2A_20200219_bgrn.prj").path, atomically: true, encoding: .utf8)
        try "notes".write(toFile: dir.appendingPathComponent("README.txt").path, atomically: true, encoding: .utf8)
        let found = try TileDiscovery.scan(path: dir.path, bandMap: ["blue": 1, "green": 2, "red": 3, "nir": 4])
        XCTAssertEqual(found.inputs.map(\.id), ["S2A_20200219_bgrn"])
        XCTAssertEqual(found.inputs[0].date, day("2020-02-19"))
        XCTAssertTrue(found.ignored.contains { $0.path.hasSuffix("README.txt") && $0.reason.contains("not a raster") }, "\(found.ignored)")
        XCTAssertFalse(found.ignored.contains { $0.path.hasSuffix(".pgw") } && found.inputs[0].files.count < 3)
        var o = TileLoadOptions(calibration: .scale(0.0001, 0))
        o.checkReflectance = true
        let t = try found.inputs[0].load(bands: ["red", "nir"], limits: .default, options: o)
        XCTAssertEqual(t.bands["nir"]![0], 0.3, accuracy: 1e-6)
        XCTAssertEqual(t.geo?.crs?.epsg, 32650, "CRS from the .prj")
        XCTAssertEqual(t.geo?.transform.coefficients[0] ?? 0, 500000, accuracy: 1e-9, "world file: centre of the top-left pixel")
    }

    // MARK: reflectance sanity

    func testDigitalNumbersFailWithKindCalibrationAndAFix() throws {
        XCTAssertNoThrow(try ReflectanceSanity.check(["red": [0.05, 0.1, 0.3, 1.2, .nan]], file: "f.tif"))
        XCTAssertThrowsError(try ReflectanceSanity.check(["red": [40, 60, 90, 0.5], "qa": [3, 4, 5, 6]], file: "wragg.tif")) { e in
            guard case ManifestError.calibration(let f, let why) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(f, "wragg.tif")
            XCTAssertTrue(why.contains("red") && why.contains("90") && why.contains("calibration") && why.contains("scale"), why)
        }
        XCTAssertThrowsError(try ReflectanceSanity.check(["nir": [1200, 3400, 2900]], file: "s2.tif")) { e in
            XCTAssertTrue("\(e)".contains("0.0001"), "\(e)")
        }
    }

    // MARK: snow prior

    func testSnowPriorByLatitudeAndSeason() {
        let aug = day("2015-08-12"), jan = day("2015-01-20")
        XCTAssertFalse(SnowPrior.plausible(latitude: 38.5, date: aug), "California in August")
        XCTAssertTrue(SnowPrior.plausible(latitude: 38.5, date: jan))
        XCTAssertFalse(SnowPrior.plausible(latitude: -40, date: jan), "southern summer")
        XCTAssertTrue(SnowPrior.plausible(latitude: -40, date: aug))
        XCTAssertTrue(SnowPrior.plausible(latitude: 68, date: aug), "high latitudes all year")
        XCTAssertFalse(SnowPrior.plausible(latitude: 24.9, date: aug))
        XCTAssertFalse(SnowPrior.plausible(latitude: 5, date: jan), "tropics")
        XCTAssertTrue(SnowPrior.plausible(latitude: nil, date: aug), "no evidence against")
        let geo = GeoReference(transform: GeoTransform(originX: -2232135, pixelWidth: 30, originY: 2031045, pixelHeight: -30), crs: .epsg(5070))
        XCTAssertEqual(SnowPrior.centreLatitude(geo: geo, width: 507, height: 457) ?? 0, 38.47, accuracy: 0.05, "Wragg fire, USGS Albers")
    }

    /// A Float32 tile whose band k (0-based) holds 0.01·(k+1) everywhere, with band descriptions `names`.
    func writeTile(_ path: String, names: [String]) throws {
        let n = 4
        var s = [Float]()
        for k in names.indices { s += [Float](repeating: 0.01 * Float(k + 1), count: n) }
        let geo = GeoReference(transform: GeoTransform(originX: 500000, pixelWidth: 30, originY: 2780000, pixelHeight: -30), crs: .epsg(32650))
        try GeoTIFFWriter.write(Raster(width: 2, height: 2, samples: s, bands: names.map { BandInfo(description: $0) }, geo: geo), to: path)
    }
}
