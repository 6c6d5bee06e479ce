public import RasterCore
import RasterIO
import Foundation

extension SceneManifest {
    /// Common names left out of an "all bands" load: they are not reflectance on the scene's main grid.
    static let notLoadedByDefault: Set<String> = ["pan", "thermal", "thermal2", "qa"]

    /// The bands `load(bands: nil)` reads: every band with a file, except pan, thermal and QA.
    public var defaultBands: [ManifestBand] { availableBands.filter { !Self.notLoadedByDefault.contains($0.commonName) } }

    /// Reads, calibrates and masks the scene into a `ReflectanceTile`.
    ///
    /// - `names`: common names or sensor band names; nil = `defaultBands`.
    /// - Bands are brought to the finest grid among those read (`GridAlignment.align`: PROJ, bilinear/average for
    ///   reflectance, nearest for quality layers).
    /// - Quality: nodata (file nodata tag, the sensor's fill DN), saturation, the scene's QA layers; when the
    ///   sensor has no QA layer and the scene is TOA, `SpectralCloudTest` (reading blue/green/red/nir/swir16
    ///   too when they were not asked for). Reflectance is NaN wherever quality is not valid.
    /// - `masks: false` keeps only nodata/fill (what `tilepipe toa` and rio-toa do): saturation, QA layers and
    ///   the spectral test are skipped.
    /// - `perPixelSun: true` divides by the sine of a per-pixel sun elevation (`SunGeometry`) instead of the
    ///   scene-centre one, for the `.reflectance` and `.radiance` calibrations.
    public func load(bands names: [String]?, limits: ResourceLimits = .default, masks: Bool = true,
                     perPixelSun: Bool = false) throws -> ReflectanceTile {
        var o = TileLoadOptions()
        if !masks { o.clouds = false; o.shadows = false; o.saturated = false; o.checkReflectance = false }
        return try load(bands: names, limits: limits, options: o, perPixelSun: perPixelSun)
    }

    /// Reads, calibrates and masks the scene with the config's `calibration:` and `masks:` (`TileLoadOptions`):
    /// `calibration.mode` `scale` replaces every band's manifest calibration with DN × scale + offset, `none` keeps
    /// DNs, `toa` requires reflectance or radiance calibration in the manifest; `sun_elevation_correction`
    /// switches the division by sin(sun elevation) on or off; `masks.clouds/shadows/saturated/nodata` drop those
    /// conditions from the quality mask; `min/max_reflectance` mark out-of-range pixels nodata. Then
    /// `ReflectanceSanity` (unless `mode: none`).
    ///
    /// With `window`, only that part of every file is read (the files must share one grid: `windowGrid`), with the
    /// same per-pixel arithmetic; the tile returned is the window, and the sanity check, which judges the whole
    /// scene, is left to the caller (`ReflectanceSanity.Tally`). `readers` lends already open readers.
    public func load(bands names: [String]?, limits: ResourceLimits = .default, options: TileLoadOptions,
                     perPixelSun: Bool = false, window: Window? = nil, readers: GeoTIFFReaderPool? = nil) throws -> ReflectanceTile {
        if window != nil, perPixelSun {
            throw ManifestError.raster(file: path, reason: "per-pixel sun angles are computed on the whole scene, not in windows")
        }
        let wanted = try bandsToRead(names, options: options)
        let outputNames = try requestedBands(names).map(\.commonName)
        return try load(wanted: wanted, outputNames: outputNames, limits: limits, options: options, perPixelSun: perPixelSun,
                        window: window, readers: readers)
    }

    /// The bands `names` ask for (nil: `defaultBands`), each with its file; `ManifestError.missingBand` otherwise.
    func requestedBands(_ names: [String]?) throws -> [ManifestBand] {
        var wanted: [ManifestBand]
        if let names {
            wanted = try names.map { n in
                guard let b = band(named: n) else {
                    throw ManifestError.missingBand(file: path, band: n, reason: "not in the manifest (has \(bands.map { "\($0.name)/\($0.commonName)" }.joined(separator: ", ")))")
                }
                guard b.file != nil else {
                    throw ManifestError.missingBand(file: path, band: n, reason: "its file is not next to the manifest")
                }
                return b
            }
        } else {
            wanted = defaultBands
        }
        guard !wanted.isEmpty else { throw ManifestError.missingBand(file: path, band: "*", reason: "no band file found") }
        return wanted
    }

