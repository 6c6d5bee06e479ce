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

    /// Streaming accumulator (Welford per sample; chunked two-pass over a buffer), mergeable so that per-chunk
    /// or per-shard partials combine exactly.
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
        /// The accumulator of every valid sample of `samples`: finite and not equal to `nodata` (a NaN `nodata`
        /// adds nothing, non-finite samples are invalid anyway). The same figures as `add` per sample, computed
        /// fast: per chunk of 4096 samples, one pass for count, sum, minimum and maximum and a second, cache-hot
        /// pass for the squared deviations from the chunk mean (two-pass, so no cancellation), each with four
        /// independent accumulators so no loop-carried division or addition chain stalls the pipeline; the chunks
        /// then merge by Chan's formula. Welford's update waits on a dependent division per sample; in the NDVI bench
        /// job this pass costs about 2.4 ns per sample against about 7 ns for Welford plus a second pass for the
        /// report sums (docs/performance.md), and it is at least as accurate.
        @inlinable
        public init<S: RasterSample>(samples: UnsafeBufferPointer<S>, nodata: Double?) {
            self.init()
            let nd = nodata ?? .nan   // v != NaN holds for every v
            let chunk = 4096
            var start = 0
            if S.self == Float.self, let base = samples.baseAddress {   // index planes: the same figures in SIMD lanes
                base.withMemoryRebound(to: Float.self, capacity: samples.count) { f in
                    while start < samples.count {
                        let end = Swift.min(start + chunk, samples.count)
                        merge(Self.floatChunk(f, start, end, nodata: nd))
                        start = end
                    }
                }
                return
            }
            while start < samples.count {
                let end = Swift.min(start + chunk, samples.count)
                // Pass 1: count, sum, extremes of the valid samples (four lanes).
                var n0 = 0, n1 = 0, n2 = 0, n3 = 0
                var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
                var lo0 = Double.infinity, lo1 = Double.infinity, lo2 = Double.infinity, lo3 = Double.infinity
                var hi0 = -Double.infinity, hi1 = -Double.infinity, hi2 = -Double.infinity, hi3 = -Double.infinity
                @inline(__always) func valid(_ v: Double) -> Bool { v.isFinite && v != nd }
                var i = start
                while i + 4 <= end {
                    let a = samples[i].doubleValue, b = samples[i + 1].doubleValue
                    let c = samples[i + 2].doubleValue, d = samples[i + 3].doubleValue
                    if valid(a) { n0 += 1; s0 += a; lo0 = Swift.min(lo0, a); hi0 = Swift.max(hi0, a) }
                    if valid(b) { n1 += 1; s1 += b; lo1 = Swift.min(lo1, b); hi1 = Swift.max(hi1, b) }
                    if valid(c) { n2 += 1; s2 += c; lo2 = Swift.min(lo2, c); hi2 = Swift.max(hi2, c) }
                    if valid(d) { n3 += 1; s3 += d; lo3 = Swift.min(lo3, d); hi3 = Swift.max(hi3, d) }
                    i += 4
                }
                while i < end {
                    let a = samples[i].doubleValue
                    if valid(a) { n0 += 1; s0 += a; lo0 = Swift.min(lo0, a); hi0 = Swift.max(hi0, a) }
                    i += 1
                }
                let lo = Swift.min(Swift.min(lo0, lo1), Swift.min(lo2, lo3))
                let hi = Swift.max(Swift.max(hi0, hi1), Swift.max(hi2, hi3))
                let n = n0 + n1 + n2 + n3
                var part = Accumulator()
                part.invalid = (end - start) - n
                if n > 0 {
                    let mean = ((s0 + s1) + (s2 + s3)) / Double(n)
                    // Pass 2: squared deviations from the chunk mean.
                    var q0 = 0.0, q1 = 0.0, q2 = 0.0, q3 = 0.0
                    i = start
                    while i + 4 <= end {
                        let a = samples[i].doubleValue, b = samples[i + 1].doubleValue
                        let c = samples[i + 2].doubleValue, d = samples[i + 3].doubleValue
                        if valid(a) { q0 += (a - mean) * (a - mean) }
                        if valid(b) { q1 += (b - mean) * (b - mean) }
                        if valid(c) { q2 += (c - mean) * (c - mean) }
                        if valid(d) { q3 += (d - mean) * (d - mean) }
                        i += 4
                    }
                    while i < end {
                        let a = samples[i].doubleValue
                        if valid(a) { q0 += (a - mean) * (a - mean) }
                        i += 1
                    }
                    part.count = n; part.mean = mean; part.m2 = (q0 + q1) + (q2 + q3)
                    part.minimum = lo; part.maximum = hi
                }
                merge(part)
                start = end
            }
        }

        /// `init(samples:nodata:)`'s accumulator of one chunk `f[start, end)` of Float samples, bit for bit: the four
        /// lanes of its scalar loop (sample i in lane i mod 4 of each group of four; the last `count % 4` in lane 0)
        /// as the lanes of SIMD vectors. Validity, extremes and counts are exact in Float (a sample equals `nodata`
        /// as a Double only when `nodata` is a Float value); sums and squared deviations are Double per lane, added
        /// in the same order.
        @inlinable
        static func floatChunk(_ f: UnsafePointer<Float>, _ start: Int, _ end: Int, nodata nd: Double) -> Accumulator {
            let ndF = Float(nd), hasNodata = Double(ndF) == nd   // false for NaN and for values no Float equals
            let ndv = SIMD4<Float>(repeating: ndF), zero = SIMD4<Float>(repeating: 0)
            @inline(__always) func valid(_ v: SIMD4<Float>) -> SIMDMask<SIMD4<Int32>> {
                let finite = (v - v) .== zero   // ∞ − ∞ and NaN − NaN are NaN
                return hasNodata ? finite .& (v .!= ndv) : finite
            }
            @inline(__always) func valid(_ v: Float) -> Bool { v.isFinite && !(hasNodata && v == ndF) }
            var n = SIMD4<Int32>(repeating: 0)
            var sLow = SIMD2<Double>(repeating: 0), sHigh = SIMD2<Double>(repeating: 0)   // lanes 0, 1 and 2, 3
            var lo = SIMD4<Float>(repeating: .infinity), hi = SIMD4<Float>(repeating: -.infinity)
            var i = start
            while i + 4 <= end {
                let v = UnsafeRawPointer(f + i).loadUnaligned(as: SIMD4<Float>.self)
                let ok = valid(v)
                n &+= SIMD4<Int32>(repeating: 0).replacing(with: 1, where: ok)
                let d = SIMD4<Float>(repeating: 0).replacing(with: v, where: ok)   // +0 adds nothing to a sum from +0
                sLow += SIMD2<Double>(d.lowHalf)
                sHigh += SIMD2<Double>(d.highHalf)
                lo.replace(with: v, where: ok .& (v .< lo))    // Swift.min(lo, v) is v only when smaller,
                hi.replace(with: v, where: ok .& (v .>= hi))   // Swift.max(hi, v) is v when not smaller (±0)
                i += 4
            }
            var n0 = Int(n[0]), s0 = sLow[0], lo0 = Double(lo[0]), hi0 = Double(hi[0])
            while i < end {
                let a = f[i]
                if valid(a) { n0 += 1; s0 += Double(a); lo0 = Swift.min(lo0, Double(a)); hi0 = Swift.max(hi0, Double(a)) }
                i += 1
            }
            let count = n0 + Int(n[1]) + Int(n[2]) + Int(n[3])
            var part = Accumulator()
            part.invalid = (end - start) - count
            guard count > 0 else { return part }
            let mean = ((s0 + sLow[1]) + (sHigh[0] + sHigh[1])) / Double(count)
            let m = SIMD2<Double>(repeating: mean), zero2 = SIMD2<Double>(repeating: 0), ndd = SIMD2<Double>(repeating: nd)
            @inline(__always) func valid(_ x: SIMD2<Double>) -> SIMDMask<SIMD2<Int64>> { (x - x) .== zero2 .& (x .!= ndd) }
            var qLow = zero2, qHigh = zero2
            i = start
            while i + 4 <= end {
                let v = UnsafeRawPointer(f + i).loadUnaligned(as: SIMD4<Float>.self)
                let x = SIMD2<Double>(v.lowHalf), y = SIMD2<Double>(v.highHalf)
                let a = x - m, b = y - m
                qLow += zero2.replacing(with: a * a, where: valid(x))
                qHigh += zero2.replacing(with: b * b, where: valid(y))
                i += 4
            }
            var q0 = qLow[0]
            while i < end {
                let a = Double(f[i])
                if valid(f[i]) { q0 += (a - mean) * (a - mean) }
                i += 1
            }
            part.count = count; part.mean = mean; part.m2 = (q0 + qLow[1]) + (qHigh[0] + qHigh[1])
            part.minimum = Swift.min(Swift.min(lo0, Double(lo[1])), Swift.min(Double(lo[2]), Double(lo[3])))
            part.maximum = Swift.max(Swift.max(hi0, Double(hi[1])), Swift.max(Double(hi[2]), Double(hi[3])))
            return part
        }

        /// The statistics so far (zeros when there is no valid sample).
        public var result: BandStatistics {
            BandStatistics(minimum: count > 0 ? minimum : 0, maximum: count > 0 ? maximum : 0, mean: count > 0 ? mean : 0,
                           standardDeviation: count > 0 ? (m2 / Double(count)).squareRoot() : 0,
                           validCount: count, totalCount: count + invalid)
        }
    }
}
