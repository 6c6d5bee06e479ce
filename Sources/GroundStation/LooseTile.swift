public import RasterCore
import RasterIO
import Foundation

/// A multi-band raster file with no manifest.
///
/// Band names: from `bandMap` (common name → 1-based band) when given; otherwise each band's description
/// when it is a common name; otherwise `b1`, `b2`, …. Values are taken as they are, except that integer
/// bands with a scale/offset in the file's metadata get it applied (physical = raw·scale + offset; when the
/// scale is > 1 and the band carries an HDF-EOS `scale_factor` item, as MODIS MOD13/MYD13 GeoTIFFs do with
/// scale_factor=10000, the MODIS convention physical = (raw − offset)/scale is used instead).
/// Nodata (the file's nodata value, or NaN) becomes NaN and `PixelQuality.nodata`; no other mask applies.
public enum LooseTile {
    /// Band names → 1-based band numbers for `path`. Throws `ManifestError.missingBand` when `bandMap`
    /// names a band beyond the file's band count.
    public static func bandNumbers(path: String, description d: RasterDescription, bandMap: [String: Int]?) throws -> [String: Int] {
        if let bandMap {
            var out = [String: Int]()
            for (name, n) in bandMap {
                guard n >= 1, n <= d.bandCount else {
                    throw ManifestError.missingBand(file: path, band: name, reason: "band \(n) not in 1...\(d.bandCount)")
                }
                out[CommonBand.normalise(name) ?? name] = n
            }
            return out
        }
        var out = [String: Int]()
        for (i, b) in d.bands.enumerated() {
            if let c = CommonBand.normalise(b.description), out[c] == nil { out[c] = i + 1 } else { out["b\(i + 1)"] = i + 1 }
        }
        return out
    }

    /// Loads `names` (nil = every mapped band) from `path`.
    public static func load(path: String, id: String, bandMap: [String: Int]?, bands names: [String]?,
                            limits: ResourceLimits) throws -> ReflectanceTile {
        do {
            let reader = try GeoTIFFReader(path: path, limits: limits)
            let d = reader.description
            let numbers = try bandNumbers(path: path, description: d, bandMap: bandMap)
            let wanted: [String] = try (names ?? CommonBand.sorted(Array(numbers.keys))).map { n in
                let key = numbers[n] != nil ? n : (CommonBand.normalise(n) ?? n)
                guard numbers[key] != nil else {
                    throw ManifestError.missingBand(file: path, band: n, reason: "not among the tile's bands (\(CommonBand.sorted(Array(numbers.keys)).joined(separator: ", ")))")
                }
                return key
            }
            let raster = try reader.read(bands: wanted.map { numbers[$0]! - 1 })
            let n = d.width * d.height
            var quality = [UInt8](repeating: PixelQuality.valid.rawValue, count: n)
            var planes: [[Float]] = []
            for i in wanted.indices {
                var v = raster.floatBand(i)
                let info = raster.bands[i]
                if !d.sampleType.isFloatingPoint, info.scale != 0, info.scale != 1 || info.offset != 0 {
                    if info.scale > 1, (info.metadata["scale_factor"] ?? d.metadata["scale_factor"]) != nil {
                        // HDF-EOS convention of MODIS VI products (scale_factor=10000): physical = (raw − offset) / scale.
                        let s = Float(info.scale), o = Float(info.offset)
                        for j in 0..<n where !v[j].isNaN { v[j] = (v[j] - o) / s }
                    } else {
                        let s = Float(info.scale), o = Float(info.offset)
                        for j in 0..<n where !v[j].isNaN { v[j] = v[j] * s + o }
                    }
                }
                for j in 0..<n where v[j].isNaN { quality[j] = PixelQuality.nodata.rawValue }
                planes.append(v)
            }
            // A pixel invalid in any band is invalid in all (in place: no copy of the planes).
            var out = [String: [Float]]()
            for (i, name) in wanted.enumerated() {
                planes[i].withUnsafeMutableBufferPointer { v in
                    for j in 0..<n where quality[j] != PixelQuality.valid.rawValue { v[j] = .nan }
                }
                out[name] = planes[i]
            }
            return ReflectanceTile(id: id, width: d.width, height: d.height, geo: d.geo, bands: out, quality: quality,
                                   scene: nil, sourceFiles: [path])
        } catch let e as RasterIOError where e.kind == "io" {
            throw e   // an operating-system read failure stays `io`: the pipeline retries it and reports it apart from corrupt data
        } catch let e as RasterIOError {
            throw ManifestError.raster(file: e.path, reason: e.reason)
        }
    }
}