    /// The bands a load of `names` reads: those asked for, plus the bands of the spectral cloud test when it runs.
    func bandsToRead(_ names: [String]?, options: TileLoadOptions) throws -> [ManifestBand] {
        var wanted = try requestedBands(names)
        let outputNames = wanted.map(\.commonName)
        if options.anyQualityMask && quality.isEmpty && profile.qualityBand == .none && (info.isTOA ?? false) {
            for extra in ["blue", "green", "red", "nir", "swir16"] where !outputNames.contains(extra) {
                if let b = availableBands.first(where: { $0.commonName == extra }) { wanted.append(b) }
            }
        }
        return wanted
    }

    /// The grid (size and georeferencing) every file a load of `names` reads shares, or nil when their grids differ
    /// (bands of different resolution are aligned on the whole scene: such a scene is not read in windows).
    public func windowGrid(bands names: [String]?, options: TileLoadOptions, limits: ResourceLimits = .default) throws -> (width: Int, height: Int, geo: GeoReference?)? {
        let files = try bandsToRead(names, options: options).map { $0.file! } + (options.anyQualityMask ? quality.map(\.file) : [])
        var grid: (width: Int, height: Int, geo: GeoReference?)?
        var seen = Set<String>()
        for f in files where seen.insert(f).inserted {
            let d: RasterDescription
            do { d = try GeoTIFFReader(path: f, limits: limits, forWindows: true).description } catch let e as RasterIOError where e.kind == "io" {
                throw e
            } catch let e as RasterIOError { throw ManifestError.raster(file: e.path, reason: e.reason) }
            var g = d.geo
            if g?.crs == nil, let epsg { g?.crs = .epsg(epsg) }
            let here = (width: d.width, height: d.height, geo: g)
            if let grid {
                guard grid.width == here.width, grid.height == here.height else { return nil }
                switch (grid.geo, here.geo) {
                case (nil, nil): break
                case (let a?, let b?): guard a.sameGrid(as: b) else { return nil }
                default: return nil
                }
            } else {
                grid = here
            }
        }
        return grid
    }

