import Foundation

/// What `tilepipe simulate` is asked to produce.
public struct SimulationConfig: Sendable, Equatable {
    /// Seed of every random choice (landscape, clouds, noise). Same seed → identical bytes.
    public var seed: UInt64
    /// A station satellite: `Huaxiangyuan-1`, `Anxi Tieguanyin-1` or `Anxi Tieguanyin-2`.
    public var satellite: String
    /// Tile rows of the scene.
    public var rows: Int
    /// Tile columns of the scene.
    public var columns: Int
    /// Tile side in pixels.
    public var size: Int
    /// Number of acquisition dates.
    public var dates: Int
    /// Land-cover change between the dates, if any (happens between date ⌊N/2⌋−1 and ⌊N/2⌋).
    public var event: AnxiLandscape.Event?

    /// A configuration; `dates` defaults to 2 when an event is given.
    public init(seed: UInt64 = 1, satellite: String = "Huaxiangyuan-1", rows: Int = 2, columns: Int = 2, size: Int = 256,
                dates: Int? = nil, event: AnxiLandscape.Event? = nil) {
        self.seed = seed
        self.satellite = satellite
        self.rows = rows
        self.columns = columns
        self.size = size
        self.dates = dates ?? (event == nil ? 1 : 2)
        self.event = event
    }

    /// Checks ranges; throws `SimulationError.invalid` naming the option.
    public func validate() throws {
        guard let p = SensorCatalog.profile(forSatellite: satellite), p.isModel else {
            throw SimulationError.invalid(option: "--satellite", reason: "'\(satellite)' is not a station satellite (Huaxiangyuan-1, Anxi Tieguanyin-1, Anxi Tieguanyin-2)")
        }
        guard (1...64).contains(rows), (1...64).contains(columns) else {
            throw SimulationError.invalid(option: "--grid", reason: "rows and columns must be in 1...64")
        }
        guard (16...4096).contains(size) else { throw SimulationError.invalid(option: "--size", reason: "must be in 16...4096") }
        guard (1...48).contains(dates) else { throw SimulationError.invalid(option: "--dates", reason: "must be in 1...48") }
        if event != nil && dates < 2 { throw SimulationError.invalid(option: "--dates", reason: "an event needs at least 2 dates") }
    }

    /// Index of the first post-event date.
    public var eventDateIndex: Int { max(1, dates / 2) }

    /// The satellite's display name (`Huaxiangyuan-1`, `Anxi Tieguanyin-2`).
    public var satelliteName: String {
        let n = satellite.lowercased()
        if n.contains("2") && (n.contains("tieguanyin") || n.contains("tgy")) { return "Anxi Tieguanyin-2" }
        if n.contains("tieguanyin") || n.contains("tgy") { return "Anxi Tieguanyin-1" }
        return "Huaxiangyuan-1"
    }

    /// Short scene-id prefix (`HXY1`, `TGY1`, `TGY2`).
    public var shortName: String {
        switch satelliteName {
        case "Anxi Tieguanyin-1": "TGY1"
        case "Anxi Tieguanyin-2": "TGY2"
        default: "HXY1"
        }
    }

    /// Acquisition time of date `i`: 02:40 UTC (10:40 local, a sun-synchronous morning pass), starting on a
    /// day suited to the event (fire: January dry season; flood/landslide: June rains; drought: September),
    /// then every 16 days for event pairs or every 365/N days (at least 16) for a series.
    public func acquisition(_ i: Int) -> Date {
        let start: String
        switch event {
        case .fire: start = "2025-01-08T02:40:00Z"
        case .flood, .landslide: start = "2025-06-02T02:40:00Z"
        case .drought: start = "2025-08-20T02:40:00Z"
        case nil: start = "2025-03-01T02:40:00Z"
        }
        let step = event != nil ? 16 : max(16, 365 / dates)
        return ISO8601.parse(start)!.addingTimeInterval(Double(i * step) * 86400)
    }
}

/// Errors of the simulator, naming the option or file.
public enum SimulationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A bad option value.
    case invalid(option: String, reason: String)
    /// A file could not be written.
    case write(file: String, reason: String)

    /// One line.
    public var description: String {
        switch self {
        case .invalid(let o, let r): "\(o): \(r)"
        case .write(let f, let r): "\(f): \(r)"
        }
    }
}
