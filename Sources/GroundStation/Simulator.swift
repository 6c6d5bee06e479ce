import Foundation
import Dispatch
import RasterCore
import RasterIO

/// `tilepipe simulate`: a deterministic model of what the Anxi station delivers.
///
/// Per date and tile it writes, under `DIR/<sceneID>/r<R>c<C>/`:
/// `<sceneID>_r<R>c<C>.tif` (UInt16 DN, one band per sensor band, DEFLATE), `scene.json`,
/// `truth-landcover.tif` (UInt8 `LandCoverClass`, colour table, nodata 0) and, with an event,
/// `truth-event.tif` (UInt8: 1 where the event changed the land, 0 elsewhere, 255 outside the footprint;
/// all 0 on dates before the event, the changed area on the dates after it).
///
/// Per pixel: land cover at 2×2 sub-pixel points (`AnxiLandscape`), their spectra (`SpectralLibrary`,
/// with crop phenology, tea flush, drought stress, vegetation texture) averaged — so class edges give mixed
/// pixels — then terrain illumination 0.35 + 0.65·max(0, cos i)/cos θz (cos i from slope/aspect and the sun,
/// 35 % diffuse light), cloud shadow (direct light removed, diffuse ×0.7), path reflectance, cloud
/// (ρ = (1−α)ρ + α·ρ_cloud; truth says cloud where α > 0.2 and shadow where the shading cloud's α > 0.2), Gaussian sensor noise, and quantisation DN = round((ρ·sin θe − A)/M) in
/// [1, saturation]; DN 0 is fill outside the footprint (a swath rotated 9° from north).
public enum Simulator {
    /// Runs the simulation; returns the files written, sorted.
    public static func run(_ config: SimulationConfig, outputDirectory: String) throws -> [String] {
        try config.validate()
        let profile = SensorCatalog.profile(forSatellite: config.satelliteName)!
        let res = profile.finestResolution
        let bands = profile.bands.filter { $0.commonName != "pan" && $0.commonName != "qa" }
        let landscape = AnxiLandscape(seed: config.seed)
        let width = Double(config.columns * config.size) * res, height = Double(config.rows * config.size) * res
        let centre = sceneCentre(config.event, landscape: landscape, width: width, height: height)
        let x0 = (centre.x - width / 2).rounded(), y1 = (centre.y + height / 2).rounded()
        let site = config.event.map { landscape.eventSite($0, x0: x0, y0: y1 - height, x1: x0 + width, y1: y1) }
        var written = [String]()
        for d in 0..<config.dates {
            let date = config.acquisition(d)
            let sceneID = "\(config.shortName)_\(dayString(date))"
            let sun = Calibration.solarPosition(latitude: 25.1, longitude: 118.2, date: date)
            let esd = Calibration.earthSunDistance(on: date)
            let postEvent = config.event != nil && d >= config.eventDateIndex
            var rng = SplitMix64(seed: SplitMix64.mix(config.seed ^ 0xC10D) &+ UInt64(d))
            let cloudCover = config.event != nil ? 0.01 + 0.03 * rng.nextUnit() : 0.03 + 0.17 * rng.nextUnit()
            let scene = SceneRender(landscape: landscape, bands: bands, profile: profile, resolution: res, sun: sun,
                                    doy: dayOfYear(date), cloudSeed: SplitMix64.mix(config.seed ^ UInt64(d + 1) &* 0x51ED),
                                    cloudThreshold: 0.70 - 0.6 * cloudCover, event: postEvent ? config.event : nil,
                                    site: site, footprint: (x0 + width / 2, y1 - height / 2, width / 2, height / 2))
            var tiles = [(name: String, render: SceneRender.TileResult, x: Double, y: Double)]()
            var cloudPixels = 0, footprintPixels = 0
            for r in 0..<config.rows {
                for c in 0..<config.columns {
                    let tx = x0 + Double(c * config.size) * res, ty = y1 - Double(r * config.size) * res
                    let noiseSeed = SplitMix64.mix(config.seed &+ UInt64(d) &* 1_000_003 &+ UInt64(r) &* 7919 &+ UInt64(c))
                    let t = scene.render(originX: tx, originY: ty, size: config.size, noiseSeed: noiseSeed)
                    cloudPixels += t.truth.filter { $0 == LandCoverClass.cloud.rawValue }.count
                    footprintPixels += t.truth.filter { $0 != 0 }.count
                    tiles.append(("r\(r)c\(c)", t, tx, ty))
                }
            }
            let cover = footprintPixels == 0 ? 0 : (10000 * Double(cloudPixels) / Double(footprintPixels)).rounded() / 100
            // Each tile's files are independent: encode and write them on every core.
            let rendered = tiles
            let outcomes = Outcomes(count: rendered.count)
            DispatchQueue.concurrentPerform(iterations: rendered.count) { i in
                let t = rendered[i]
                let dir = ((outputDirectory as NSString).appendingPathComponent(sceneID) as NSString).appendingPathComponent(t.name)
                outcomes.set(i, Result {
                    try write(tile: t.render, name: t.name, sceneID: sceneID, dir: dir, config: config, profile: profile,
                              bands: bands, originX: t.x, originY: t.y, resolution: res, date: date, sun: sun,
                              earthSunDistance: esd, cloudCover: cover)
                })
            }
            for outcome in outcomes.results { written += try outcome!.get() }
        }
        return written.sorted()
    }