    /// `load` with the bands to read decided.
    func load(wanted: [ManifestBand], outputNames: [String], limits: ResourceLimits, options: TileLoadOptions, perPixelSun: Bool,
              window: Window?, readers: GeoTIFFReaderPool?) throws -> ReflectanceTile {
        let masks = options.anyQualityMask
        let useSpectralTest = masks && quality.isEmpty && profile.qualityBand == .none && (info.isTOA ?? false)
        // Read raw values.
        struct Layer { var band: ManifestBand; var dn: [Float]; var width: Int; var height: Int; var geo: GeoReference? }
        var layers = [Layer]()
        var sources = Set([path])
        // The bands of one file in one read: a pixel-interleaved file decodes each block once for all of them, not
        // once per band.
        var read: [String: [Int: ([Float], Int, Int, GeoReference?)]] = [:]
        for b in wanted {
            let file = b.file!
            if read[file] == nil {
                var fileBands: [Int] = []
                for o in wanted where o.file == file && !fileBands.contains(o.fileBand) { fileBands.append(o.fileBand) }
                let planes = try Self.readBands(file: file, bands: fileBands, limits: limits, keepNodata: !options.nodata,
                                                window: window, readers: readers)
                read[file] = Dictionary(zip(fileBands, planes), uniquingKeysWith: { a, _ in a })
            }
            let (dn, w, h, geo) = read[file]![b.fileBand]!
            layers.append(Layer(band: b, dn: dn, width: w, height: h, geo: geo))
            sources.insert(file)
        }
        read = [:]
        // Finest grid.
        let finest = layers.max { $0.width * $0.height < $1.width * $1.height }!
        let W = finest.width, H = finest.height
        func withCRS(_ g: GeoReference?) -> GeoReference? { var g = g; if g?.crs == nil, let epsg { g?.crs = .epsg(epsg) }; return g }
        func align(_ v: [Float], _ w: Int, _ h: Int, _ g: GeoReference?, _ what: String, _ kind: GridAlignment.LayerKind) throws -> [Float] {
            if window != nil {
                // Windows of files on one grid (`windowGrid`): nothing to align.
                guard w == W, h == H else { throw ManifestError.gridMismatch(file: what, reason: "\(what) is not on the grid of \(finest.band.file!)") }
                return v
            }
            return try GridAlignment.align(v, width: w, height: h, geo: withCRS(g), file: what, toWidth: W, height: H,
                                    geo: withCRS(finest.geo), referenceFile: finest.band.file!, kind: kind)
        }
        var layerMasks = [[UInt8]]()
        var refl = [String: [Float]]()
        var sunGrid: [Float]?
        if perPixelSun {
            guard let date = info.acquired else { throw ManifestError.missingKey(file: path, key: "acquisition time") }
            var g = finest.geo
            if g?.crs == nil, let epsg { g?.crs = .epsg(epsg) }
            guard let g else { throw ManifestError.raster(file: finest.band.file!, reason: "per-pixel sun angles need georeferencing") }
            sunGrid = try SunGeometry.elevationGrid(geo: g, width: W, height: H, date: date)
        }
        for l in layers {
            let dn = try align(l.dn, l.width, l.height, l.geo, l.band.file!, .continuous)
            layerMasks.append(QualityMask.fromDN(dn, fill: options.nodata ? l.band.fill : nil, saturation: options.saturated ? l.band.saturation : nil))
            let calibration = try effectiveCalibration(l.band, options: options)
            switch (calibration, sunGrid) {
            case (.reflectance(let m, let a, true), let grid?):
                refl[l.band.commonName] = SunGeometry.reflectance(dn: dn, mult: m, add: a, sunElevations: grid)
            case (.radiance(let g, let o, let esun), let grid?):
                // ρ = π·L·d²/(ESUN·sin θe): the radiance form of the same division.
                let k = Double.pi * earthSunDistance * earthSunDistance / esun
                refl[l.band.commonName] = SunGeometry.reflectance(dn: dn, mult: g * k, add: o * k, sunElevations: grid)
            default:
                var v = try Calibration.apply(calibration, dn: dn, sunElevation: options.sunElevationCorrection == false ? 90 : info.sunElevation,
                                              earthSunDistance: earthSunDistance, file: path)
                if options.sunElevationCorrection == true, case .scaleOffset = calibration {
                    guard let e = info.sunElevation else { throw ManifestError.missingKey(file: path, key: "sun_elevation") }
                    let k = Float(sin(e * .pi / 180))
                    for i in v.indices where !v[i].isNaN { v[i] /= k }
                }
                refl[l.band.commonName] = v
            }
        }
        for q in quality where masks {
            let (v, w, h, g) = try Self.readBand(file: q.file, band: q.fileBand, limits: limits, window: window, readers: readers)
            layerMasks.append(Self.keep(QualityMask.decode(q.kind, try align(v, w, h, g, q.file, .categorical)), options))
            sources.insert(q.file)
        }
        if useSpectralTest, let m = SpectralCloudTest.run(refl, count: W * H) { layerMasks.append(Self.keep(m, options)) }
        var q = QualityMask.combine(layerMasks, count: W * H)
        ReflectanceRange.mask(planes: outputNames.map { refl[$0]! }, names: outputNames, quality: &q, options: options)
        var out = [String: [Float]]()
        for name in outputNames {
            var v = refl[name]!
            for i in 0..<v.count where q[i] != PixelQuality.valid.rawValue { v[i] = .nan }
            out[name] = v
        }
        if window == nil, options.checkReflectance, options.calibration != .none { try ReflectanceSanity.check(out, file: path) }
        var geo = finest.geo
        if geo?.crs == nil, let epsg { geo?.crs = .epsg(epsg) }
        return ReflectanceTile(id: tileID, width: W, height: H, geo: geo, bands: out, quality: q, scene: info,
                               sourceFiles: sources.sorted())
    }

