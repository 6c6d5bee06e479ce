public import RasterCore
import RasterIO
import Foundation

/// A multi-band raster file (GeoTIFF, or PNG with a world file) with no manifest.
///
/// Band names: from `bandMap` (common name → 1-based band) when given; otherwise each band's description read
/// by `BandNaming` (common names, Sentinel-2 `B01`…`B12`/`B8A`, Landsat `B1`…`B11`/`SR_B*`, case-insensitive;
/// the sensor family from the names, the file name and the SATELLITE/SPACECRAFT metadata); for a single-band file
/// without description, the band token at the end of the file name (`…_B04.tif`, `…_nir.tif`); otherwise `b1`,
/// `b2`, …. A band asked for that is not found, or whose name is ambiguous, is an error naming the file and band.
/// Values are taken as they are, except that integer bands with a scale/offset in the file's metadata get it
/// applied (physical = raw·scale + offset; when the scale is > 1 and the band carries an HDF-EOS `scale_factor`
/// item, as MODIS MOD13/MYD13 GeoTIFFs do with scale_factor=10000, the MODIS convention physical =
/// (raw − offset)/scale is used instead); `TileLoadOptions.calibration` `.scale` replaces that with
/// raw × scale + offset and `.none` keeps raw values.
/// Nodata (the file's nodata value, or NaN) becomes NaN and `PixelQuality.nodata` (unless `masks.nodata` is
/// off); `min/max_reflectance` then mark out-of-range pixels nodata too.
public enum LooseTile {
    /// File extensions read as loose tiles.
    public static let extensions: Set<String> = ["tif", "tiff", "png"]

    /// Band names → 1-based band numbers for `path`. Throws `ManifestError.missingBand` when `bandMap`
    /// names a band beyond the file's band count.
    public static func bandNumbers(path: String, description d: RasterDescription, bandMap: [String: Int]?) throws -> [String: Int] {
        try recognise(path: path, description: d, bandMap: bandMap).numbers
    }

    /// Band names → numbers, and the bands whose names could not be read unambiguously (name → why).
    static func recognise(path: String, description d: RasterDescription, bandMap: [String: Int]?) throws
        -> (numbers: [String: Int], ambiguous: [String: String]) {
        if let bandMap {
            var out = [String: Int]()
            for (name, n) in bandMap {
                guard n >= 1, n <= d.bandCount else {
                    throw ManifestError.missingBand(file: path, band: name, reason: "band \(n) not in 1...\(d.bandCount)")
                }
                out[CommonBand.normalise(name) ?? name] = n
            }
            return (out, [:])
        }
        let fileName = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        var names = d.bands.map(\.description)
        if d.bandCount == 1, names[0].isEmpty, let last = fileName.split(whereSeparator: { $0 == "_" || $0 == "." || $0 == "-" }).last {
            names[0] = String(last)
        }
        let hints = [fileName, (path as NSString).deletingLastPathComponent] + ["SATELLITE", "SPACECRAFT", "SPACECRAFT_ID", "PLATFORM", "SENSOR"].compactMap { d.metadata[$0] }
        let family = BandNaming.family(names: names, hints: hints)
        var out = [String: Int](), ambiguous = [String: String]()
        for (i, name) in names.enumerated() {
            switch BandNaming.meaning(name, family: family) {
            case .common(let c) where out[c] == nil: out[c] = i + 1
            case .common(let c):
                ambiguous[c] = "bands \(out[c]!) and \(i + 1) are both named for \(c)"
                out["b\(i + 1)"] = i + 1
            case .ambiguous(let why):
                ambiguous["b\(i + 1)"] = "band \(i + 1) '\(name)' means a different band per sensor (\(why)); name the sensor in the file name or give a band map"
                out["b\(i + 1)"] = i + 1
            case .unknown:
                out["b\(i + 1)"] = i + 1
            }
        }
        return (out, ambiguous)
    }

    /// Reads the header (GeoTIFF) or the whole image (PNG) of a loose tile.
    public static func describe(path: String, limits: ResourceLimits = .default, forWindows: Bool = false) throws -> RasterDescription {
        try RasterFile.describe(path: path, limits: limits, forWindows: forWindows)
    }

