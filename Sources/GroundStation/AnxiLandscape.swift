import Foundation

/// The simulator's model of the Anxi area (EPSG:32650 metres): terrain, rivers and reservoirs, towns,
/// paddies, tea hills and forest, and the disaster events that change them. Everything is a pure function of
/// (seed, x, y), so tiles are independent and seamless.
///
/// - Terrain: elevation e = 40 m + v·(30 + h·1000·max(0, f − 0.33)) with f = fbm(2.5 km, 4 octaves),
///   h = smoothstep(0.37, 0.49, f) and v = smoothstep(400 m, 2500 m, d), d the distance to the river: a flat
///   valley floor along the river, flat basins where f is low, steep hills (slopes 10–35°) elsewhere.
/// - River: centre line y = Py + 800·sin((x − Px)/2500) + 400·(fbm − 0.5), half-width 45–80 m (the Xixi at Anxi is 100–200 m wide).
/// - Reservoir: a noisy disc of radius ≈ 450 m centred 2.2 km east and 2.4 km north of P.
/// - Towns: the county town (radius ≈ 650 m, 1.6 km west of P on the valley floor) and villages on a 1.8 km
///   lattice (45 % of cells, radius 120–230 m), built only where the slope is below 10°.
/// - Valley floor (e < 110 m, slope < 7°): paddies/cropland, with fallow or construction bare-soil patches.
/// - Hills: tea plantations on lower slopes (e < 420 m) where a 1.2 km noise field is high, forest elsewhere,
///   bare soil/rock where a fine noise field is highest.
public struct AnxiLandscape: Sendable {
    /// Land-cover material and class at a point.
    public struct Cover: Sendable, Equatable {
        /// Surface material.
        public var material: SpectralLibrary.Material
        /// Truth class.
        public var landCover: LandCoverClass
        /// True when the pixel was changed by the event.
        public var eventAffected: Bool
    }

    /// Disaster kinds.
    public enum Event: String, Sendable, CaseIterable { case flood, fire, landslide, drought }

    /// The anchor point P: 118.2°E 25.1°N in UTM 50N, rounded to 10 m.
    public static let anchor = (x: 621_000.0, y: 2_776_560.0)

    let seed: UInt64
    let terrainNoise, riverNoise, teaNoise, bareNoise, townNoise, lakeNoise, eventNoise: NoiseField

    /// A landscape for `seed`.
    public init(seed: UInt64) {
        self.seed = seed
        let base = NoiseField(seed: seed)
        terrainNoise = base.derived(1); riverNoise = base.derived(2); teaNoise = base.derived(3)
        bareNoise = base.derived(4); townNoise = base.derived(5); lakeNoise = base.derived(6); eventNoise = base.derived(7)
    }

    @inline(__always) static func smoothstep(_ a: Double, _ b: Double, _ x: Double) -> Double {
        let t = min(1, max(0, (x - a) / (b - a)))
        return t * t * (3 - 2 * t)
    }

    /// Signed north-south offset from the river centre line (metres).
    func riverOffset(_ x: Double, _ y: Double) -> Double {
        let (px, py) = Self.anchor
        let centre = py + 800 * sin((x - px) / 2500) + 400 * (riverNoise.fbm(x, 0, scale: 4000, octaves: 3) - 0.5)
        return y - centre
    }

    /// Distance to the river (approximate: vertical offset scaled by the centre line's slope).
    public func riverDistance(_ x: Double, _ y: Double) -> Double {
        let (px, _) = Self.anchor
        let slope = 800 / 2500 * cos((x - px) / 2500)
        return abs(riverOffset(x, y)) / (1 + slope * slope).squareRoot()
    }

    /// Elevation in metres.
    public func elevation(_ x: Double, _ y: Double) -> Double {
        let v = Self.smoothstep(400, 2500, riverDistance(x, y))
        let f = terrainNoise.fbm(x, y, scale: 2500, octaves: 4)
        let hill = Self.smoothstep(0.37, 0.49, f)
        return 40 + v * (30 + hill * 1000 * max(0, f - 0.33))
    }

    /// Slope (degrees) and aspect (degrees clockwise from north, the downhill direction) by central
    /// differences over ±`h` metres.
    public func slopeAspect(_ x: Double, _ y: Double, h: Double = 10) -> (slope: Double, aspect: Double) {
        let dzdx = (elevation(x + h, y) - elevation(x - h, y)) / (2 * h)
        let dzdy = (elevation(x, y + h) - elevation(x, y - h)) / (2 * h)
        let slope = atan((dzdx * dzdx + dzdy * dzdy).squareRoot()) * 180 / .pi
        var aspect = atan2(-dzdx, -dzdy) * 180 / .pi
        if aspect < 0 { aspect += 360 }
        return (slope, aspect)
    }

    func inReservoir(_ x: Double, _ y: Double) -> Bool {
        let (px, py) = Self.anchor
        let dx = x - (px + 2200), dy = y - (py + 2400)
        let r = 450 * (0.8 + 0.4 * lakeNoise.fbm(x, y, scale: 600, octaves: 2))
        return dx * dx + dy * dy < r * r
    }

