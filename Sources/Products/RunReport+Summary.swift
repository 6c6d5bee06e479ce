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

    /// Land-use areas per date, summed over the tiles of that date that were processed (done or skipped).
    public var areasByDate: [DateAreas] {
        let processed = tiles.filter { $0.status != .failed && !$0.classPixels.isEmpty }
        let dates = Set(processed.map { $0.date ?? "undated" }).sorted()
        return dates.map { date in
            let group = processed.filter { ($0.date ?? "undated") == date }
            let ha = classes.map { c in group.reduce(0.0) { $0 + $1.hectares(ofClass: c.code) } }
            let total = ha.reduce(0, +)
            return DateAreas(date: date, rows: zip(classes, ha).map { ($0, $1, total > 0 ? 100 * $1 / total : 0) })
        }
    }

    /// Mean of `index` per date over every processed tile of that date (from merged sums).
    public func series(of index: String) -> [(date: String, mean: Double, count: Int)] {
        var byDate: [String: IndexSums] = [:]
        for t in tiles where t.status != .failed {
            guard let s = t.indices[index], let d = t.date else { continue }
            byDate[d, default: IndexSums()].merge(s)
        }
        return byDate.keys.sorted().compactMap { d in byDate[d]!.mean.map { (d, $0, byDate[d]!.count) } }
    }

    /// Run-wide statistics per index, merged from the tiles.
    public var indexTotals: [(name: String, sums: IndexSums)] {
        var all: [String: IndexSums] = [:]
        for t in tiles where t.status != .failed { for (k, v) in t.indices { all[k, default: IndexSums()].merge(v) } }
        return all.keys.sorted().map { ($0, all[$0]!) }
    }

    /// Counts of tiles by status.
    public var statusCounts: (done: Int, skipped: Int, failed: Int) {
        (tiles.filter { $0.status == .done }.count, tiles.filter { $0.status == .skipped }.count,
         tiles.filter { $0.status == .failed }.count + failures.filter { f in !tiles.contains { $0.id == f.path } }.count)
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
