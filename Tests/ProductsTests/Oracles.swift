import Foundation
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// External oracles (GDAL's validator and tools, pngcheck) and synthetic rasters shared by the Products tests.
enum Oracles {
    /// A python3 that can import GDAL's Python utilities, with the validator invocation; nil when GDAL is absent.
    static let cogValidator: (python: String, args: [String])? = {
        for py in ["/usr/bin/python3", "python3"] {
            guard py.hasPrefix("/") ? FileManager.default.isExecutableFile(atPath: py) : TestData.hasTool(py) else { continue }
            if let r = try? TestData.run(py, ["-c", "import osgeo_utils.samples.validate_cloud_optimized_geotiff"]), r.status == 0 {
                return (py, ["-m", "osgeo_utils.samples.validate_cloud_optimized_geotiff"])
            }
            for script in ["/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_cloud_optimized_geotiff.py",
                           "/usr/share/doc/python3-gdal/examples/validate_cloud_optimized_geotiff.py"]
            where FileManager.default.fileExists(atPath: script) {
                if let r = try? TestData.run(py, ["-c", "import osgeo.gdal"]), r.status == 0 { return (py, [script]) }
            }
        }
        return nil
    }()

    /// Runs GDAL's COG validator; throws XCTSkip when GDAL's Python bindings are not installed.
    static func gdalValidate(_ path: String) throws -> (valid: Bool, output: String) {
        guard let v = cogValidator else { throw Skip.because("GDAL python utilities (python3-gdal) absent") }
        let r = try TestData.run(v.python, v.args + [path])
        return (r.status == 0 && r.out.contains("is a valid cloud optimized GeoTIFF"), r.out + r.err)
    }

    /// `gdalinfo -json -stats FILE` parsed; throws XCTSkip when gdalinfo is not installed.
    static func gdalinfo(_ path: String) throws -> [String: Any] {
        guard TestData.hasTool("gdalinfo") else { throw Skip.because("gdalinfo (gdal-bin) absent") }
        let r = try TestData.run("gdalinfo", ["-json", "-stats", path])
        XCTAssertEqual(r.status, 0, r.err)
        return try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any] ?? [:]
    }

    /// A Float32 NDVI-like field on an EPSG:32650 grid near Anxi (10 m pixels): smooth waves in −0.3…0.95,
    /// a NaN nodata disc and a NaN right edge column, so overview edges and nodata handling are exercised.
    static func continuous(width: Int, height: Int) -> Raster<Float> {
        var r = Raster<Float>(width: width, height: height, bandCount: 1,
                              bands: [BandInfo(description: "ndvi", nodata: .nan, unit: "1")], geo: anxiGrid())
        for y in 0..<height {
            for x in 0..<width {
                let v = 0.33 + 0.6 * sin(Double(x) / 97) * cos(Double(y) / 61)
                let dx = Double(x - width / 3), dy = Double(y - height / 2)
                let hole = dx * dx + dy * dy < Double(min(width, height) * min(width, height)) / 64
                r[0, x, y] = hole || x == width - 1 ? .nan : Float(v)
            }
        }
        return r
    }

    /// A UInt8 land-use class map (codes 1…8 in blocks of irregular size, code 0 = nodata in a corner).
    static func classes(width: Int, height: Int) -> Raster<UInt8> {
        var r = Raster<UInt8>(width: width, height: height, bandCount: 1, bands: [BandInfo(description: "landuse")], geo: anxiGrid())
        for y in 0..<height {
            for x in 0..<width {
                r[0, x, y] = x < 40 && y < 40 ? 0 : UInt8(1 + ((x / 7) * 3 + (y / 5) * 5) % 8)
            }
        }
        return r
    }

    /// EPSG:32650 grid with its top-left corner at (620000, 2780000), about 118.2°E 25.1°N; 10 m pixels.
    static func anxiGrid() -> GeoReference {
        GeoReference(transform: GeoTransform(originX: 620_000, pixelWidth: 10, originY: 2_780_000, pixelHeight: -10), crs: .epsg(32650))
    }
}
