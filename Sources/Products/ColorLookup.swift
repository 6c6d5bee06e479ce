public import RasterCore

/// A colour ramp sampled into a table, for colouring every pixel of a quicklook map.
///
/// `ColorRamp.color` interpolates in Double per call (a stop search, a division and four rounded mixes); over the
/// 2 Mpx of a tile's two quicklooks that was a tenth of the whole default job's CPU and most of its one-core tail.
/// A lookup does that work once per table entry, as colour maps usually do (matplotlib's are 256-entry tables):
///
/// - `.linear` ramps: `samples + 1` colours at the evenly spaced values `lo + k·(hi − lo)/samples`, k = 0…samples,
///   of the drawn range (the stretch, else the ramp's domain); a value takes the colour of the nearest sample,
///   `k = ⌊(v − lo)·samples/(hi − lo) + ½⌋` clamped to 0…samples. Values at or beyond the range's ends get the
///   end colours exactly, as `color` gives them; between samples a channel differs from `color` by at most
///   half a sample's change, which with the default 4,096 samples is under one level on every built-in ramp.
/// - `.categorical` ramps: a table of the integer codes 0…255, the same colours as `color` (nil for the nodata code
///   and unknown codes); other values go through `color`.
/// - `.stepped` ramps: `color` itself, so a value on either side of a threshold keeps its class colour.
///
/// NaN and infinities are masked (nil), as in `color`.
public struct ColorLookup: Sendable {
    /// How the table is used.
    private enum Kind: Sendable { case linear, categorical, exact }

    private let kind: Kind
    private let ramp: ColorRamp
    /// Entry colours; for linear ramps `samples + 1` of them, for categorical ramps 256.
    private let colors: [RGBA]
    /// `colors` as `RGBA.memoryWord`s, for one store per painted pixel.
    private let words: [UInt32]
    /// Categorical entries that are masked (nodata code, unknown code).
    private let masked: [Bool]
    private let low: Float
    private let scale: Float
    private let last: Int

    /// Samples of a linear ramp's table by default.
    public static let defaultSamples = 4096

    /// The lookup of `ramp` drawn over `range` (a linear ramp's stops spread over it, as `ColorRamp.stretched(to:)`
    /// spreads them; nil or an empty range = the ramp's own domain), with `samples` intervals for linear ramps.
    public init(ramp: ColorRamp, range: ClosedRange<Double>? = nil, samples: Int = ColorLookup.defaultSamples) {
        precondition(samples >= 1, "a lookup needs at least one interval")
        switch ramp.interpolation {
        case .linear:
            let drawn = range.flatMap { $0.upperBound > $0.lowerBound ? $0 : nil } ?? ramp.domain
            let r = range.map { ramp.stretched(to: $0) } ?? ramp
            let step = (drawn.upperBound - drawn.lowerBound) / Double(samples)
            var colors = [RGBA]()
            colors.reserveCapacity(samples + 1)
            for k in 0...samples {
                let v = k == samples ? drawn.upperBound : drawn.lowerBound + Double(k) * step
                colors.append(r.color(v) ?? RGBA(0, 0, 0, 0))   // finite: never nil for a linear ramp
            }
            self.init(kind: drawn.upperBound > drawn.lowerBound ? .linear : .exact, ramp: r, colors: colors, masked: [],
                      low: Float(drawn.lowerBound), scale: Float(Double(samples) / (drawn.upperBound - drawn.lowerBound)),
                      last: samples)
        case .categorical:
            let entries = (0..<256).map { ramp.color(Double($0)) }
            self.init(kind: .categorical, ramp: ramp, colors: entries.map { $0 ?? RGBA(0, 0, 0, 0) }, masked: entries.map { $0 == nil },
                      low: 0, scale: 1, last: 255)
        case .stepped:
            self.init(kind: .exact, ramp: ramp, colors: [], masked: [], low: 0, scale: 1, last: 0)
        }
    }

    private init(kind: Kind, ramp: ColorRamp, colors: [RGBA], masked: [Bool], low: Float, scale: Float, last: Int) {
        self.kind = kind; self.ramp = ramp; self.colors = colors; self.masked = masked
        self.low = low; self.scale = scale; self.last = last
        words = colors.map(\.memoryWord)
    }

