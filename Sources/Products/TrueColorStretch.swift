import Foundation

/// The linear stretch of a true-colour picture (`<tile>_rgb.tif`): each of red, green and blue is mapped on its own
/// from its 2 % percentile (`low`) to its 98 % percentile (`high`) of valid reflectance onto the bytes 1…255
/// (values below `low` give 1, above `high` 255); 0 is nodata, written where any of the three bands is invalid
/// (NaN or infinite), so the three bands share one mask. A band whose percentiles coincide (a flat band) gives 128.
public struct TrueColorStretch: Sendable, Equatable, Codable {
    /// The percentiles of the stretch, in percent.
    public static let lowPercent = 2.0, highPercent = 98.0
    /// The band names, in file order.
    public static let bandNames = ["red", "green", "blue"]

    /// Reflectance mapped to byte 1, per band (red, green, blue).
    public var low: [Double]
    /// Reflectance mapped to byte 255, per band (red, green, blue).
    public var high: [Double]

    /// A stretch from explicit bounds (three each: red, green, blue).
    public init(low: [Double], high: [Double]) {
        precondition(low.count == 3 && high.count == 3, "a true-colour stretch has three bands")
        self.low = low
        self.high = high
    }

    /// The byte of reflectance `v` in band `band`: 0 for an invalid value, else 1…255.
    @inline(__always)
    public func byte(_ v: Float, band: Int) -> UInt8 {
        guard v.isFinite else { return 0 }
        let lo = low[band], hi = high[band]
        guard hi > lo else { return 128 }
        let t = min(1, max(0, (Double(v) - lo) / (hi - lo)))
        return UInt8(1 + (t * 254).rounded())
    }

    /// The band-sequential bytes (red plane, green plane, blue plane) of `count` pixels: a pixel invalid in any band
    /// is 0 in all three.
    public func bytes(red: UnsafeBufferPointer<Float>, green: UnsafeBufferPointer<Float>, blue: UnsafeBufferPointer<Float>) -> [UInt8] {
        let n = red.count
        precondition(green.count == n && blue.count == n, "red, green and blue differ in size")
        return [UInt8](unsafeUninitializedCapacity: 3 * n) { out, filled in
            for i in 0..<n {
                let r = red[i], g = green[i], b = blue[i]
                if r.isFinite && g.isFinite && b.isFinite {
                    out[i] = byte(r, band: 0); out[n + i] = byte(g, band: 1); out[2 * n + i] = byte(b, band: 2)
                } else {
                    out[i] = 0; out[n + i] = 0; out[2 * n + i] = 0
                }
            }
            filled = 3 * n
        }
    }

    /// The metadata items of band `band` that state the stretch (GDAL_METADATA, shown by `gdalinfo`).
    public func bandItems(_ band: Int) -> [String: String] {
        ["STRETCH_MINIMUM": "\(low[band])", "STRETCH_MAXIMUM": "\(high[band])",
         "STRETCH_PERCENTILES": "\(Int(Self.lowPercent)),\(Int(Self.highPercent))"]
    }

    /// The dataset item that states the stretch (`TILEPIPE_RGB_STRETCH`).
    public static let datasetItem = (key: "TILEPIPE_RGB_STRETCH",
                                     value: "linear per band from the \(Int(lowPercent)) % to the \(Int(highPercent)) % percentile of valid reflectance (nearest rank, band items STRETCH_MINIMUM/STRETCH_MAXIMUM) onto 1-255; 0 = nodata (red, green or blue invalid)")
}

/// A histogram of the red, green and blue reflectance of the valid pixels (all three finite) of a tile, fed whole or
/// window by window (counts add, so both give the same percentiles), from which `TrueColorStretch` is taken.
///
/// Bins are the top 18 bits of each value's order-preserving bit pattern (sign, exponent, 9 mantissa bits): any
/// finite reflectance, whatever its calibration, lands in a bin 2⁻⁹ of its magnitude wide, and a percentile is the
/// lower edge of its bin (exact for values with at most 10 significant bits, within 0.2 % otherwise).
public struct TrueColorHistogram: Sendable {
    static let shift: UInt32 = 14
    static let bins = 1 << (32 - 14)
    private var counts: [UInt32]
    /// Pixels counted (valid in all three bands).
    public private(set) var validCount = 0

    /// An empty histogram (3 × 2¹⁸ counters).
    public init() { counts = [UInt32](repeating: 0, count: 3 * Self.bins) }

    /// The bin of a finite value: the top bits of its order-preserving key (`NearestRank.key`).
    @inline(__always)
    static func bin(_ v: Float) -> Int { Int(NearestRank.key(v.bitPattern) >> shift) }

    /// The smallest value of bin `b`.
    static func lowerEdge(_ b: Int) -> Float { NearestRank.value(UInt32(b) << shift) }

    /// Counts the pixels valid in all three bands.
    public mutating func add(red: UnsafeBufferPointer<Float>, green: UnsafeBufferPointer<Float>, blue: UnsafeBufferPointer<Float>) {
        let n = min(red.count, green.count, blue.count)
        var valid = 0
        counts.withUnsafeMutableBufferPointer { c in
            for i in 0..<n {
                let r = red[i], g = green[i], b = blue[i]
                guard r.isFinite && g.isFinite && b.isFinite else { continue }
                c[Self.bin(r)] &+= 1
                c[Self.bins + Self.bin(g)] &+= 1
                c[2 * Self.bins + Self.bin(b)] &+= 1
                valid += 1
            }
        }
        validCount += valid
    }

    /// Counts the pixels of three planes.
    public mutating func add(red: [Float], green: [Float], blue: [Float]) {
        red.withUnsafeBufferPointer { r in green.withUnsafeBufferPointer { g in blue.withUnsafeBufferPointer { b in
            add(red: r, green: g, blue: b)
        } } }
    }

    /// The `p` % percentile of band `band` (0 red, 1 green, 2 blue): the value of rank ⌈p·n/100⌉ (nearest rank,
    /// at least 1) among the n counted pixels, as its bin's lower edge; nil when nothing was counted.
    public func percentile(_ p: Double, band: Int) -> Double? {
        guard validCount > 0 else { return nil }
        let rank = max(1, min(validCount, Int((p / 100 * Double(validCount)).rounded(.up))))
        var seen = 0
        let base = band * Self.bins
        for b in 0..<Self.bins {
            seen += Int(counts[base + b])
            if seen >= rank { return Double(Self.lowerEdge(b)) }
        }
        return nil
    }

    /// The 2–98 % stretch of the counted pixels, nil when none was valid.
    public var stretch: TrueColorStretch? {
        guard validCount > 0 else { return nil }
        let low = (0..<3).map { percentile(TrueColorStretch.lowPercent, band: $0)! }
        let high = (0..<3).map { percentile(TrueColorStretch.highPercent, band: $0)! }
        return TrueColorStretch(low: low, high: high)
    }
}
