public import RasterCore
import GroundStation

/// A colour ramp: how a product's values become colours in quicklooks, legends and class-map palettes.
///
/// - `.linear`: colours interpolate linearly (per sRGB channel, rounded) between neighbouring stops; values
///   below the first stop take its colour, above the last the last colour.
/// - `.stepped`: a value takes the colour of the last stop whose value is ≤ it (stops are lower bounds;
///   below the first stop → the first colour). For thresholded indices such as dNBR.
/// - `.categorical`: integer class codes; a code takes its stop's colour, unknown codes are transparent.
///
/// NaN (nodata) is always transparent. The ramps are documented in `docs/products.md`.
public struct ColorRamp: Sendable, Equatable {
    /// How values between stops are coloured.
    public enum Interpolation: String, Sendable, Codable { case linear, stepped, categorical }

    /// One stop: a value (lower bound for stepped, code for categorical), its colour and its legend label.
    public struct Stop: Sendable, Equatable, Codable {
        /// The value: lower bound (stepped), class code (categorical) or stop position (linear).
        public var value: Double
        /// The colour at this stop.
        public var color: RGBA
        /// The legend label (class name); may be empty.
        public var label: String
        /// A stop.
        public init(_ value: Double, _ hex: String, _ label: String = "") {
            self.init(value, color: RGBA(hex: hex) ?? RGBA(0, 0, 0), label)
        }
        /// A stop from a colour value.
        public init(_ value: Double, color: RGBA, _ label: String = "") {
            self.value = value
            self.color = color
            self.label = label
        }
    }

    /// The ramp's name (`ndvi`, `landuse`, ...).
    public var name: String
    /// A legend title (`NDVI`, `Land use`, ...).
    public var title: String
    /// Stops, sorted by value.
    public var stops: [Stop]
    /// How stops are applied.
    public var interpolation: Interpolation
    /// For categorical ramps: the code that means nodata (transparent, not in the legend).
    public var nodataCode: Int?

    /// A ramp from stops (sorted here).
    public init(name: String, title: String, stops: [Stop], interpolation: Interpolation, nodataCode: Int? = nil) {
        precondition(!stops.isEmpty, "a ramp needs at least one stop")
        self.name = name
        self.title = title
        self.stops = stops.sorted { $0.value < $1.value }
        self.interpolation = interpolation
        self.nodataCode = nodataCode
    }

    /// The value range the stops span (the legend's range for linear ramps).
    public var domain: ClosedRange<Double> { stops.first!.value...stops.last!.value }

    /// The colour of `value`, or nil (transparent) for NaN, infinities, the nodata code and unknown codes.
    public func color(_ value: Double) -> RGBA? {
        guard value.isFinite else { return nil }
        switch interpolation {
        case .categorical:
            if let nodataCode, value == Double(nodataCode) { return nil }
            return stops.first { $0.value == value }?.color
        case .stepped:
            var c = stops[0].color
            for s in stops where s.value <= value { c = s.color }
            return c
        case .linear:
            if value <= stops[0].value { return stops[0].color }
            for i in 1..<stops.count where value <= stops[i].value {
                let a = stops[i - 1], b = stops[i]
                let t = b.value == a.value ? 1 : (value - a.value) / (b.value - a.value)
                return RGBA(Self.mix(a.color.r, b.color.r, t), Self.mix(a.color.g, b.color.g, t), Self.mix(a.color.b, b.color.b, t),
                            Self.mix(a.color.a, b.color.a, t))
            }
            return stops.last!.color
        }
    }

    /// One channel between two stops: `x + (y − x)·t` rounded (t in 0…1); `x` itself when the stops agree, which is
    /// what the formula gives then.
    @inline(__always) static func mix(_ x: UInt8, _ y: UInt8, _ t: Double) -> UInt8 {
        x == y ? x : roundedByte(Double(x) + (Double(y) - Double(x)) * t)
    }

    /// `UInt8(v.rounded())` (half away from zero) for a channel value `v` in 0…255, without libm's `round` call:
    /// `v − ⌊v⌋` is exact, so the comparison with ½ decides as `round` does. (A per-pixel `round` was a visible
    /// share of quicklook rendering.)
    @inline(__always) static func roundedByte(_ v: Double) -> UInt8 {
        guard v >= 0, v <= 255 else { return UInt8(v.rounded()) }
        let i = Int(v)   // truncation = floor for v ≥ 0
        return UInt8(v - Double(i) >= 0.5 ? i + 1 : i)
    }

    /// The codes and names of a categorical ramp (nodata excluded), in code order.
    public var classNames: [(code: Int, name: String)] {
        guard interpolation == .categorical else { return [] }
        return stops.filter { Int($0.value) != nodataCode }.map { (Int($0.value), $0.label) }
    }

    /// A 256-entry palette for a UInt8 class map: class colours opaque, nodata and unused codes transparent black.
    public var colorTable: ColorTable {
        var entries = [RGBA](repeating: RGBA(0, 0, 0, 0), count: 256)
        for s in stops where s.value >= 0 && s.value < 256 && s.value == s.value.rounded() && Int(s.value) != nodataCode {
            entries[Int(s.value)] = s.color
        }
        return ColorTable(entries: entries)
    }

    /// The built-in ramp called `name` (case-insensitive; see `ColorRamp.builtIn`).
    public static func named(_ name: String) throws -> ColorRamp {
        let key = name.lowercased()
        guard let ramp = builtIn.first(where: { $0.name == key }) else {
            throw ProductsError.missingResource(name: name, reason: "unknown colour ramp; known: \(builtIn.map(\.name).joined(separator: ", "))")
        }
        return ramp
    }