    /// Paints `values` as RGBA bytes into `rgba` (4 bytes a value, `rgba.count ≥ 4 × values.count`): each value's
    /// `color`, or `masked(i)` for the i-th value when `color` is nil. Returns how many values were masked. One
    /// switch on the ramp's kind for the whole row instead of one per pixel.
    public func paint(_ values: UnsafeBufferPointer<Float>, into rgba: UnsafeMutableBufferPointer<UInt8>,
                      masked: (Int) -> RGBA) -> Int {
        precondition(rgba.count >= 4 * values.count, "\(rgba.count) bytes for \(values.count) RGBA pixels")
        guard let out = rgba.baseAddress.map(UnsafeMutableRawPointer.init), !values.isEmpty else { return 0 }
        var count = 0
        @inline(__always) func put(_ i: Int, _ word: UInt32) { out.storeBytes(of: word, toByteOffset: 4 * i, as: UInt32.self) }
        @inline(__always) func put(_ i: Int, _ c: RGBA) { put(i, c.memoryWord) }
        switch kind {
        case .linear:
            words.withUnsafeBufferPointer { table in
                let lastF = Float(last)
                for i in 0..<values.count {
                    let v = values[i]
                    guard v.isFinite else { put(i, masked(i)); count += 1; continue }
                    put(i, table[index(v, lastF)])
                }
            }
        case .categorical:
            words.withUnsafeBufferPointer { table in
                self.masked.withUnsafeBufferPointer { off in
                    for i in 0..<values.count {
                        let v = values[i]
                        if let k = Self.code(v) {
                            if off[k] { put(i, masked(i)); count += 1 } else { put(i, table[k]) }
                        } else if let c = ramp.color(Double(v)) { put(i, c) } else { put(i, masked(i)); count += 1 }
                    }
                }
            }
        case .exact:
            for i in 0..<values.count {
                if let c = color(values[i]) { put(i, c) } else { put(i, masked(i)); count += 1 }
            }
        }
        return count
    }

    /// The sample nearest a finite `value` of a linear ramp: `⌊(v − lo)·scale + ½⌋` clamped to 0…last (truncation
    /// is the floor once the value is clamped at 0).
    @inline(__always) private func index(_ value: Float, _ lastF: Float) -> Int {
        Int(Swift.min(Swift.max((value - low) * scale + 0.5, 0), lastF))
    }

    /// `value` as a class code 0…255 when it is one (integral, in range), else nil.
    /// (A truncating conversion and back: `rounded(.towardZero)` is a library call on baseline x86-64, which has no
    /// SSE4.1 `roundss`, and made this test most of a class map's colouring.)
    @inline(__always) private static func code(_ value: Float) -> Int? {
        guard value >= 0 && value <= 255 else { return nil }   // NaN fails both
        let k = Int(value)
        return Float(k) == value ? k : nil
    }

    /// How many of `values` are drawn masked (`color` nil).
    public func maskedCount(_ values: UnsafeBufferPointer<Float>) -> Int {
        switch kind {
        case .linear:
            return Self.nonFiniteCount(values)
        case .categorical:   // `color`'s test without building the colour: the code's masked entry, else the ramp
            return masked.withUnsafeBufferPointer { off in
                var n = 0
                for v in values {
                    if let k = Self.code(v) { n &+= off[k] ? 1 : 0 } else if !v.isFinite || ramp.color(Double(v)) == nil { n &+= 1 }
                }
                return n
            }
        case .exact:
            var n = 0
            for v in values { n &+= color(v) == nil ? 1 : 0 }
            return n
        }
    }

    /// How many of `values` are NaN or infinite (exponent bits all set), eight lanes at a time.
    static func nonFiniteCount(_ values: UnsafeBufferPointer<Float>) -> Int {
        guard let base = values.baseAddress else { return 0 }
        let exponent = SIMD8<UInt32>(repeating: 0x7F80_0000)
        var lanes = SIMD8<UInt32>(repeating: 0)
        var i = 0
        while i + 8 <= values.count {
            let bits = UnsafeRawPointer(base + i).loadUnaligned(as: SIMD8<UInt32>.self)
            lanes &+= SIMD8<UInt32>(repeating: 0).replacing(with: 1, where: (bits & exponent) .== exponent)
            i += 8
        }
        var n = Int(lanes.wrappedSum())
        for v in values[i...] { n &+= v.isFinite ? 0 : 1 }
        return n
    }

    /// The colour of `value`, nil when it is drawn masked (NaN, infinities, a class map's nodata or unknown code).
    @inline(__always) public func color(_ value: Float) -> RGBA? {
        guard value.isFinite else { return nil }
        switch kind {
        case .linear:
            return colors[index(value, Float(last))]
        case .categorical:
            if let k = Self.code(value) { return masked[k] ? nil : colors[k] }
            return ramp.color(Double(value))
        case .exact:
            return ramp.color(Double(value))
        }
    }
}
