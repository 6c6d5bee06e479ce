import XCTest
import Foundation
import RasterCore
import RasterIO
import TestSupport
@testable import Analysis

/// Checks on real imagery in ../shared/data (skipped when that folder is absent).
final class RealDataTests: XCTestCase {
    func dataDir(_ name: String) throws -> URL {
        guard let root = TestData.sharedData else { throw Skip.because("../shared/data absent") }
        let d = root.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: d.path) else { throw Skip.because("\(name) absent") }
        return d
    }

    struct S2Date { var ndvi: [Float]; var quality: [UInt8]; var geo: GeoReference?; var w: Int; var h: Int }

    /// NDVI (B08, B04) and a quality buffer from the s2cloudless mask (1 → cloud code 3) and IS_DATA (0 → code 1).
    func loadS2(_ dir: URL, _ date: String) throws -> S2Date {
        let img = try GeoTIFFReader(path: dir.appendingPathComponent("S2_L1C_TOA_\(date)_13bands.tif").path).read()
        let red = img.floatBand(3), nir = img.floatBand(7)
        let ndvi = zip(nir, red).map { n, r in n + r == 0 ? Float.nan : (n - r) / (n + r) }
        let mask = try GeoTIFFReader(path: dir.appendingPathComponent("CLOUDMASK_ISDATA_\(date).tif").path).read()
        let clm = mask.floatBand(0), isData = mask.floatBand(1)
        let q = zip(clm, isData).map { c, d -> UInt8 in d == 0 ? LandUse.Quality.nodata : c == 1 ? LandUse.Quality.cloud : 0 }
        return S2Date(ndvi: ndvi, quality: q, geo: img.geo, w: img.width, h: img.height)
    }

    /// eo-learn Sentinel-2 dates: 2015-07-31 and 2015-08-20 are fully cloudy (CLM = 1); every pair that involves
    /// them reports no change at all, while the same pair without masks would report vegetation loss.
    func testEoLearnCloudyDatesAreMaskedAndNotChange() throws {
        let dir = try dataDir("sentinel2-l1c-timeseries_eo-learn")
        let dates = ["20150711", "20150731", "20150820", "20150830", "20150909"]
        let s = try dates.map { try loadS2(dir, $0) }
        let w = s[0].w, h = s[0].h
        for cloudy in [1, 2] { XCTAssertTrue(s[cloudy].quality.allSatisfy { $0 == LandUse.Quality.cloud }, "\(dates[cloudy]) fully cloudy") }
        // Our NDVI agrees with eo-learn's stored NDVI (sanity of band choice).
        let expected = try GeoTIFFReader(path: dir.appendingPathComponent("EXPECTED_NDVI_20150711.tif").path).read().floatBand(0)
        XCTAssertLessThan(zip(s[0].ndvi, expected).map { abs($0 - $1) }.max()!, 1e-5)

        let job = VegetationLossJob()
        for k in 0..<(dates.count - 1) {
            let a = s[k], b = s[k + 1]
            try GridPairing.requireSameGrid(a.geo, width: w, height: h, b.geo, width: w, height: h)
            let r = try job.run(ndviBefore: a.ndvi, ndviAfter: b.ndvi, qualityBefore: a.quality, qualityAfter: b.quality,
                                width: w, height: h, geo: a.geo)
            // Land-use change through the default scheme, quality-forced cloud classes.
            let ca = try ClassificationScheme.default.classify(inputs: ["ndvi": a.ndvi], quality: a.quality, width: w, height: h)
            let cb = try ClassificationScheme.default.classify(inputs: ["ndvi": b.ndvi], quality: b.quality, width: w, height: h)
            let cm = try ChangeMatrix(before: ca.classes, beforeGeo: a.geo, after: cb.classes, afterGeo: b.geo, width: w, height: h)
            print("eo-learn \(dates[k])→\(dates[k + 1]): vegetation loss \(r.affectedHa) ha, land-use change \(cm.changedHectares) ha, alert \(r.alert.level)")
            if [1, 2].contains(k) || [1, 2].contains(k + 1) {
                XCTAssertTrue(r.classRaster.allSatisfy { $0 == 0 }, "\(dates[k])→\(dates[k + 1]) must be fully masked")
                XCTAssertEqual(r.affectedHa, 0)
                XCTAssertEqual(r.alert.level, .none)
                XCTAssertTrue(r.polygons.isEmpty)
                XCTAssertEqual(cm.changedHectares, 0)
                XCTAssertEqual(cm.pixels.reduce(0) { $0 + $1.reduce(0, +) }, 0)
            } else {
                XCTAssertGreaterThan(r.classRaster.filter { $0 != 0 }.count, w * h / 2, "clear pair mostly valid")
            }
        }
        // Without the masks the cloudy date would look like vegetation loss (NDVI mean 0.7 → 0.44).
        let unmasked = try job.run(ndviBefore: s[0].ndvi, ndviAfter: s[1].ndvi, width: w, height: h, geo: s[0].geo)
        XCTAssertGreaterThan(unmasked.affectedHa, 1)

        // Drought on 09-09 against the other dates: cloudy baselines are ignored per pixel.
        let d = try DroughtJob().run(current: s[4].ndvi, quality: s[4].quality, baseline: [s[0].ndvi, s[1].ndvi, s[2].ndvi, s[3].ndvi],
                                     baselineQuality: [s[0].quality, s[1].quality, s[2].quality, s[3].quality], width: w, height: h, geo: s[4].geo)
        let i = (h / 2) * w + w / 2
        if d.classRaster[i] != 0 {
            XCTAssertEqual(d.layers["anomaly"]![i], s[4].ndvi[i] - (s[0].ndvi[i] + s[3].ndvi[i]) / 2, accuracy: 1e-5)
        }
    }

    /// MTBS Wragg fire (2015): dNBR from the pre/post Landsat 8 bytes (NBR from bands 4 and 6) equals the MTBS
    /// dnbr.tif within 1 (×1000), our classifier with the analyst's thresholds reproduces dnbr6, and the burned
    /// classes (dNBR ≥ 0.1) overlap the official perimeter.
    func testMTBSWraggFire() throws {
        let dir = try dataDir("landsat8-fire-prepost-mtbs_rc-sfa-wenas-meta")
        let p = dir.appendingPathComponent("ca3851412213120150722_").path
        let pre = try GeoTIFFReader(path: p + "20150711_l8_refl.tif").read()
        let post = try GeoTIFFReader(path: p + "20150812_l8_refl.tif").read()
        let w = pre.width, h = pre.height
        func nbr(_ r: AnyRaster) -> [Float] {
            zip(r.floatBand(3), r.floatBand(5)).map { n, s in n + s == 0 ? Float.nan : (n - s) / (n + s) }
        }
        let mtbs = try GeoTIFFReader(path: p + "20150711_20150812_dnbr.tif").read().floatBand(0)
        let dnbr6 = try GeoTIFFReader(path: p + "20150711_20150812_dnbr6.tif").read().floatBand(0)
        try GridPairing.requireSameGrid(pre.geo, width: w, height: h, post.geo, width: post.width, height: post.height)
        let result = try BurnSeverityJob().run(nbrBefore: nbr(pre), nbrAfter: nbr(post), width: w, height: h, geo: pre.geo)
        let dnbr = result.layers["dnbr"]!

        var within = 0, valid = 0
        for i in 0..<(w * h) where mtbs[i] != -32768 {
            valid += 1
            if dnbr[i].isFinite && abs((1000 * dnbr[i]).rounded(.towardZero) - mtbs[i]) <= 1.01 { within += 1 }
        }
        print("MTBS dNBR: \(within) of \(valid) valid pixels within 1")
        XCTAssertEqual(within, valid)

        // RdNBR: MTBS stores trunc(1000·(dNBR − offset)/√|NBR_pre|) with the perimeter's dNBR_offst 33 (×1000);
        // compare where |NBR_pre| is not tiny.
        let mtbsR = try GeoTIFFReader(path: p + "20150711_20150812_rdnbr.tif").read().floatBand(0)
        let preNBR = nbr(pre)
        let withOffset = try BurnSeverityJob(dnbrOffset: 0.033).run(nbrBefore: preNBR, nbrAfter: nbr(post), width: w, height: h, geo: pre.geo)
        let rdnbr = withOffset.layers["rdnbr"]!
        var rClose = 0, rValid = 0
        for i in 0..<(w * h) where mtbsR[i] != -32768 && abs(preNBR[i]) >= 0.05 && rdnbr[i].isFinite {
            rValid += 1
            if abs((1000 * rdnbr[i]).rounded(.towardZero) - mtbsR[i]) <= max(2, 0.01 * abs(mtbsR[i])) { rClose += 1 }
        }
        print("MTBS RdNBR: \(rClose) of \(rValid) pixels within 1 % (or 2)")
        XCTAssertGreaterThanOrEqual(Double(rClose) / Double(rValid), 0.99)

        // dnbr6 with the perimeter's thresholds (IncGreen −150, Low 50, Moderate 313, High 600):
        // our codes 1..5 = greenness, unburned-low, low, moderate, high → MTBS 5, 1, 2, 3, 4.
        let toMTBS: [Float] = [0, 5, 1, 2, 3, 4]
        var agree = 0, compared = 0
        for i in 0..<(w * h) where (1...5).contains(dnbr6[i]) && mtbs[i] != -32768 {
            compared += 1
            let c = BurnSeverityJob.severityClass(mtbs[i] / 1000, breakpoints: [-0.150, 0.050, 0.313, 0.600])
            if toMTBS[Int(c)] == dnbr6[i] { agree += 1 }
        }
        let agreement = Double(agree) / Double(compared)
        print("MTBS dnbr6 agreement with analyst thresholds: \(agree)/\(compared) = \(agreement)")
        XCTAssertGreaterThanOrEqual(agreement, 0.99)

        // Burned (USGS low severity and above) vs the official perimeter, rasterised with fractional coverage.
        guard TestData.hasTool("ogr2ogr") else { throw Skip.because("ogr2ogr not installed: perimeter IoU skipped") }
        let tmp = try TestData.temporaryDirectory("an-mtbs")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let gj = tmp.appendingPathComponent("perimeter.geojson").path
        let conv = try TestData.run("ogr2ogr", ["-f", "GeoJSON", gj, p + "20150711_20150812_burn_bndy.shp"])
        XCTAssertEqual(conv.status, 0, conv.err)
        let regions = try RegionReader.read(path: gj)
        let cov = try RegionRasterizer.rasterize(regions, geo: try XCTUnwrap(pre.geo), width: w, height: h, coordinates: .tileCRS)
        var inside = [Bool](repeating: false, count: w * h)
        for (px, f) in zip(cov[0].pixels, cov[0].fractions) where f >= 0.5 { inside[px] = true }
        let perimeterHa = cov[0].coveredPixels * 0.09
        XCTAssertEqual(perimeterHa, 3421.6, accuracy: 3421.6 * 0.01)   // BurnBndAc 8455 acres
        let burned = result.classRaster.map { $0 >= 4 }
        let iou = try XCTUnwrap(intersectionOverUnion(burned, inside, valid: mtbs.map { $0 != -32768 }))
        print("MTBS perimeter \(perimeterHa) ha; burned (dNBR ≥ 0.1) IoU vs perimeter = \(iou); alert \(result.alert.rule)")
        XCTAssertGreaterThanOrEqual(iou, 0.84)
        XCTAssertEqual(result.alert.level, .emergency)
    }
}