    func inTown(_ x: Double, _ y: Double) -> Bool {
        let (px, py) = Self.anchor
        let tdx = x - (px - 1600), tdy = y - (py - 700)
        let tr = 650 * (0.75 + 0.5 * townNoise.fbm(x, y, scale: 500, octaves: 2))
        if tdx * tdx + tdy * tdy < tr * tr { return true }
        let cell = 1800.0
        let ci = Int((x / cell).rounded(.down)), cj = Int((y / cell).rounded(.down))
        for di in -1...1 {
            for dj in -1...1 {
                let h = townNoise.lattice(ci + di, cj + dj)
                guard h < 0.45 else { continue }
                let cx = (Double(ci + di) + 0.2 + 0.6 * townNoise.derived(11).lattice(ci + di, cj + dj)) * cell
                let cy = (Double(cj + dj) + 0.2 + 0.6 * townNoise.derived(12).lattice(ci + di, cj + dj)) * cell
                let r = 120 + 110 * townNoise.derived(13).lattice(ci + di, cj + dj)
                let dx = x - cx, dy = y - cy
                if dx * dx + dy * dy < r * r && elevation(cx, cy) < 130 { return true }
            }
        }
        return false
    }

    /// The undisturbed land cover at a point.
    public func baseCover(_ x: Double, _ y: Double) -> Cover {
        let halfWidth = 45 + 35 * riverNoise.fbm(x, y, scale: 800, octaves: 2)
        if riverDistance(x, y) < halfWidth || inReservoir(x, y) { return Cover(material: .water, landCover: .water, eventAffected: false) }
        let e = elevation(x, y)
        let slope = slopeAspect(x, y).slope
        if slope < 10 && inTown(x, y) { return Cover(material: .builtUp, landCover: .builtUp, eventAffected: false) }
        let bare = bareNoise.fbm(x, y, scale: 700, octaves: 3)
        if e < 110 && slope < 7 {
            if bare > 0.70 { return Cover(material: .redSoil, landCover: .bareSoil, eventAffected: false) }
            return Cover(material: .greenCrop, landCover: .cropland, eventAffected: false)
        }
        if bare > 0.74 { return Cover(material: .redSoil, landCover: .bareSoil, eventAffected: false) }
        if e < 420 && teaNoise.fbm(x, y, scale: 1200, octaves: 3) > 0.52 {
            return Cover(material: .tea, landCover: .denseVegetation, eventAffected: false)
        }
        return Cover(material: .forest, landCover: .denseVegetation, eventAffected: false)
    }

    /// Where an event strikes, chosen once per scene from its extent.
    public struct EventSite: Sendable {
        /// Centre (metres).
        public var x: Double, y: Double
        /// Radius (metres).
        public var radius: Double
    }

    /// The event site inside the extent [x0, x1] × [y0, y1]: for fire the densest forest (highest
    /// elevation on a 24×24 search lattice), for a landslide the steepest area, for floods and drought the
    /// extent centre. The radius is 30 % of the smaller extent side.
    public func eventSite(_ event: Event, x0: Double, y0: Double, x1: Double, y1: Double) -> EventSite {
        let radius = 0.3 * min(x1 - x0, y1 - y0)
        var best = (x: (x0 + x1) / 2, y: (y0 + y1) / 2, score: -Double.infinity)
        if event == .fire || event == .landslide {
            for i in 0..<24 {
                for j in 0..<24 {
                    let x = x0 + radius + (x1 - x0 - 2 * radius) * (Double(i) + 0.5) / 24
                    let y = y0 + radius + (y1 - y0 - 2 * radius) * (Double(j) + 0.5) / 24
                    let s = event == .fire ? elevation(x, y) : slopeAspect(x, y, h: 30).slope
                    if s > best.score { best = (x, y, s) }
                }
            }
        }
        return EventSite(x: best.x, y: best.y, radius: radius)
    }

    /// Land cover after `event` at `site` (intensity in [0, 1] where relevant).
    public func cover(_ x: Double, _ y: Double, event: Event?, site: EventSite?) -> Cover {
        var c = baseCover(x, y)
        guard let event, let site else { return c }
        let dx = x - site.x, dy = y - site.y
        let r = (dx * dx + dy * dy).squareRoot() / site.radius
        switch event {
        case .flood:
            // The river overflows onto its floodplain: valley-floor pixels (below 60 m) closer to the river
            // than a noisy reach of 250–650 m flood.
            let reach = 250 + 400 * eventNoise.fbm(x, y, scale: 1500, octaves: 3)
            if c.landCover != .water && riverDistance(x, y) < reach && elevation(x, y) < 60 {
                c = Cover(material: .turbidWater, landCover: .water, eventAffected: true)
            }
        case .fire:
            let edge = 0.75 + 0.5 * eventNoise.fbm(x, y, scale: 400, octaves: 3)
            if c.landCover == .denseVegetation && r < edge {
                c = Cover(material: .burnScar, landCover: .bareSoil, eventAffected: true)
            }
        case .landslide:
            let sa = slopeAspect(x, y)
            if (c.landCover == .denseVegetation || c.landCover == .cropland) && sa.slope > 18 && r < 1.2
                && eventNoise.fbm(x, y, scale: 250, octaves: 3) > 0.55 {
                c = Cover(material: .landslideScar, landCover: .bareSoil, eventAffected: true)
            }
        case .drought:
            if (c.landCover == .denseVegetation || c.landCover == .cropland) && droughtIntensity(x, y, site: site) > 0.5 {
                c.eventAffected = true
            }
        }
        return c
    }

    /// Drought stress in [0, 1]: strongest at the site centre, fading with a noisy edge.
    public func droughtIntensity(_ x: Double, _ y: Double, site: EventSite) -> Double {
        let dx = x - site.x, dy = y - site.y
        let r = (dx * dx + dy * dy).squareRoot() / (site.radius * 1.6)
        return max(0, min(1, 1.3 - r + 0.4 * (eventNoise.fbm(x, y, scale: 1500, octaves: 3) - 0.5)))
    }
}