    /// Loads `names` (nil = every mapped band) from `path`.
    ///
    /// With `window` (GeoTIFF only) just that part of the image is read, with the same per-pixel arithmetic, and the
    /// tile returned is the window (its size and georeferencing); the reflectance sanity check, which judges the
    /// whole tile, is then left to the caller (`ReflectanceSanity.Tally`). `readers` lends already open readers.
    public static func load(path: String, id: String, bandMap: [String: Int]?, bands names: [String]?,
                            limits: ResourceLimits, options: TileLoadOptions = TileLoadOptions(),
                            window: Window? = nil, readers: GeoTIFFReaderPool? = nil) throws -> ReflectanceTile {
        do {
            let isPNG = try RasterFile.sniff(path) == .png
            if isPNG, window != nil { throw ManifestError.raster(file: path, reason: "a PNG tile is read whole, not in windows") }
            if !isPNG, let readers {
                return try readers.withReader(path: path) { r in
                    try load(path: path, id: id, reader: r, png: nil, bandMap: bandMap, bands: names, limits: limits, options: options, window: window)
                }
            }
            let reader = isPNG ? nil : try GeoTIFFReader(path: path, limits: limits)
            let png = isPNG ? try RasterFile.readPNG(path: path, limits: limits) : nil
            return try load(path: path, id: id, reader: reader, png: png, bandMap: bandMap, bands: names, limits: limits, options: options, window: window)
        } catch let e as RasterIOError where e.kind == "io" {
            throw e   // an operating-system read failure stays `io`: the pipeline retries it and reports it apart from corrupt data
        } catch let e as RasterIOError {
            throw ManifestError.raster(file: e.path, reason: e.reason)
        }
    }

    /// `load` with the file opened.
    static func load(path: String, id: String, reader: GeoTIFFReader?, png: AnyRaster?, bandMap: [String: Int]?, bands names: [String]?,
                     limits: ResourceLimits, options: TileLoadOptions, window: Window?) throws -> ReflectanceTile {
        do {
            let d = try reader?.description ?? RasterFile.describe(path: path, limits: limits)
            let (numbers, ambiguous) = try recognise(path: path, description: d, bandMap: bandMap)
            let wanted: [String] = try (names ?? CommonBand.sorted(Array(numbers.keys))).map { n in
                let key = numbers[n] != nil ? n : (CommonBand.normalise(n) ?? n)
                if let why = ambiguous[key] { throw ManifestError.missingBand(file: path, band: n, reason: why) }
                guard numbers[key] != nil else {
                    var reason = "not among the tile's bands (\(CommonBand.sorted(Array(numbers.keys)).joined(separator: ", ")))"
                    if !ambiguous.isEmpty { reason += "; " + ambiguous.keys.sorted().map { ambiguous[$0]! }.joined(separator: "; ") }
                    throw ManifestError.missingBand(file: path, band: n, reason: reason)
                }
                return key
            }
            let indices = wanted.map { numbers[$0]! - 1 }
            let raster = try reader?.read(window: window, bands: indices) ?? png!.selecting(bands: indices)
            let n = raster.width * raster.height
            var quality = [UInt8](repeating: PixelQuality.valid.rawValue, count: n)
            var planes: [[Float]] = []
            for i in wanted.indices {
                var v = raster.floatBand(i)
                let info = raster.bands[i]
                // raw → physical: `x·s + o`, or `(x − o)/s` for the HDF-EOS convention; nil = as read.
                var affine: (s: Float, o: Float, divide: Bool)?
                switch options.calibration {
                case .none: break
                case .scale(let s, let o): affine = (Float(s), Float(o), false)
                case .auto, .toa:
                    if !d.sampleType.isFloatingPoint, info.scale != 0, info.scale != 1 || info.offset != 0 {
                        // HDF-EOS convention of MODIS VI products (scale_factor=10000): physical = (raw − offset) / scale.
                        let hdf = info.scale > 1 && (info.metadata["scale_factor"] ?? d.metadata["scale_factor"]) != nil
                        affine = (Float(info.scale), Float(info.offset), hdf)
                    }
                }
                // One pass per band over raw pointers (no copy-on-write check per sample; the selects vectorise):
                // nodata as an ordinary sample when masks.nodata is off, the calibration of every non-NaN sample,
                // NaN → nodata in the quality plane.
                let restore: Float? = options.nodata ? nil : info.nodata.flatMap { $0.isNaN ? nil : Float($0) }
                let nodataCode = PixelQuality.nodata.rawValue
                v.withUnsafeMutableBufferPointer { p in
                    quality.withUnsafeMutableBufferPointer { q in
                        if let nd = restore { for j in 0..<n where p[j].isNaN { p[j] = nd } }
                        if let (s, o, divide) = affine {
                            if divide { for j in 0..<n { let x = p[j]; p[j] = x.isNaN ? x : (x - o) / s } }
                            else { for j in 0..<n { let x = p[j]; p[j] = x.isNaN ? x : x * s + o } }
                        }
                        QualityMask.mark(nodataCode, where: p.baseAddress!, isNaN: q.baseAddress!, count: n)
                    }
                }
                planes.append(v)
            }
            if case .toa = options.calibration {
                throw ManifestError.calibration(file: path, reason: "`calibration.mode: toa` needs a scene manifest (MTL, scene.json, STAC item) with the band gains and the sun elevation; this plain raster has none (use `mode: scale` or `auto`)")
            }
            if options.sunElevationCorrection == true {
                let sin = try sunSine(path: path, description: d, metadata: d.metadata)
                for i in planes.indices where ReflectanceSanity.reflective.contains(wanted[i]) {
                    for j in 0..<n where !planes[i][j].isNaN { planes[i][j] /= sin }
                }
            }
            ReflectanceRange.mask(planes: planes, names: wanted, quality: &quality, options: options)
            // A pixel invalid in any band is invalid in all (in place: no copy of the planes).
            var out = [String: [Float]]()
            let valid = PixelQuality.valid.rawValue
            quality.withUnsafeBufferPointer { q in
                for i in planes.indices {
                    planes[i].withUnsafeMutableBufferPointer { v in QualityMask.keep(v.baseAddress!, where: q.baseAddress!, is: valid, count: n) }
                }
            }
            for (i, name) in wanted.enumerated() { out[name] = planes[i] }
            if window == nil, options.checkReflectance, options.calibration != .none { try ReflectanceSanity.check(out, file: path) }
            return ReflectanceTile(id: id, width: raster.width, height: raster.height, geo: raster.geo, bands: out, quality: quality,
                                   scene: nil, sourceFiles: [path])
        } catch let e as RasterIOError where e.kind == "io" {
            throw e   // an operating-system read failure stays `io`: the pipeline retries it and reports it apart from corrupt data
        } catch let e as RasterIOError {
            throw ManifestError.raster(file: e.path, reason: e.reason)
        }
    }

