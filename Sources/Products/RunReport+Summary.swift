public import RasterCore
public import Analysis

/// Aggregates derived from a `RunReport`: every figure the renderers print comes from here, so
/// JSON, CSV, Markdown and HTML cannot disagree.
extension RunReport {
    /// Hectares per class for one place and acquisition date (tiles without a date are grouped under `undated`,
    /// tiles without a place under `unplaced`).
    public struct DateAreas: Sendable, Equatable {
        /// The place (`PlaceInfo.name`).
        public var place: String
        public var date: String
        /// (class, hectares, percent of the classified area of that place and date), in class-code order.
        public var rows: [(info: ClassInfo, hectares: Double, percent: Double)]
        public static func == (a: DateAreas, b: DateAreas) -> Bool {
            a.place == b.place && a.date == b.date && a.rows.map(\.info) == b.rows.map(\.info) && a.rows.map(\.hectares) == b.rows.map(\.hectares)
        }
    }

    /// The place label of a tile entry.
    static func placeName(_ t: TileEntry) -> String { t.place ?? "unplaced" }

    /// The merged result of the processed (done or unchanged) tiles of each place and date, sorted by place then
    /// date: figures of two places are never added.
    public var resultsByPlaceAndDate: [(place: String, date: String, result: TileResult)] {
        var groups: [String: [String: [TileResult]]] = [:]
        for t in tiles where t.status != .failed {
            if let r = t.result { groups[Self.placeName(t), default: [:]][r.date ?? "undated", default: []].append(r) }
        }
        return groups.keys.sorted().flatMap { p in
            groups[p]!.keys.sorted().compactMap { d in TileResult.merged(groups[p]![d]!).map { (p, d, $0) } }
        }
    }

    /// Class areas per place and date, summed over the tiles of that place and date that were processed.
    public var areasByDate: [DateAreas] {
        resultsByPlaceAndDate.compactMap { place, date, result in
            guard let counts = result.classes else { return nil }
            let ha = classes.map { counts.hectares(of: UInt8(clamping: $0.code)) }
            let total = ha.reduce(0, +)
            return DateAreas(place: place, date: date, rows: zip(classes, ha).map { ($0, $1, total > 0 ? 100 * $1 / total : 0) })
        }
    }

    /// Mean of `index` per place and dated date over the processed tiles of that place and date (merged accumulators).
    public func series(of index: String) -> [(place: String, date: String, mean: Double, count: Int)] {
        resultsByPlaceAndDate.compactMap { place, date, result in
            guard date != "undated", let a = result.indices[index], a.count > 0 else { return nil }
            return (place, date, a.mean, a.count)
        }
    }

    /// The places in `series(of:)` order with their points.
    public func seriesByPlace(of index: String) -> [(place: String, points: [(date: String, mean: Double, count: Int)])] {
        var out: [(place: String, points: [(date: String, mean: Double, count: Int)])] = []
        for p in series(of: index) {
            if out.last?.place == p.place { out[out.count - 1].points.append((p.date, p.mean, p.count)) }
            else { out.append((p.place, [(p.date, p.mean, p.count)])) }
        }
        return out
    }

    /// Run-wide statistics per index, merged from the processed tiles.
    public var indexTotals: [(name: String, statistics: BandStatistics.Accumulator)] {
        let all = TileResult.merged(tiles.filter { $0.status != .failed }.compactMap(\.result))?.indices ?? [:]
        return all.keys.sorted().map { ($0, all[$0]!) }
    }

    /// Counts of tiles by status; failed = every failure entry (a failed tile, file or pair once each).
    public var statusCounts: (done: Int, skipped: Int, failed: Int) {
        (tiles.filter { $0.status == .done }.count, tiles.filter { $0.status == .skipped }.count, failures.count)
    }

    /// Alerts worth a reader's attention first: disaster results above `none`, most severe first.
    public var alerts: [DisasterEntry] {
        let rank = ["emergency": 3, "warning": 2, "watch": 1]
        return disasters.filter { (rank[$0.alert] ?? 0) > 0 }.sorted { (rank[$0.alert] ?? 0) > (rank[$1.alert] ?? 0) }
    }

    /// An alert in one line: level, place, affected hectares, centroid, rule.
    public func alertLine(_ d: DisasterEntry) -> String {
        var s = "\(d.alert.uppercased()): \(d.name)"
        if let p = d.place { s += " at \(p)" }
        s += " — \(ReportNumber.ha(d.affectedHectares)) ha"
        if !d.centroidText.isEmpty { s += ", centred at \(d.centroidText) (lat, lon)" }
        return s + " — \(d.rule)"
    }

    /// The class info for a code (a grey placeholder when the legend lacks it).
    public func classInfo(_ code: Int) -> ClassInfo {
        classes.first { $0.code == code } ?? ClassInfo(code: code, name: "class \(code)", color: "#999999")
    }
}

/// Number formatting shared by every renderer (fixed decimals, no locale, no exponent).
enum ReportNumber {
    /// Hectares with two decimals.
    static func ha(_ v: Double) -> String { fixed(v, 2) }
    /// Percent with one decimal.
    static func pct(_ v: Double) -> String { fixed(v, 1) }
    /// An index value with four decimals.
    static func index(_ v: Double) -> String { fixed(v, 4) }

    static func fixed(_ v: Double, _ digits: Int) -> String {
        guard v.isFinite else { return "" }
        var p = 1.0
        for _ in 0..<digits { p *= 10 }
        let r = (abs(v) * p).rounded() / p
        let neg = v < 0 && r != 0
        let whole = Int64(r)
        var frac = String(Int64(((r - Double(whole)) * p).rounded()))
        while frac.count < digits { frac = "0" + frac }
        return (neg ? "-" : "") + String(whole) + (digits > 0 ? "." + frac : "")
    }
}