    /// A band's calibration under the config's `calibration.mode` and `sun_elevation_correction`.
    func effectiveCalibration(_ b: ManifestBand, options: TileLoadOptions) throws -> BandCalibration {
        switch options.calibration {
        case .none: return .none
        case .scale(let s, let o): return .scaleOffset(scale: s, offset: o)
        case .toa:
            switch b.calibration {
            case .reflectance, .radiance: break
            default:
                throw ManifestError.calibration(file: path, reason: "`calibration.mode: toa` but the manifest gives band '\(b.name)' no reflectance or radiance gains (\(b.calibration)); use `mode: auto` or `scale`")
            }
        case .auto: break
        }
        if let corrected = options.sunElevationCorrection, case .reflectance(let m, let a, _) = b.calibration {
            return .reflectance(mult: m, add: a, sunCorrected: corrected)
        }
        return b.calibration
    }

    /// A quality layer with the conditions the config's `masks:` switched off turned back to valid.
    static func keep(_ layer: [UInt8], _ o: TileLoadOptions) -> [UInt8] {
        guard !(o.clouds && o.shadows && o.saturated) else { return layer }
        return layer.map { c in
            switch c {
            case PixelQuality.cloud.rawValue, PixelQuality.cirrus.rawValue: o.clouds ? c : PixelQuality.valid.rawValue
            case PixelQuality.shadow.rawValue: o.shadows ? c : PixelQuality.valid.rawValue
            case PixelQuality.saturated.rawValue: o.saturated ? c : PixelQuality.valid.rawValue
            default: c
            }
        }
    }

    /// One band of a file as raw Float values (file nodata → NaN, or kept as its value with `keepNodata`),
    /// with its size and georeference.
    static func readBand(file: String, band: Int, limits: ResourceLimits, keepNodata: Bool = false,
                         window: Window? = nil, readers: GeoTIFFReaderPool? = nil) throws -> ([Float], Int, Int, GeoReference?) {
        try readBands(file: file, bands: [band], limits: limits, keepNodata: keepNodata, window: window, readers: readers)[0]
    }

    /// `readBand` for several bands (1-based, in this order) of one file, read together.
    static func readBands(file: String, bands: [Int], limits: ResourceLimits, keepNodata: Bool = false,
                          window: Window? = nil, readers: GeoTIFFReaderPool? = nil) throws -> [([Float], Int, Int, GeoReference?)] {
        do {
            func read(_ reader: GeoTIFFReader) throws -> [([Float], Int, Int, GeoReference?)] {
                let d = reader.description
                for band in bands where band < 1 || band > d.bandCount {
                    throw ManifestError.raster(file: file, reason: "band \(band) not in 1...\(d.bandCount)")
                }
                // Together when they fit the decode limit together (each alone is checked by the read).
                let together = ResourceLimits.byteCount(width: window?.width ?? d.width, height: window?.height ?? d.height,
                                                        bands: bands.count, bytesPerSample: d.sampleType.byteWidth)
                    .map { $0 <= limits.maxDecodedBytes } ?? false
                var out: [([Float], Int, Int, GeoReference?)] = []
                for group in together ? [bands] : bands.map({ [$0] }) {
                    let r = try reader.read(window: window, bands: group.map { $0 - 1 })
                    for i in group.indices {
                        var v = r.floatBand(i)
                        if keepNodata, let nd = r.bands[i].nodata, !nd.isNaN { for j in v.indices where v[j].isNaN { v[j] = Float(nd) } }
                        out.append((v, r.width, r.height, r.geo))
                    }
                }
                return out
            }
            return try readers.map { try $0.withReader(path: file, read) } ?? read(GeoTIFFReader(path: file, limits: limits))
        } catch let e as RasterIOError where e.kind == "io" {
            throw e   // an operating-system read failure stays `io`: the pipeline retries it and reports it apart from corrupt data
        } catch let e as RasterIOError {
            throw ManifestError.raster(file: e.path, reason: e.reason)
        }
    }
}
