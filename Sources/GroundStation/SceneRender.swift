import RasterCore
import Foundation

/// Renders simulated tiles of one scene (one date): see `Simulator` for the radiometric model.
struct SceneRender: Sendable {
    let landscape: AnxiLandscape
    let bands: [SensorBand]
    let profile: SensorProfile
    let resolution: Double
    let sun: (elevation: Double, azimuth: Double)
    let doy: Double
    let cloudSeed: UInt64
    let cloudThreshold: Double
    let event: AnxiLandscape.Event?
    let site: AnxiLandscape.EventSite?
    /// Scene centre and half extents (metres) of the swath.
    let footprint: (cx: Double, cy: Double, hw: Double, hh: Double)

    struct TileResult: Sendable {
        var dn: [UInt16]
        var truth: [UInt8]
        var eventTruth: [UInt8]
    }

    /// Cloud opacity α in [0, 1] at a point.
    func cloudAlpha(_ x: Double, _ y: Double) -> Double {
        let n = NoiseField(seed: cloudSeed).fbm(x, y, scale: 2500, octaves: 5)
        return AnxiLandscape.smoothstep(cloudThreshold, cloudThreshold + 0.015, n)
    }

    /// True inside the swath: a rectangle rotated 9° from north, 7 % narrower than the scene across track.
    func inFootprint(_ x: Double, _ y: Double) -> Bool {
        let th = 9 * Double.pi / 180
        let dx = x - footprint.cx, dy = y - footprint.cy
        let u = dx * cos(th) - dy * sin(th), v = dx * sin(th) + dy * cos(th)
        return abs(u) < footprint.hw * 0.93 && abs(v) < footprint.hh * 1.2
    }

    /// Surface reflectance of a cover at a point (band order of `SpectralLibrary.bandNames`).
    func surface(_ c: AnxiLandscape.Cover, _ x: Double, _ y: Double) -> [Double] {
        var s = SpectralLibrary.spectrum(c.material)
        let texture = 0.92 + 0.16 * landscape.teaNoise.derived(99).fbm(x, y, scale: 120, octaves: 2)
        switch c.material {
        case .greenCrop:
            // Field parcels (~60 m × 40 m) each with its own sowing offset (±12 days) and vigour.
            let pi = Int((x / 60).rounded(.down)), pj = Int((y / 40).rounded(.down))
            let u = landscape.bareNoise.derived(97).lattice(pi, pj)
            let g = min(1, SpectralLibrary.cropGreenFraction(doy: doy - 24 * (u - 0.5)) * (0.8 + 0.3 * u))
            let p = SpectralLibrary.spectrum(.paddyFlooded)
            s = zip(s, p).map { g * $0 + (1 - g) * $1 }
        case .tea:
            s[4] += 0.03 * SpectralLibrary.teaFlush(doy: doy)
            let soil = 0.12 * landscape.bareNoise.derived(98).fbm(x, y, scale: 60, octaves: 2)
            s = zip(s, SpectralLibrary.spectrum(.redSoil)).map { (1 - soil) * $0 + soil * $1 }
        default: break
        }
        if event == .drought, let site, c.landCover == .denseVegetation || c.landCover == .cropland {
            let i = landscape.droughtIntensity(x, y, site: site)
            s[2] *= 1 + 0.8 * i; s[3] *= 1 + 0.2 * i; s[4] *= 1 - 0.35 * i; s[5] *= 1 + 0.3 * i; s[6] *= 1 + 0.4 * i
        }
        if c.landCover == .denseVegetation || c.landCover == .cropland || c.landCover == .bareSoil {
            s = s.map { $0 * texture }
        }
        return s
    }

    func render(originX: Double, originY: Double, size n: Int, noiseSeed: UInt64) -> TileResult {
        var rng = SplitMix64(seed: noiseSeed)
        let nb = bands.count
        let bandIndex = bands.map { SpectralLibrary.bandNames.firstIndex(of: $0.commonName)! }
        var dn = [UInt16](repeating: 0, count: n * n * nb)
        var truth = [UInt8](repeating: 0, count: n * n)
        var eventTruth = [UInt8](repeating: 255, count: n * n)
        let zen = (90 - sun.elevation) * .pi / 180, az = sun.azimuth * .pi / 180
        let sinE = sin(sun.elevation * .pi / 180)
        // Shadow: the cloud that shades (x, y) sits at the point 1500 m up toward the sun.
        let shadowLength = 1500 / tan(sun.elevation * .pi / 180)
        let sdx = shadowLength * sin(az), sdy = shadowLength * cos(az)
        let sigma = profile.saturation! <= 4095 ? 0.003 : 0.002
        let cloudSpec = SpectralLibrary.spectrum(.cloud)
        let m = profile.defaultScale, a = profile.defaultOffset, sat = profile.saturation!
        for row in 0..<n {
            for col in 0..<n {
                let x = originX + (Double(col) + 0.5) * resolution, y = originY - (Double(row) + 0.5) * resolution
                let p = row * n + col
                guard inFootprint(x, y) else {
                    for _ in 0..<nb { _ = rng.nextGaussian() }
                    continue
                }
                var spec = [Double](repeating: 0, count: 7)
                var votes = [Int](repeating: 0, count: 9)
                var affected = 0
                var first: UInt8 = 0
                for (k, (ox, oy)) in [(-0.25, 0.25), (0.25, 0.25), (-0.25, -0.25), (0.25, -0.25)].enumerated() {
                    let sx = x + ox * resolution, sy = y + oy * resolution
                    let c = landscape.cover(sx, sy, event: event, site: site)
                    let s = surface(c, sx, sy)
                    for b in 0..<7 { spec[b] += 0.25 * s[b] }
                    votes[Int(c.landCover.rawValue)] += 1
                    if c.eventAffected { affected += 1 }
                    if k == 0 { first = c.landCover.rawValue }
                }
                var cls = first
                for (i, v) in votes.enumerated() where v > votes[Int(cls)] { cls = UInt8(i) }
                let sa = landscape.slopeAspect(x, y)
                let sl = sa.slope * .pi / 180, asp = sa.aspect * .pi / 180
                let cosI = cos(sl) * cos(zen) + sin(sl) * sin(zen) * cos(az - asp)
                let shade = cloudAlpha(x + sdx, y + sdy)
                let alpha = cloudAlpha(x, y)
                let light = min(1.6, 0.65 * max(0, cosI) / cos(zen) * (1 - shade) + 0.35 * (1 - 0.3 * shade))
                if alpha > 0.2 { cls = LandCoverClass.cloud.rawValue }
                else if shade > 0.2 { cls = LandCoverClass.cloudShadow.rawValue }
                truth[p] = cls
                eventTruth[p] = affected >= 2 ? 1 : 0
                for (bi, li) in bandIndex.enumerated() {
                    var rho = spec[li] * light + SpectralLibrary.pathReflectance[li]
                    rho = (1 - alpha) * rho + alpha * cloudSpec[li]
                    rho += sigma * rng.nextGaussian()
                    let v = ((rho * sinE - a) / m).rounded()
                    dn[bi * n * n + p] = UInt16(max(1, min(sat, v)))
                }
            }
        }
        return TileResult(dn: dn, truth: truth, eventTruth: eventTruth)
    }
}
