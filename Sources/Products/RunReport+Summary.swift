public import RasterCore
public import Analysis

/// Aggregates derived from a `RunReport`: every figure the renderers print comes from here, so
/// JSON, CSV, Markdown and HTML cannot disagree.
extension RunReport {
    /// Hectares per class for one acquisition date (tiles without a date are grouped under `undated`).
    public struct DateAreas: Sendable, Equatable {
        public var date: String
        /// (class, hectares, percent of the classified area of that date), in class-code order.
        public var rows: [(info: ClassInfo, hectares: Double, percent: Double)]
        public static func == (a: DateAreas, b: DateAreas) -> Bool {
            a.date == b.date && a.rows.map(\.info) == b.rows.map(\.info) && a.rows.map(\.hectares) == b.rows.map(\.hectares)
        }
    }

    /// The merged result of the processed (done or unchanged) tiles of each date (`undated` for tiles without one).
    public var resultsByDate: [(date: String, result: TileResult)] {
        var byDate: [String: [TileResult]] = [:]
        for t in tiles where t.status != .failed { if let r = t.result { byDate[r.date ?? "undated", default: []].append(r) } }
        return byDate.keys.sorted().compactMap { d in TileResult.merged(byDate[d]!).map { (d, $0) } }
    }

    /// Class areas per date, summed over the tiles of that date that were processed (done or unchanged).
    public var areasByDate: [DateAreas] {
        resultsByDate.compactMap { date, result in
            guard let counts = result.classes else { return nil }
            let ha = classes.map { counts.hectares(of: UInt8(clamping: $0.code)) }
            let total = ha.reduce(0, +)
            return DateAreas(date: date, rows: zip(classes, ha).map { ($0, $1, total > 0 ? 100 * $1 / total : 0) })
        }
    }

    /// Mean of `index` per dated date over every processed tile of that date (from merged accumulators).
    public func series(of index: String) -> [(date: String, mean: Double, count: Int)] {
        resultsByDate.compactMap { date, result in
            guard date != "undated", let a = result.indices[index], a.count > 0 else { return nil }
            return (date, a.mean, a.count)
        }
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