    /// The ramp (and, for ramps without a fixed physical domain, the value range it is stretched over) that
    /// quicklooks and served tiles use for an index: NDVI-like indices (ndvi, evi, savi, ndmi, nbr) on `.ndvi`,
    /// water indices (ndwi, mndwi) on `.water`, anything else on `.viridis` over −1…1.
    public static func forIndex(_ name: String) -> (ramp: ColorRamp, range: ClosedRange<Double>?) {
        switch name.lowercased() {
        case "ndvi", "evi", "savi", "ndmi", "nbr": (.ndvi, nil)
        case "ndwi", "mndwi": (.water, nil)
        default: (.viridis, -1...1)
        }
    }

    /// The same colours spread over `range` instead of the ramp's own domain (a linear ramp whose first stop moves
    /// to `range.lowerBound` and last to `range.upperBound`), as a quicklook with `Options.range` or a served tile
    /// with `?rescale=min,max` draws it. Stepped and categorical ramps, and empty ranges, are returned unchanged.
    public func stretched(to range: ClosedRange<Double>) -> ColorRamp {
        guard interpolation == .linear, range.upperBound > range.lowerBound else { return self }
        let d = domain, span = d.upperBound - d.lowerBound
        guard span > 0 else { return self }
        var r = self
        r.stops = stops.map { s in
            var t = s
            t.value = range.lowerBound + (s.value - d.lowerBound) / span * (range.upperBound - range.lowerBound)
            return t
        }
        return r
    }

    /// Every built-in ramp.
    public static let builtIn: [ColorRamp] = [.ndvi, .viridis, .water, .dnbr, .burnSeverity, .landUse]

    /// NDVI, −1…1: the Copernicus HR-VPP / Sentinel Hub YlGn-style ramp (ecosystem.md §1.5). A single-hue
    /// sequential ramp (white → yellow → green) ordered by lightness, so it stays readable with red–green colour
    /// blindness, unlike RdYlGn.
    public static let ndvi = ColorRamp(name: "ndvi", title: "NDVI", stops: [
        Stop(-1, "#FFFFFF"), Stop(-0.5, "#FEFEF3"), Stop(0, "#FFFFE5"), Stop(0.1, "#F7FCB9"), Stop(0.2, "#D9F0A3"),
        Stop(0.35, "#ADDD8E"), Stop(0.5, "#78C679"), Stop(0.65, "#41AB5D"), Stop(0.8, "#238443"), Stop(0.9, "#006837"),
        Stop(1, "#004529"),
    ], interpolation: .linear)

    /// Viridis, 0…1 (9 samples of matplotlib's viridis): perceptually uniform and colour-blind-safe; the
    /// alternative for any continuous product.
    public static let viridis = ColorRamp(name: "viridis", title: "Value", stops: [
        Stop(0, "#440154"), Stop(0.125, "#472D7B"), Stop(0.25, "#3B528B"), Stop(0.375, "#2C728E"), Stop(0.5, "#21918C"),
        Stop(0.625, "#28AE80"), Stop(0.75, "#5EC962"), Stop(0.875, "#ADDC30"), Stop(1, "#FDE725"),
    ], interpolation: .linear)

    /// Water indices (NDWI, MNDWI), −1…1: ColorBrewer BrBG-like brown (dry) → white (0, the usual water
    /// threshold) → blue (water). Diverging brown/blue is colour-blind-safe.
    public static let water = ColorRamp(name: "water", title: "Water index", stops: [
        Stop(-1, "#8C510A"), Stop(-0.3, "#D8B365"), Stop(0, "#F5F5F5"), Stop(0.2, "#C6DBEF"), Stop(0.5, "#4292C6"),
        Stop(1, "#08306B"),
    ], interpolation: .linear)

    /// dNBR (unscaled), stepped at the USGS / Key & Benson thresholds with the UN-SPIDER palette (domain.md §4.3).
    /// The palette is the field's standard and is kept as published; it is not colour-blind-safe
    /// (green vs orange), so the legend labels each class.
    public static let dnbr = ColorRamp(name: "dnbr", title: "dNBR burn severity", stops: [
        Stop(-2, "#7a8737", "Enhanced regrowth, high"), Stop(-0.25, "#acbe4d", "Enhanced regrowth, low"),
        Stop(-0.1, "#0ae042", "Unburned"), Stop(0.1, "#fff70b", "Low severity"),
        Stop(0.27, "#ffaf38", "Moderate-low severity"), Stop(0.44, "#ff641b", "Moderate-high severity"),
        Stop(0.66, "#a41fd6", "High severity"),
    ], interpolation: .stepped)

    /// Burn-severity class codes 1…7 (the dNBR classes in the order above; 0 = nodata), UN-SPIDER colours.
    public static let burnSeverity = ColorRamp(name: "burn-severity", title: "Burn severity", stops: [
        Stop(0, "#000000", "No data"),
        Stop(1, "#7a8737", "Enhanced regrowth, high"), Stop(2, "#acbe4d", "Enhanced regrowth, low"),
        Stop(3, "#0ae042", "Unburned"), Stop(4, "#fff70b", "Low severity"), Stop(5, "#ffaf38", "Moderate-low severity"),
        Stop(6, "#ff641b", "Moderate-high severity"), Stop(7, "#a41fd6", "High severity"),
    ], interpolation: .categorical, nodataCode: 0)

    /// Land use: GroundStation's `LandCoverClass` scheme (codes 0 nodata … 8 snow) with its colour-blind-aware
    /// palette and legend labels, so class maps, quicklooks and reports agree with the truth files.
    public static let landUse = ColorRamp(name: "landuse", title: "Land use", stops: LandCoverClass.allCases.map {
        Stop(Double($0.rawValue), color: RGBA($0.color.r, $0.color.g, $0.color.b), $0.label)
    }, interpolation: .categorical, nodataCode: 0)
}
