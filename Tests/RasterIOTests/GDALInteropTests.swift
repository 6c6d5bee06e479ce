import XCTest
import RasterCore
@testable import RasterIO
import TestSupport

/// GDAL reads every kind of file the writer produces identically, and the reader decodes the layouts and
/// codecs GDAL produces (band-separate, strips, BigTIFF, PackBits, JPEG, LERC, WebP, LZMA) to GDAL's pixels.
final class GDALInteropTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        guard GDALOracle.available else { throw Skip.because("gdal-bin / python3-gdal absent") }
        dir = try TestData.temporaryDirectory("interop")
    }
    override func tearDownWithError() throws { if let dir { try? FileManager.default.removeItem(at: dir) } }

    /// Checks that GDAL sees what the raster says: size, type, CRS, transform, nodata, descriptions, metadata, pixels.
    private func assertGDALAgrees<S: RasterSample>(_ r: Raster<S>, _ path: String, _ label: String,
                                                  file: StaticString = #filePath, line: UInt = #line) throws {
        let g = try GDALOracle.read(path)
        XCTAssertEqual(g.width, r.width, label, file: file, line: line)
        XCTAssertEqual(g.height, r.height, label, file: file, line: line)
        XCTAssertEqual(g.bandCount, r.bandCount, label, file: file, line: line)
        // GDAL before 3.7 has no Int8 type: it reads signed bytes as Byte (PIXELTYPE=SIGNEDBYTE), same bytes.
        let type = S.sampleType == .int8 && GDALOracle.versionNumber < 3_070_000 ? "Byte" : S.sampleType.gdalName
        XCTAssertEqual(g.dataTypes, Array(repeating: type, count: r.bandCount), label, file: file, line: line)
        XCTAssertEqual(g.pixels, Data(SyntheticRasters.bytes(r)), "pixels differ: \(label)", file: file, line: line)
        if let geo = r.geo {
            XCTAssertEqual(g.epsg, geo.crs?.epsg, label, file: file, line: line)
            let gt = try XCTUnwrap(g.geoTransform, label, file: file, line: line)
            for (a, b) in zip(gt, geo.transform.coefficients) { XCTAssertEqual(a, b, accuracy: 1e-9 * max(1, abs(b)), label, file: file, line: line) }
            XCTAssertEqual(g.areaOrPoint, geo.rasterType == .pixelIsPoint ? "Point" : "Area", label, file: file, line: line)
        }
        for (b, info) in r.bands.enumerated() {
            switch (g.nodata[b], info.nodata) {
            case (nil, nil): break
            case (let x?, let y?): XCTAssertTrue(x == y || (x.isNaN && y.isNaN), "\(label) nodata \(x) vs \(y)", file: file, line: line)
            default: XCTFail("\(label): nodata \(String(describing: g.nodata[b])) vs \(String(describing: info.nodata))", file: file, line: line)
            }
            XCTAssertEqual(g.descriptions[b], info.description, label, file: file, line: line)
            XCTAssertEqual(g.scales[b], info.scale, label, file: file, line: line)
            XCTAssertEqual(g.offsets[b], info.offset, label, file: file, line: line)
            XCTAssertEqual(g.units[b], info.unit, label, file: file, line: line)
            XCTAssertEqual(g.bandMetadata[b], info.metadata, label, file: file, line: line)
        }
        XCTAssertEqual(g.metadata, r.metadata, label, file: file, line: line)
    }

    func testGDALReadsEverythingTheWriterProduces() throws {
        func check<S: RasterSample>(_ t: S.Type, nodata: Double?) throws {
            for bands in [1, 3] {
                for codec in GeoTIFFWriter.Compression.allCases {
                    var r = SyntheticRasters.make(S.self, width: 45, height: 19, bands: bands)
                    r.bands = (0..<bands).map { BandInfo(description: "band \($0)", nodata: nodata, scale: $0 == 0 ? 0.5 : 1, offset: $0 == 0 ? -3 : 0,
                                                         unit: $0 == 0 ? "m" : "", metadata: ["K\($0)": "v \($0)"]) }
                    r.metadata = ["PRODUCT": "test \(S.sampleType)"]
                    r.geo = GeoReference(transform: GeoTransform(originX: 600_000, pixelWidth: 20, originY: 3_900_000, pixelHeight: -20), crs: .epsg(32629))
                    let path = dir.appendingPathComponent("\(S.sampleType)-\(codec)-\(bands).tif").path
                    try GeoTIFFWriter.write(r, to: path, options: .init(compression: codec, tileSize: 16))
                    try assertGDALAgrees(r, path, "\(S.sampleType) \(codec) \(bands) band(s)")
                }
            }
        }
        try check(UInt8.self, nodata: 0)
        try check(Int8.self, nodata: -128)
        try check(UInt16.self, nodata: 65535)
        try check(Int16.self, nodata: -3000)
        try check(UInt32.self, nodata: nil)
        try check(Int32.self, nodata: -1000)
        try check(Float.self, nodata: .nan)
        try check(Double.self, nodata: -1e30)
    }

    func testGDALReadsRotatedPointAndUserDefinedCRSAndColourTable() throws {
        var rot = SyntheticRasters.make(Float.self, width: 30, height: 20, bands: 1)
        rot.geo = GeoReference(transform: GeoTransform([300_000, 30, 5, 5_000_000, 4, -30]), crs: .epsg(32616), rasterType: .pixelIsPoint)
        let p1 = dir.appendingPathComponent("rot.tif").path
        try GeoTIFFWriter.write(rot, to: p1)
        try assertGDALAgrees(rot, p1, "rotated PixelIsPoint")

        var cls = SyntheticRasters.make(UInt8.self, width: 30, height: 20, bands: 1)
        let ct: [RGBA] = (0..<256).map { (i: Int) -> RGBA in RGBA(UInt8(i), 10, UInt8(255 - i)) }
        cls.bands[0] = BandInfo(description: "class", nodata: 0, colorTable: ColorTable(entries: ct))
        let p2 = dir.appendingPathComponent("cls.tif").path
        try GeoTIFFWriter.write(cls, to: p2)
        let g = try GDALOracle.read(p2)
        // GDAL makes the nodata entry (0) transparent.
        XCTAssertEqual(g.colorTable, ct.enumerated().map { [Int($1.r), Int($1.g), Int($1.b), $0 == 0 ? 0 : 255] })
        XCTAssertEqual(g.pixels, Data(cls.samples))
    }

    func testGDALReadsForcedBigTIFFAndOverviews() throws {
        var r = SyntheticRasters.make(UInt16.self, width: 64, height: 48, bands: 2)
        r.geo = GeoReference(transform: GeoTransform(originX: 0, pixelWidth: 1, originY: 48, pixelHeight: -1), crs: .epsg(32633))
        let ov = SyntheticRasters.make(UInt16.self, width: 32, height: 24, bands: 2, seed: 3)
        let path = dir.appendingPathComponent("big.tif").path
        try GeoTIFFWriter.write(r, to: path, options: .init(compression: .zstd, tileSize: 16, bigTIFF: true), overviews: [ov])
        let reader = try GeoTIFFReader(path: path)
        XCTAssertTrue(reader.description.layout.bigTIFF)
        XCTAssertEqual(reader.description.layout.overviewCount, 1)
        try assertGDALAgrees(r, path, "BigTIFF")
        let info = try TestData.run("gdalinfo", ["-json", path])
        let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(info.out.utf8)) as? [String: Any])
        let bands = try XCTUnwrap(o["bands"] as? [[String: Any]])
        XCTAssertEqual((bands[0]["overviews"] as? [[String: Any]])?.first?["size"] as? [Int], [32, 24])
        // COG layout as GDAL's validator would see it: IFDs before tile data.
        if let validate = ["/usr/share/doc/python3-gdal/examples/validate_cloud_optimized_geotiff.py",
                           "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_cloud_optimized_geotiff.py"]
            .first(where: { FileManager.default.fileExists(atPath: $0) }), let py = GDALOracle.python {
            let v = try TestData.run(py, [validate, path])
            XCTAssertEqual(v.status, 0, "COG validator: \(v.out) \(v.err)")
        }
    }

    func testGDALReadsSouthUpAndIdentityTransforms() throws {
        // Rows going north (positive pixel height), as in GDAL's gti issue 13944 file, and a bare identity grid.
        for (name, t) in [("south-up", GeoTransform([663_840, 10, 0, 7_378_560, 0, 10])), ("identity", GeoTransform.identity)] {
            var r = SyntheticRasters.make(Float.self, width: 20, height: 12, bands: 1)
            r.geo = GeoReference(transform: t, crs: name == "identity" ? nil : .epsg(32749))
            let path = dir.appendingPathComponent("\(name).tif").path
            try GeoTIFFWriter.write(r, to: path)
            XCTAssertEqual(try GeoTIFFReader(path: path).description.geo?.transform, t, name)
            let g = try GDALOracle.read(path)
            XCTAssertEqual(g.geoTransform, t.coefficients, name)
            XCTAssertEqual(g.pixels, Data(SyntheticRasters.bytes(r)), name)
        }
    }

    func testGDALReadsTheSinusoidalCRSOfAMODISLikeFile() throws {
        let entries: [(id: UInt16, value: GeoKeyDirectory.Value)] = [
            (GeoKeyDirectory.Key.modelType, .short(1)), (GeoKeyDirectory.Key.rasterType, .short(1)),
            (GeoKeyDirectory.Key.geographicType, .short(32767)),
            (GeoKeyDirectory.Key.geogSemiMajorAxis, .doubles([6_371_007.181])), (GeoKeyDirectory.Key.geogSemiMinorAxis, .doubles([6_371_007.181])),
            (GeoKeyDirectory.Key.projectedCSType, .short(32767)), (GeoKeyDirectory.Key.projection, .short(32767)),
            (GeoKeyDirectory.Key.projCoordTrans, .short(24)), (GeoKeyDirectory.Key.projLinearUnits, .short(9001)),
            (GeoKeyDirectory.Key.projFalseEasting, .doubles([0])), (GeoKeyDirectory.Key.projFalseNorthing, .doubles([0])),
            (GeoKeyDirectory.Key.projCenterLong, .doubles([0])),
        ]
        let t = GeoKeyDirectory(entries: entries).encodedTags
        var r = SyntheticRasters.make(Int16.self, width: 16, height: 16, bands: 1)
        r.geo = GeoReference(transform: GeoTransform(originX: 1_111_950.5, pixelWidth: 463.3, originY: -2_223_901.0, pixelHeight: -463.3),
                             crs: CRS(epsg: nil, geoKeys: t.keys, geoDoubleParams: t.doubles, geoAsciiParams: t.ascii))
        let path = dir.appendingPathComponent("sinu.tif").path
        try GeoTIFFWriter.write(r, to: path)
        let g = try GDALOracle.read(path)
        XCTAssertNil(g.epsg)
        XCTAssertEqual(g.proj4?.contains("+proj=sinu"), true, g.proj4 ?? "no CRS")
        XCTAssertEqual(g.proj4?.contains("6371007.181"), true, g.proj4 ?? "no CRS")
    }

    /// Converts `src` with gdal_translate and checks our reader decodes GDAL's pixels and georeferencing.
    private func assertReadsLikeGDAL(_ src: String, _ options: [String], _ label: String, checkLayout: ((RasterLayout) -> Bool)? = nil) throws {
        let out = dir.appendingPathComponent("gt-\(abs(label.hashValue)).tif").path
        let r = try TestData.run("gdal_translate", ["-q"] + options + [src, out])
        guard r.status == 0 || FileManager.default.fileExists(atPath: out) else {
            // (gdal_translate exits 1 after clipping warnings but still writes the file.)
            // The codec is not built into this GDAL: nothing to compare.
            print("skipping \(label): gdal_translate failed: \(r.err.prefix(200))")
            return
        }
        let reader: GeoTIFFReader
        do { reader = try GeoTIFFReader(path: out) } catch let e as RasterIOError where e.kind == "unsupported" {
            print("skipping \(label): \(e)"); return
        }
        if let checkLayout { XCTAssertTrue(checkLayout(reader.description.layout), "\(label): layout \(reader.description.layout)") }
        let ours: AnyRaster
        do { ours = try reader.read() } catch let e as RasterIOError where e.kind == "corrupt" && TestData.hasTool("tiffcp") {
            // Only excusable when libtiff's own tool cannot decode the file either (GDAL 3.6's LERC of
            // NaN-holding floats is not readable by liblerc 4.0 through libtiff, for one).
            let copy = try TestData.run("tiffcp", ["-c", "none", out, out + ".plain.tif"])
            XCTAssertNotEqual(copy.status, 0, "\(label): we fail (\(e)) where libtiff's tiffcp decodes")
            print("skipping \(label): the system libtiff cannot decode it either: \(e.reason)")
            return
        }
        let g = try GDALOracle.read(out)
        let bytes = Data(SyntheticRasters.bytes(ours))
        XCTAssertEqual(bytes, g.pixels, "pixels differ from GDAL: \(label)")
        XCTAssertEqual(ours.sampleType.gdalName, g.dataTypes[0], label)
        XCTAssertEqual(reader.description.geo?.crs?.epsg, g.epsg, label)
        if let gt = g.geoTransform {
            for (a, b) in zip(reader.description.geo?.transform.coefficients ?? [], gt) { XCTAssertEqual(a, b, accuracy: 1e-9 * max(1, abs(b)), label) }
        }
        // Windowed read across blocks equals the crop of the full read.
        let w = Window(x: 3, y: 5, width: min(20, ours.width - 3), height: min(17, ours.height - 5))
        XCTAssertEqual(SyntheticRasters.bytes(try reader.read(window: w)), SyntheticRasters.bytes(ours, window: w), "window: \(label)")
    }

    func testReaderDecodesGDALLayoutsAndCodecs() throws {
        var rgb = SyntheticRasters.make(UInt8.self, width: 67, height: 45, bands: 3)
        rgb.geo = GeoReference(transform: GeoTransform(originX: 500_000, pixelWidth: 10, originY: 4_000_000, pixelHeight: -10), crs: .epsg(32618))
        let rgbPath = dir.appendingPathComponent("rgb.tif").path
        try GeoTIFFWriter.write(rgb, to: rgbPath, options: .init(compression: .none))
        var f32 = SyntheticRasters.make(Float.self, width: 67, height: 45, bands: 2)
        f32.geo = rgb.geo
        let fPath = dir.appendingPathComponent("f32.tif").path
        try GeoTIFFWriter.write(f32, to: fPath, options: .init(compression: .none))
        var i16 = SyntheticRasters.make(Int16.self, width: 67, height: 45, bands: 3)
        i16.geo = rgb.geo
        let iPath = dir.appendingPathComponent("i16.tif").path
        try GeoTIFFWriter.write(i16, to: iPath, options: .init(compression: .none))

        let band: (RasterLayout) -> Bool = { $0.interleave == .band }
        let strips: (RasterLayout) -> Bool = { !$0.tiled }
        let big: (RasterLayout) -> Bool = { $0.bigTIFF }
        for src in [rgbPath, fPath, iPath] {
            let n = (src as NSString).lastPathComponent
            try assertReadsLikeGDAL(src, ["-co", "INTERLEAVE=BAND", "-co", "TILED=YES", "-co", "BLOCKXSIZE=16", "-co", "BLOCKYSIZE=16"], "\(n) band-separate tiled", checkLayout: band)
            try assertReadsLikeGDAL(src, ["-co", "INTERLEAVE=BAND", "-co", "TILED=NO", "-co", "BLOCKYSIZE=7"], "\(n) band-separate strips", checkLayout: band)
            try assertReadsLikeGDAL(src, ["-co", "TILED=NO", "-co", "BLOCKYSIZE=4", "-co", "COMPRESS=DEFLATE", "-co", "PREDICTOR=2"], "\(n) strips deflate", checkLayout: strips)
            try assertReadsLikeGDAL(src, ["-co", "BIGTIFF=YES", "-co", "TILED=YES", "-co", "COMPRESS=LZW"], "\(n) BigTIFF", checkLayout: big)
            try assertReadsLikeGDAL(src, ["-co", "COMPRESS=PACKBITS"], "\(n) PackBits")
            try assertReadsLikeGDAL(src, ["-co", "COMPRESS=LZMA"], "\(n) LZMA")
            try assertReadsLikeGDAL(src, ["-co", "COMPRESS=LERC", "-co", "MAX_Z_ERROR=0"], "\(n) LERC")
            try assertReadsLikeGDAL(src, ["-co", "COMPRESS=ZSTD", "-co", "PREDICTOR=\(src == fPath ? 3 : 2)", "-co", "INTERLEAVE=BAND"], "\(n) ZSTD predictor band")
        }
        try assertReadsLikeGDAL(rgbPath, ["-co", "COMPRESS=JPEG", "-co", "TILED=YES"], "JPEG gray/RGB")
        try assertReadsLikeGDAL(rgbPath, ["-co", "COMPRESS=JPEG", "-co", "PHOTOMETRIC=YCBCR"], "JPEG YCbCr")
        try assertReadsLikeGDAL(rgbPath, ["-co", "COMPRESS=WEBP", "-co", "WEBP_LOSSLESS=YES"], "WebP")
        try assertReadsLikeGDAL(iPath, ["-co", "ENDIANNESS=BIG", "-co", "TILED=YES"], "big-endian Int16")

        // Odd bit depths, half floats, CMYK and sparse blocks, as GDAL writes them.
        var u16 = SyntheticRasters.make(UInt16.self, width: 67, height: 45, bands: 2)
        u16.geo = rgb.geo
        let uPath = dir.appendingPathComponent("u16.tif").path
        try GeoTIFFWriter.write(u16, to: uPath, options: .init(compression: .none))
        try assertReadsLikeGDAL(uPath, ["-co", "NBITS=12", "-co", "TILED=YES", "-co", "BLOCKXSIZE=16", "-co", "BLOCKYSIZE=16"], "12-bit tiled")
        try assertReadsLikeGDAL(uPath, ["-co", "NBITS=12", "-co", "INTERLEAVE=BAND", "-co", "COMPRESS=LZW"], "12-bit strips band")
        try assertReadsLikeGDAL(rgbPath, ["-co", "NBITS=1"], "1-bit strips")
        try assertReadsLikeGDAL(rgbPath, ["-co", "NBITS=4", "-co", "TILED=YES", "-co", "BLOCKXSIZE=16", "-co", "BLOCKYSIZE=16"], "4-bit tiled")
        try assertReadsLikeGDAL(fPath, ["-co", "NBITS=16", "-co", "COMPRESS=DEFLATE"], "half float")
        var cmyk = SyntheticRasters.make(UInt8.self, width: 67, height: 45, bands: 4)
        cmyk.geo = rgb.geo
        let cPath = dir.appendingPathComponent("cmyk.tif").path
        try GeoTIFFWriter.write(cmyk, to: cPath, options: .init(compression: .none))
        try assertReadsLikeGDAL(cPath, ["-co", "PHOTOMETRIC=SEPARATED"], "CMYK")
        var sparse = Raster<Int16>(width: 67, height: 45, bandCount: 1, fill: -9999)
        for i in 0..<200 { sparse.samples[i] = Int16(i) }
        sparse.bands[0].nodata = -9999
        sparse.geo = rgb.geo
        let sPath = dir.appendingPathComponent("sparse-src.tif").path
        try GeoTIFFWriter.write(sparse, to: sPath, options: .init(compression: .none))
        try assertReadsLikeGDAL(sPath, ["-co", "SPARSE_OK=TRUE", "-co", "TILED=YES", "-co", "BLOCKXSIZE=16", "-co", "BLOCKYSIZE=16"], "sparse tiles")
    }
}