    /// sin(sun elevation) at the scene centre at the acquisition time from the file's metadata
    /// (`calibration.sun_elevation_correction: true` on a plain raster).
    static func sunSine(path: String, description d: RasterDescription, metadata: [String: String]) throws -> Float {
        guard let when = AcquisitionDate.find(path: path, metadata: metadata), when.source == .metadata || when.source == .config,
              let geo = d.geo, let crs = geo.crs else {
            throw ManifestError.calibration(file: path, reason: "`calibration.sun_elevation_correction: true` needs the acquisition time (ACQUISITIONDATETIME metadata) and a CRS; this file has \(d.geo?.crs == nil ? "no CRS" : "no acquisition time")")
        }
        let c = geo.transform.coefficients
        let cx = c[0] + c[1] * Double(d.width) / 2 + c[2] * Double(d.height) / 2
        let cy = c[3] + c[4] * Double(d.width) / 2 + c[5] * Double(d.height) / 2
        let lonLat: (Double, Double)
        if crs.isGeographic { lonLat = (cx, cy) } else {
            guard let def = crs.projDefinition, let t = try? CRSTransform.toWGS84(from: def), let p = try? t.transform(x: cx, y: cy) else {
                throw ManifestError.calibration(file: path, reason: "cannot transform the scene centre to lon/lat for the sun elevation")
            }
            lonLat = (p.x, p.y)
        }
        let e = Calibration.solarPosition(latitude: lonLat.1, longitude: lonLat.0, date: when.date).elevation
        guard e > 1 else { throw ManifestError.calibration(file: path, reason: "sun elevation \(e)° at the acquisition time: the sun is below the horizon") }
        return Float(sin(e * .pi / 180))
    }
}

/// `masks.min_reflectance` / `max_reflectance`: pixels with any reflective band outside the range become nodata.
enum ReflectanceRange {
    static func mask(planes: [[Float]], names: [String], quality: inout [UInt8], options: TileLoadOptions) {
        guard options.minReflectance != nil || options.maxReflectance != nil else { return }
        let lo = Float(options.minReflectance ?? -.infinity), hi = Float(options.maxReflectance ?? .infinity)
        for (i, name) in names.enumerated() where ReflectanceSanity.reflective.contains(name) {
            let v = planes[i]
            for j in 0..<v.count where !v[j].isNaN && (v[j] < lo || v[j] > hi) { quality[j] = PixelQuality.nodata.rawValue }
        }
    }
}