    /// One result slot per tile, filled by the writing threads.
    private final class Outcomes: @unchecked Sendable {
        private let lock = NSLock()
        private var slots: [Result<[String], any Error>?]
        init(count: Int) { slots = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ r: Result<[String], any Error>) { lock.withLock { slots[i] = r } }
        var results: [Result<[String], any Error>?] { lock.withLock { slots } }
    }

    static func write(tile: SceneRender.TileResult, name: String, sceneID: String, dir: String, config: SimulationConfig,
                      profile: SensorProfile, bands: [SensorBand], originX: Double, originY: Double, resolution: Double,
                      date: Date, sun: (elevation: Double, azimuth: Double), earthSunDistance: Double,
                      cloudCover: Double) throws -> [String] {
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw SimulationError.write(file: dir, reason: "cannot create folder: \(error.localizedDescription)")
        }
        let n = config.size
        let geo = GeoReference(transform: GeoTransform(originX: originX, pixelWidth: resolution, originY: originY, pixelHeight: -resolution),
                               crs: .epsg(32650))
        let fileName = "\(sceneID)_\(name).tif"
        let infos = bands.map { BandInfo(description: $0.commonName, nodata: 0, metadata: ["SENSOR_BAND": $0.name]) }
        let meta = ["SCENE_ID": sceneID, "SATELLITE": config.satelliteName, "ACQUISITION_DATE": ISO8601.format(date),
                    "SIMULATED": "tilepipe simulate --seed \(config.seed) (model data, not a real acquisition)"]
        let image = Raster(width: n, height: n, samples: tile.dn, bands: infos, geo: geo, metadata: meta)
        let tileSize = min(256, ((n + 15) / 16) * 16)
        let opts = GeoTIFFWriter.Options(compression: .deflate, level: 6, predictor: 2, tileSize: tileSize)
        var files = [String]()
        func path(_ f: String) -> String { (dir as NSString).appendingPathComponent(f) }
        do {
            try GeoTIFFWriter.write(image, to: path(fileName), options: opts)
            files.append(path(fileName))
            let truthInfo = BandInfo(description: "land cover (truth)", nodata: 0, colorTable: LandCoverClass.colorTable)
            try GeoTIFFWriter.write(Raster(width: n, height: n, samples: tile.truth, bands: [truthInfo], geo: geo), to: path("truth-landcover.tif"), options: opts)
            files.append(path("truth-landcover.tif"))
            if config.event != nil {
                let info = BandInfo(description: "\(config.event!.rawValue) affected (truth)", nodata: 255)
                try GeoTIFFWriter.write(Raster(width: n, height: n, samples: tile.eventTruth, bands: [info], geo: geo), to: path("truth-event.tif"), options: opts)
                files.append(path("truth-event.tif"))
            }
        } catch let e as RasterIOError {
            throw SimulationError.write(file: e.path, reason: e.reason)
        }
        // scene.json: reflectance mult/add and the equivalent radiance gain/offset with ESUN.
        let sinE = sin(sun.elevation * .pi / 180)
        _ = sinE
        let docBands = bands.enumerated().map { i, b -> SceneDocument.Band in
            let esun = SensorCatalog.modelESUN[b.commonName] ?? 1000
            let k = esun / (Double.pi * earthSunDistance * earthSunDistance)
            return SceneDocument.Band(name: b.name, commonName: b.commonName, file: fileName, band: i + 1,
                                      gain: roundSig(profile.defaultScale * k), offset: roundSig(profile.defaultOffset * k),
                                      reflectanceMult: profile.defaultScale, reflectanceAdd: profile.defaultOffset, esun: esun,
                                      fill: profile.fill, saturation: profile.saturation)
        }
        let doc = SceneDocument(satellite: config.satelliteName, sensor: profile.sensor, sceneID: sceneID, tile: name,
                                acquired: ISO8601.format(date), sunElevation: round6(sun.elevation), sunAzimuth: round6(sun.azimuth),
                                earthSunDistance: round6(earthSunDistance), cloudCover: cloudCover, processingLevel: "L1T",
                                crs: "EPSG:32650", bands: docBands)
        do {
            try AtomicFile.write([UInt8](try doc.encoded()), to: path("scene.json"))
        } catch let e as RasterIOError {
            throw SimulationError.write(file: e.path, reason: e.reason)
        }
        files.append(path("scene.json"))
        return files
    }

    /// The scene centre: the anchor P (the river runs through it), except for fire and landslide scenes,
    /// which are centred on the candidate (P + 1 km steps, ±3 km) whose dense-vegetation share, on an 8×8
    /// sample of the scene, is closest to 60 %, so the event has forest to strike and surroundings to compare.
    static func sceneCentre(_ event: AnxiLandscape.Event?, landscape: AnxiLandscape, width: Double, height: Double) -> (x: Double, y: Double) {
        let p = AnxiLandscape.anchor
        guard event == .fire || event == .landslide else { return p }
        var best = (x: p.x, y: p.y, score: Double.infinity)
        for i in -3...3 {
            for j in -3...3 {
                let cx = p.x + Double(i) * 1000, cy = p.y + Double(j) * 1000
                var dense = 0
                for a in 0..<8 {
                    for b in 0..<8 {
                        let x = cx - width / 2 + width * (Double(a) + 0.5) / 8
                        let y = cy - height / 2 + height * (Double(b) + 0.5) / 8
                        if landscape.baseCover(x, y).landCover == .denseVegetation { dense += 1 }
                    }
                }
                let score = abs(Double(dense) / 64 - 0.6)
                if score < best.score { best = (cx, cy, score) }
            }
        }
        return (best.x, best.y)
    }

    static func round6(_ v: Double) -> Double { (v * 1e6).rounded() / 1e6 }
    static func roundSig(_ v: Double) -> Double {
        guard v != 0 else { return 0 }
        let e = pow(10, 7 - (log10(abs(v))).rounded(.up))
        return (v * e).rounded() / e
    }

    static func dayString(_ d: Date) -> String {
        String(ISO8601.format(d).prefix(10)).replacingOccurrences(of: "-", with: "")
    }

    static func dayOfYear(_ d: Date) -> Double {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        return Double(cal.ordinality(of: .day, in: .year, for: d) ?? 1)
    }
}
