import Foundation
import RasterCore
import Products

/// One layer of the web map: a product of the run (an index, the class map, a change or disaster map) with its
/// dates, each date mosaicking the COGs of every tile, and the palette that colours it.
public struct MapLayer: Sendable {
    /// How values become colours.
    public enum Style: Sendable {
        /// A continuous product on a ramp (`range`: the default stretch, nil = the ramp's own domain).
        case ramp(ColorRamp, range: ClosedRange<Double>?)
        /// A class map: its colour table and class names.
        case classes(ColorTable, names: [Int: String], nodata: Int?)
        /// A true-colour picture: bands 1–3 drawn as red, green and blue as they are, nodata transparent.
        case trueColor
    }

    /// The URL name (`ndvi`, `landuse`, `flood`).
    public let name: String
    /// A human title (`NDVI`, `Land use`, `Flood`).
    public let title: String
    /// `index`, `classes`, `truecolor` (the RGB picture of `outputs.rgb`) or `pair` (a two-date product: change or
    /// disaster map).
    public let kind: String
    /// Sources per date key (`2025-06-02`, or `2025-06-02_2025-06-18` for two-date products).
    public let dates: [String: [SourceRaster]]
    /// The palette.
    public let style: Style

    /// The date keys, oldest first.
    public var dateKeys: [String] { dates.keys.sorted() }

    /// A layer; the style comes from the first source (colour table → classes, else the index's quicklook ramp).
    init(name: String, title: String, kind: String, dates: [String: [SourceRaster]]) {
        self.name = name; self.title = title; self.kind = kind; self.dates = dates
        let first = dates.keys.sorted().first.flatMap { dates[$0]?.first }
        if let first, let table = first.colorTable {
            style = .classes(table, names: first.classNames, nodata: first.nodata.map { Int($0) })
        } else if let first, first.isTrueColor {
            style = .trueColor
        } else {
            let (ramp, range) = ColorRamp.forIndex(name)
            style = .ramp(ramp, range: range)
        }
    }

    /// The ramp that colours this layer's values: the continuous ramp stretched over `rescale` (or the default
    /// range), or a categorical ramp of the class codes with their names and table colours (for legends).
    public func legendRamp(rescale: ClosedRange<Double>? = nil) -> ColorRamp {
        switch style {
        case let .ramp(ramp, range):
            guard let r = rescale ?? range else { return ramp }
            var stretched = ramp.stretched(to: r)
            stretched.title = title
            return stretched
        case let .classes(table, names, nodata):
            var stops = [ColorRamp.Stop]()
            for code in names.keys.sorted() where code != nodata && code < table.entries.count {
                stops.append(ColorRamp.Stop(Double(code), color: table.entries[code], names[code] ?? "class \(code)"))
            }
            if stops.isEmpty { stops = [ColorRamp.Stop(Double(nodata ?? 0), color: RGBA(0, 0, 0, 0), "no data")] }
            return ColorRamp(name: name, title: title, stops: stops, interpolation: .categorical, nodataCode: nodata)
        case .trueColor:
            // What each channel shows; the stretch is each tile's own (its band items STRETCH_MINIMUM/MAXIMUM).
            let stretch = "\(Int(TrueColorStretch.lowPercent))–\(Int(TrueColorStretch.highPercent)) % per tile"
            return ColorRamp(name: name, title: title, stops: [
                ColorRamp.Stop(1, color: RGBA(255, 0, 0), "red band, \(stretch)"),
                ColorRamp.Stop(2, color: RGBA(0, 255, 0), "green band, \(stretch)"),
                ColorRamp.Stop(3, color: RGBA(0, 0, 255), "blue band, \(stretch)"),
            ], interpolation: .categorical, nodataCode: nil)
        }
    }

    /// The layer's footprint in WGS84 degrees (west, south, east, north) over every date.
    public var lonLatBounds: (west: Double, south: Double, east: Double, north: Double) {
        let all = dates.values.flatMap { $0 }.map(\.lonLatBounds)
        return (all.map(\.west).min() ?? 0, all.map(\.south).min() ?? 0, all.map(\.east).max() ?? 0, all.map(\.north).max() ?? 0)
    }
}
