/// Statistics of one band over its valid samples, as `gdalinfo -stats` reports them (population stddev).
public struct BandStatistics: Sendable, Equatable, Codable {
    public var minimum: Double
    public var maximum: Double
    public var mean: Double
    /// Population standard deviation (GDAL's convention).
    public var standardDeviation: Double
    /// Number of valid samples.
    public var validCount: Int
    /// Number of all samples.
    public var totalCount: Int

    /// Percentage of valid samples (GDAL's `STATISTICS_VALID_PERCENT`).
    public var validPercent: Double { totalCount == 0 ? 0 : 100 * Double(validCount) / Double(totalCount) }

    /// Streaming accumulator (Welford), mergeable so that per-chunk or per-shard partials combine exactly.
    public struct Accumulator: Sendable, Equatable, Codable {
        public var count = 0
        public var invalid = 0
        public var mean = 0.0
        public var m2 = 0.0
        public var minimum = Double.infinity
        public var maximum = -Double.infinity
        /// An empty accumulator.
        public init() {}
        /// Adds one valid value.
        @inlinable public mutating func add(_ v: Double) {
            count += 1
            let d = v - mean
            mean += d / Double(count)
            m2 += d * (v - mean)
            if v < minimum { minimum = v }
            if v > maximum { maximum = v }
        }
        /// Counts one invalid sample.
        @inlinable public mutating func addInvalid() { invalid += 1 }
        /// Merges another accumulator (Chan et al. parallel variance).
        public mutating func merge(_ o: Accumulator) {
            guard o.count > 0 else { invalid += o.invalid; return }
            guard count > 0 else { let inv = invalid; self = o; invalid += inv; return }
            let n = count + o.count
            let d = o.mean - mean
            m2 += o.m2 + d * d * Double(count) * Double(o.count) / Double(n)
            mean += d * Double(o.count) / Double(n)
            count = n
            invalid += o.invalid
            minimum = Swift.min(minimum, o.minimum)
            maximum = Swift.max(maximum, o.maximum)
        }
        /// The statistics so far (zeros when there is no valid sample).
        public var result: BandStatistics {
            BandStatistics(minimum: count > 0 ? minimum : 0, maximum: count > 0 ? maximum : 0, mean: count > 0 ? mean : 0,
                           standardDeviation: count > 0 ? (m2 / Double(count)).squareRoot() : 0,
                           validCount: count, totalCount: count + invalid)
        }
    }
}
