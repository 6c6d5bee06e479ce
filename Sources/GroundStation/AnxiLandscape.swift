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
    /// Precomputed noise for one tile's area (`prepared(x0:y0:x1:y1:columns:)`); nil for the point-by-point model.
    let tables: LandscapeTables?

    /// A landscape for `seed`.
    public init(seed: UInt64) {
        self.seed = seed
        let base = NoiseField(seed: seed)
        terrainNoise = base.derived(1); riverNoise = base.derived(2); teaNoise = base.derived(3)
        bareNoise = base.derived(4); townNoise = base.derived(5); lakeNoise = base.derived(6); eventNoise = base.derived(7)
        tables = nil
    }

    private init(_ other: AnxiLandscape, tables: LandscapeTables) {
        seed = other.seed
        terrainNoise = other.terrainNoise; riverNoise = other.riverNoise; teaNoise = other.teaNoise
        bareNoise = other.bareNoise; townNoise = other.townNoise; lakeNoise = other.lakeNoise; eventNoise = other.eventNoise
        self.tables = tables
    }

    /// The same landscape with its noise precomputed for points in [x0, x1] × [y0, y1] and the river profile for
    /// the abscissae `columns` (every x a caller will ask about, e.g. the pixel and sub-pixel centres of a tile
    /// and their ± slope-step neighbours). Every answer is bit-identical to the unprepared landscape's, only faster.
    func prepared(x0: Double, y0: Double, x1: Double, y1: Double, columns: [Double]) -> AnxiLandscape {
        AnxiLandscape(self, tables: LandscapeTables(self, x0: x0, y0: y0, x1: x1, y1: y1, columns: columns))
    }

    /// The fractal noise layers of the model: field, feature scale (metres) and octaves of each.
    enum Layer: Int, CaseIterable {
        case riverCentre, riverWidth, terrain, lake, town, bare, tea, eventWide, fireEdge, landslide, texture, teaSoil

        var scale: Double {
            switch self {
            case .riverCentre: 4000
            case .riverWidth: 800
            case .terrain: 2500
            case .lake: 600
            case .town: 500
            case .bare: 700
            case .tea: 1200
            case .eventWide: 1500
            case .fireEdge: 400
            case .landslide: 250
            case .texture: 120
            case .teaSoil: 60
            }
        }

        var octaves: Int {
            switch self {
            case .terrain: 4
            case .lake, .town, .riverWidth, .texture, .teaSoil: 2
            case .riverCentre, .bare, .tea, .eventWide, .fireEdge, .landslide: 3
            }
        }

        func field(_ l: AnxiLandscape) -> NoiseField {
            switch self {
            case .riverCentre, .riverWidth: l.riverNoise
            case .terrain: l.terrainNoise
            case .lake: l.lakeNoise
            case .town: l.townNoise
            case .bare: l.bareNoise
            case .tea: l.teaNoise
            case .eventWide, .fireEdge, .landslide: l.eventNoise
            case .texture: l.teaNoise.derived(99)
            case .teaSoil: l.bareNoise.derived(98)
            }
        }
    }

    /// The noise of `layer` at (x, y): from the tables when prepared, else computed.
    @inline(__always) func noise(_ layer: Layer, _ x: Double, _ y: Double) -> Double {
        if let tables { return tables.layers[layer.rawValue].fbm(x, y) }
        return layer.field(self).fbm(x, y, scale: layer.scale, octaves: layer.octaves)
    }

    @inline(__always) static func smoothstep(_ a: Double, _ b: Double, _ x: Double) -> Double {
        let t = min(1, max(0, (x - a) / (b - a)))
        return t * t * (3 - 2 * t)
    }

    /// Signed north-south offset from the river centre line (metres).
    func riverOffset(_ x: Double, _ y: Double) -> Double {
        y - riverColumn(x).centre
    }

    /// Distance to the river (approximate: vertical offset scaled by the centre line's slope).
    public func riverDistance(_ x: Double, _ y: Double) -> Double {
        let column = riverColumn(x)
        return abs(y - column.centre) / column.norm
    }

    /// The river line at one abscissa: the centre line's y and √(1 + slope²) of the line there.
    struct RiverColumn: Sendable {
        var centre: Double, norm: Double
    }

    @inline(__always) func riverColumn(_ x: Double) -> RiverColumn {
        if let c = tables?.river(x) { return c }
        return computeRiverColumn(x)
    }

    func computeRiverColumn(_ x: Double) -> RiverColumn {
        let (px, py) = Self.anchor
        let centre = py + 800 * sin((x - px) / 2500) + 400 * (noise(.riverCentre, x, 0) - 0.5)
        let slope = 800 / 2500 * cos((x - px) / 2500)
        return RiverColumn(centre: centre, norm: (1 + slope * slope).squareRoot())
    }

    /// Elevation in metres.
    public func elevation(_ x: Double, _ y: Double) -> Double {
        let v = Self.smoothstep(400, 2500, riverDistance(x, y))
        let f = noise(.terrain, x, y)
        let hill = Self.smoothstep(0.37, 0.49, f)
        return 40 + v * (30 + hill * 1000 * max(0, f - 0.33))
    }

    /// Slope (degrees) and aspect (degrees clockwise from north, the downhill direction) by central
    /// differences over ±`h` metres.
    public func slopeAspect(_ x: Double, _ y: Double, h: Double = 10) -> (slope: Double, aspect: Double) {
        let g = gradient(x, y, h: h)
        var aspect = atan2(-g.dzdx, -g.dzdy) * 180 / .pi
        if aspect < 0 { aspect += 360 }
        return (Self.slopeDegrees(g), aspect)
    }

    /// The slope of `slopeAspect(x, y, h:)` alone (degrees), without the aspect.
    func slope(_ x: Double, _ y: Double, h: Double = 10) -> Double { Self.slopeDegrees(gradient(x, y, h: h)) }

    /// Central differences of the elevation over ±`h` metres.
    @inline(__always) func gradient(_ x: Double, _ y: Double, h: Double) -> (dzdx: Double, dzdy: Double) {
        ((elevation(x + h, y) - elevation(x - h, y)) / (2 * h), (elevation(x, y + h) - elevation(x, y - h)) / (2 * h))
    }

    @inline(__always) static func slopeDegrees(_ g: (dzdx: Double, dzdy: Double)) -> Double {
        atan((g.dzdx * g.dzdx + g.dzdy * g.dzdy).squareRoot()) * 180 / .pi
    }

    func inReservoir(_ x: Double, _ y: Double) -> Bool {
        let (px, py) = Self.anchor
        let dx = x - (px + 2200), dy = y - (py + 2400)
        let r = 450 * (0.8 + 0.4 * noise(.lake, x, y))
        return dx * dx + dy * dy < r * r
    }

    func inTown(_ x: Double, _ y: Double) -> Bool {
        let (px, py) = Self.anchor
        let tdx = x - (px - 1600), tdy = y - (py - 700)
        let tr = 650 * (0.75 + 0.5 * noise(.town, x, y))
        if tdx * tdx + tdy * tdy < tr * tr { return true }
        let cell = Self.villageCell
        let ci = Int((x / cell).rounded(.down)), cj = Int((y / cell).rounded(.down))
        for di in -1...1 {
            for dj in -1...1 {
                guard let v = tables?.village(ci + di, cj + dj) ?? village(ci + di, cj + dj) else { continue }
                let dx = x - v.x, dy = y - v.y
                if dx * dx + dy * dy < v.radius * v.radius && (v.low ?? (elevation(v.x, v.y) < 130)) { return true }
            }
        }
        return false
    }

    /// Side of the village lattice (metres).
    static let villageCell = 1800.0

    /// A village candidate of the 1.8 km lattice: centre, radius and (when known) whether its centre lies
    /// below 130 m, where villages are built.
    struct Village: Sendable {
        var x: Double, y: Double, radius: Double
        var low: Bool?
    }

    /// The village of lattice cell (ci, cj), nil for the 55 % of cells without one; `low` is left unknown
    /// (the caller evaluates the elevation only when a point falls inside the village).
    func village(_ ci: Int, _ cj: Int) -> Village? {
        let h = townNoise.lattice(ci, cj)
        guard h < 0.45 else { return nil }
        let cell = Self.villageCell
        let cx = (Double(ci) + 0.2 + 0.6 * townNoise.derived(11).lattice(ci, cj)) * cell
        let cy = (Double(cj) + 0.2 + 0.6 * townNoise.derived(12).lattice(ci, cj)) * cell
        let r = 120 + 110 * townNoise.derived(13).lattice(ci, cj)
        return Village(x: cx, y: cy, radius: r, low: nil)
    }

    /// The undisturbed land cover at a point.
    public func baseCover(_ x: Double, _ y: Double) -> Cover {
        let halfWidth = 45 + 35 * noise(.riverWidth, x, y)
        if riverDistance(x, y) < halfWidth || inReservoir(x, y) { return Cover(material: .water, landCover: .water, eventAffected: false) }
        let e = elevation(x, y)
        // The slope costs four elevations: it is only evaluated where a rule needs it (every function here is
        // pure, so the order of the tests does not change the answer).
        if inTown(x, y) && slope(x, y) < 10 { return Cover(material: .builtUp, landCover: .builtUp, eventAffected: false) }
        let bare = noise(.bare, x, y)
        if e < 110 && slope(x, y) < 7 {
            if bare > 0.70 { return Cover(material: .redSoil, landCover: .bareSoil, eventAffected: false) }
            return Cover(material: .greenCrop, landCover: .cropland, eventAffected: false)
        }
        if bare > 0.74 { return Cover(material: .redSoil, landCover: .bareSoil, eventAffected: false) }
        if e < 420 && noise(.tea, x, y) > 0.52 {
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
            let reach = 250 + 400 * noise(.eventWide, x, y)
            if c.landCover != .water && riverDistance(x, y) < reach && elevation(x, y) < 60 {
                c = Cover(material: .turbidWater, landCover: .water, eventAffected: true)
            }
        case .fire:
            let edge = 0.75 + 0.5 * noise(.fireEdge, x, y)
            if c.landCover == .denseVegetation && r < edge {
                c = Cover(material: .burnScar, landCover: .bareSoil, eventAffected: true)
            }
        case .landslide:
            if (c.landCover == .denseVegetation || c.landCover == .cropland) && r < 1.2
                && noise(.landslide, x, y) > 0.55 && slope(x, y) > 18 {
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
        return max(0, min(1, 1.3 - r + 0.4 * (noise(.eventWide, x, y) - 0.5)))
    }
}
