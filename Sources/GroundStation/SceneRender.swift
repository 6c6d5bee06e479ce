import RasterCore
import Foundation
import Dispatch

/// Renders simulated tiles of one scene (one date): see `Simulator` for the radiometric model.
///
/// A tile's rows are rendered in parallel (chunks of rows on every core). The sensor noise stays the one
/// sequential SplitMix64 stream of the tile: every pixel draws exactly `2 × bands` numbers (Box–Muller, also
/// outside the footprint), so a chunk starting at pixel p starts the generator at state `seed + 2·bands·p·γ`
/// (SplitMix64 is a Weyl sequence: state_k = seed + k·γ) and the bytes equal those of a serial render.
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

    /// Reflectance per band in `SpectralLibrary.bandNames` order (lane 7 unused), without heap allocation.
    typealias Spectrum = SIMD8<Double>

    /// Sub-pixel sample offsets in pixels: land cover is sampled at 2×2 points per pixel.
    static let subPixels: [(Double, Double)] = [(-0.25, 0.25), (0.25, 0.25), (-0.25, -0.25), (0.25, -0.25)]
    /// Step of the slope's central differences (metres), as `AnxiLandscape.slopeAspect`'s default.
    static let slopeStep = 10.0
    /// Cloud noise: feature scale (metres) and octaves.
    static let cloudScale = 2500.0, cloudOctaves = 5

    /// Cloud opacity α in [0, 1] at a point.
    func cloudAlpha(_ x: Double, _ y: Double) -> Double {
        cloudAlpha(NoiseField(seed: cloudSeed).fbm(x, y, scale: Self.cloudScale, octaves: Self.cloudOctaves))
    }

    @inline(__always) func cloudAlpha(_ n: Double) -> Double {
        AnxiLandscape.smoothstep(cloudThreshold, cloudThreshold + 0.015, n)
    }

    /// Cosine and sine of the swath's 9° rotation.
    static let swathRotation = (cos: cos(9 * Double.pi / 180), sin: sin(9 * Double.pi / 180))

    /// True inside the swath: a rectangle rotated 9° from north (`rotation` = `swathRotation`), 7 % narrower
    /// than the scene across track.
    @inline(__always) func inFootprint(_ x: Double, _ y: Double, rotation r: (cos: Double, sin: Double)) -> Bool {
        let dx = x - footprint.cx, dy = y - footprint.cy
        let u = dx * r.cos - dy * r.sin, v = dx * r.sin + dy * r.cos
        return abs(u) < footprint.hw * 0.93 && abs(v) < footprint.hh * 1.2
    }

    static func spectrum(_ m: SpectralLibrary.Material) -> Spectrum { spectra[m.rawValue] }

    private static let spectra: [Spectrum] = SpectralLibrary.Material.allCases.map { vector(SpectralLibrary.spectrum($0)) }

    static func vector(_ values: [Double]) -> Spectrum {
        var s = Spectrum()
        for (i, v) in values.prefix(8).enumerated() { s[i] = v }
        return s
    }

    /// Surface reflectance of a cover at a point (band order of `SpectralLibrary.bandNames`).
    func surface(_ c: AnxiLandscape.Cover, _ x: Double, _ y: Double, land: AnxiLandscape) -> Spectrum {
        var s = Self.spectrum(c.material)
        switch c.material {
        case .greenCrop:
            // Field parcels (~60 m × 40 m) each with its own sowing offset (±12 days) and vigour.
            let pi = Int((x / 60).rounded(.down)), pj = Int((y / 40).rounded(.down))
            let u = land.bareNoise.derived(97).lattice(pi, pj)
            let g = min(1, SpectralLibrary.cropGreenFraction(doy: doy - 24 * (u - 0.5)) * (0.8 + 0.3 * u))
            let p = Self.spectrum(.paddyFlooded)
            for b in 0..<7 { s[b] = g * s[b] + (1 - g) * p[b] }
        case .tea:
            s[4] += 0.03 * SpectralLibrary.teaFlush(doy: doy)
            let soil = 0.12 * land.noise(.teaSoil, x, y)
            let red = Self.spectrum(.redSoil)
            for b in 0..<7 { s[b] = (1 - soil) * s[b] + soil * red[b] }
        default: break
        }
        if event == .drought, let site, c.landCover == .denseVegetation || c.landCover == .cropland {
            let i = land.droughtIntensity(x, y, site: site)
            s[2] *= 1 + 0.8 * i; s[3] *= 1 + 0.2 * i; s[4] *= 1 - 0.35 * i; s[5] *= 1 + 0.3 * i; s[6] *= 1 + 0.4 * i
        }
        if c.landCover == .denseVegetation || c.landCover == .cropland || c.landCover == .bareSoil {
            let texture = 0.92 + 0.16 * land.noise(.texture, x, y)
            for b in 0..<7 { s[b] = s[b] * texture }
        }
        return s
    }

    func render(originX: Double, originY: Double, size n: Int, noiseSeed: UInt64) -> TileResult {
        let nb = bands.count
        var dn = [UInt16](repeating: 0, count: n * n * nb)
        var truth = [UInt8](repeating: 0, count: n * n)
        var eventTruth = [UInt8](repeating: 255, count: n * n)
        let az = sun.azimuth * .pi / 180
        // Shadow: the cloud that shades (x, y) sits at the point 1500 m up toward the sun.
        let shadowLength = 1500 / tan(sun.elevation * .pi / 180)
        let sdx = shadowLength * sin(az), sdy = shadowLength * cos(az)
        // Every abscissa the landscape is asked about: pixel and sub-pixel centres and their slope-step neighbours.
        let h = Self.slopeStep
        var columns = [Double]()
        columns.reserveCapacity(n * 9)
        for col in 0..<n {
            let x = originX + (Double(col) + 0.5) * resolution
            for sx in [x, x + -0.25 * resolution, x + 0.25 * resolution] { columns += [sx, sx + h, sx - h] }
        }
        let margin = resolution + h
        let x0 = originX - margin, x1 = originX + Double(n) * resolution + margin
        let y0 = originY - Double(n) * resolution - margin, y1 = originY + margin
        let land = landscape.prepared(x0: x0, y0: y0, x1: x1, y1: y1, columns: columns)
        let cloud = FBMTable(NoiseField(seed: cloudSeed), scale: Self.cloudScale, octaves: Self.cloudOctaves,
                             x0: min(x0, x0 + sdx), y0: min(y0, y0 + sdy), x1: max(x1, x1 + sdx), y1: max(y1, y1 + sdy))
        let rowsPerChunk = max(1, min(16, n / 8))
        let chunks = (n + rowsPerChunk - 1) / rowsPerChunk
        dn.withUnsafeMutableBufferPointer { dnBuf in
            truth.withUnsafeMutableBufferPointer { truthBuf in
                eventTruth.withUnsafeMutableBufferPointer { eventBuf in
                    let out = Output(dn: dnBuf, truth: truthBuf, event: eventBuf)
                    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                        let rows = (chunk * rowsPerChunk)..<min(n, (chunk + 1) * rowsPerChunk)
                        renderRows(rows, size: n, originX: originX, originY: originY, noiseSeed: noiseSeed,
                                   land: land, cloud: cloud, shadow: (sdx, sdy), into: out)
                    }
                }
            }
        }
        return TileResult(dn: dn, truth: truth, eventTruth: eventTruth)
    }

    /// The tile's output buffers; chunks write disjoint rows.
    private struct Output: @unchecked Sendable {
        let dn: UnsafeMutableBufferPointer<UInt16>
        let truth: UnsafeMutableBufferPointer<UInt8>
        let event: UnsafeMutableBufferPointer<UInt8>
    }

    /// The generator of a tile's noise stream advanced by `draws` numbers (SplitMix64's state moves by γ per draw).
    static func noiseGenerator(seed: UInt64, skipping draws: Int) -> SplitMix64 {
        SplitMix64(seed: seed &+ UInt64(draws) &* 0x9E37_79B9_7F4A_7C15)
    }

    private func renderRows(_ rows: Range<Int>, size n: Int, originX: Double, originY: Double, noiseSeed: UInt64,
                            land: AnxiLandscape, cloud: FBMTable, shadow: (dx: Double, dy: Double), into out: Output) {
        let nb = bands.count
        var rng = Self.noiseGenerator(seed: noiseSeed, skipping: rows.lowerBound * n * nb * 2)
        let bandIndex = bands.map { SpectralLibrary.bandNames.firstIndex(of: $0.commonName)! }
        let zen = (90 - sun.elevation) * .pi / 180, az = sun.azimuth * .pi / 180
        let cosZen = cos(zen), sinZen = sin(zen)
        let sinE = sin(sun.elevation * .pi / 180)
        let sigma = profile.saturation! <= 4095 ? 0.003 : 0.002
        let cloudSpec = Self.spectrum(.cloud), path = Self.vector(SpectralLibrary.pathReflectance)
        let m = profile.defaultScale, a = profile.defaultOffset, sat = profile.saturation!
        let cloudCode = LandCoverClass.cloud.rawValue, shadowCode = LandCoverClass.cloudShadow.rawValue
        let rotation = Self.swathRotation
        for row in rows {
            for col in 0..<n {
                let x = originX + (Double(col) + 0.5) * resolution, y = originY - (Double(row) + 0.5) * resolution
                let p = row * n + col
                guard inFootprint(x, y, rotation: rotation) else {
                    for _ in 0..<nb { _ = rng.nextGaussian() }
                    continue
                }
                var spec = Spectrum()
                var votes = SIMD16<Int32>()
                var affected = 0
                var first: UInt8 = 0
                for k in 0..<4 {
                    let (ox, oy) = Self.subPixels[k]
                    let sx = x + ox * resolution, sy = y + oy * resolution
                    let c = land.cover(sx, sy, event: event, site: site)
                    let s = surface(c, sx, sy, land: land)
                    for b in 0..<7 { spec[b] += 0.25 * s[b] }
                    votes[Int(c.landCover.rawValue)] += 1
                    if c.eventAffected { affected += 1 }
                    if k == 0 { first = c.landCover.rawValue }
                }
                var cls = first
                for i in 0..<9 where votes[i] > votes[Int(cls)] { cls = UInt8(i) }
                let sa = land.slopeAspect(x, y)
                let sl = sa.slope * .pi / 180, asp = sa.aspect * .pi / 180
                let cosI = cos(sl) * cosZen + sin(sl) * sinZen * cos(az - asp)
                let shade = cloudAlpha(cloud.fbm(x + shadow.dx, y + shadow.dy))
                let alpha = cloudAlpha(cloud.fbm(x, y))
                let light = min(1.6, 0.65 * max(0, cosI) / cosZen * (1 - shade) + 0.35 * (1 - 0.3 * shade))
                if alpha > 0.2 { cls = cloudCode }
                else if shade > 0.2 { cls = shadowCode }
                out.truth[p] = cls
                out.event[p] = affected >= 2 ? 1 : 0
                for bi in 0..<nb {
                    let li = bandIndex[bi]
                    var rho = spec[li] * light + path[li]
                    rho = (1 - alpha) * rho + alpha * cloudSpec[li]
                    rho += sigma * rng.nextGaussian()
                    let v = ((rho * sinE - a) / m).rounded()
                    out.dn[bi * n * n + p] = UInt16(max(1, min(sat, v)))
                }
            }
        }
    }
}
