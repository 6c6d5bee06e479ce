/// A set of real values written like GDAL's `gdal raster reclassify` intervals.
///
/// Accepted syntax (spaces ignored, `inf`/`-inf` allowed as bounds):
/// - `[a,b)`, `(a,b]`, `[a,b]`, `(a,b)`: closed (`[`, `]`) or open (`(`, `)`) ends;
/// - `>=x`, `>x`, `<=x`, `<x`: half-lines; `=x` or a bare number: the single value `x`;
/// - `*`: any valid (non-NaN) value.
///
/// NaN is never contained in any interval. Comparisons are done in `Float` (Float32) precision, the precision
/// of the index buffers: a bound written `0.27` matches a Float32 sample equal to `Float(0.27)`, so boundary
/// values land exactly where the text says (in Double, `Float(-0.1)` would fall on the wrong side of `-0.1`).
public struct ValueInterval: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// Lower bound (−∞ when unbounded).
    public var lower: Float
    /// Upper bound (+∞ when unbounded).
    public var upper: Float
    /// True when `lower` itself belongs to the interval.
    public var lowerClosed: Bool
    /// True when `upper` itself belongs to the interval.
    public var upperClosed: Bool

    /// An interval from its bounds.
    public init(lower: Float, upper: Float, lowerClosed: Bool = true, upperClosed: Bool = false) {
        self.lower = lower
        self.upper = upper
        self.lowerClosed = lowerClosed
        self.upperClosed = upperClosed
    }

    /// Every valid value.
    public static let all = ValueInterval(lower: -.infinity, upper: .infinity, lowerClosed: true, upperClosed: true)

    /// `value > x`.
    public static func greater(than x: Float) -> ValueInterval { ValueInterval(lower: x, upper: .infinity, lowerClosed: false, upperClosed: true) }

    /// Parses the textual form (see the type's documentation); throws `badInterval` naming the text.
    public init(parsing text: String) throws(AnalysisError) {
        let s = text.filter { !$0.isWhitespace }
        func num(_ t: Substring) throws(AnalysisError) -> Float {
            switch t.lowercased() {
            case "inf", "+inf", "infinity": return .infinity
            case "-inf", "-infinity": return -.infinity
            default:
                guard let v = Double(t), v.isFinite else { throw .badInterval(expression: text, reason: "'\(t)' is not a number") }
                return Float(v)
            }
        }
        guard !s.isEmpty else { throw .badInterval(expression: text, reason: "empty") }
        if s == "*" { self = .all; return }
        if let f = s.first, f == "[" || f == "(" {
            guard let l = s.last, l == "]" || l == ")" else {
                throw .badInterval(expression: text, reason: "an interval that opens with '\(f)' must close with ']' or ')'")
            }
            let body = s.dropFirst().dropLast()
            let parts = body.split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw .badInterval(expression: text, reason: "expected two bounds separated by a comma") }
            let a = try num(parts[0]), b = try num(parts[1])
            guard a <= b else { throw .badInterval(expression: text, reason: "lower bound \(a) exceeds upper bound \(b)") }
            self.init(lower: a, upper: b, lowerClosed: f == "[", upperClosed: l == "]")
            return
        }
        for (op, make) in [(">=", 0), ("<=", 1), (">", 2), ("<", 3), ("==", 4), ("=", 4)] where s.hasPrefix(op) {
            let x = try num(s.dropFirst(op.count))
            switch make {
            case 0: self.init(lower: x, upper: .infinity, lowerClosed: true, upperClosed: true)
            case 1: self.init(lower: -.infinity, upper: x, lowerClosed: true, upperClosed: true)
            case 2: self.init(lower: x, upper: .infinity, lowerClosed: false, upperClosed: true)
            case 3: self.init(lower: -.infinity, upper: x, lowerClosed: true, upperClosed: false)
            default: self.init(lower: x, upper: x, lowerClosed: true, upperClosed: true)
            }
            return
        }
        let x = try num(Substring(s))
        self.init(lower: x, upper: x, lowerClosed: true, upperClosed: true)
    }

    /// True when `v` lies in the interval (false for NaN).
    @inlinable public func contains(_ v: Float) -> Bool {
        (lowerClosed ? v >= lower : v > lower) && (upperClosed ? v <= upper : v < upper)
    }

    /// Clears `mask[i]` (0/1 flags) wherever `values[i]` is not in the interval, as `contains` decides (NaN is
    /// never in it); leaves it elsewhere. The closedness of the ends is resolved once, so each loop is
    /// branch-free and vectorises (the classifier runs one such loop per rule condition over every pixel).
    public func intersect(_ values: UnsafeBufferPointer<Float>, into mask: UnsafeMutableBufferPointer<UInt8>) {
        precondition(values.count == mask.count, "\(values.count) values for a mask of \(mask.count)")
        let lo = lower, hi = upper
        @inline(__always) func run(_ inside: (Float) -> Bool) {
            for i in 0..<mask.count { mask[i] &= inside(values[i]) ? 1 : 0 }
        }
        switch (lowerClosed, upperClosed) {
        case (true, true): run { $0 >= lo && $0 <= hi }
        case (true, false): run { $0 >= lo && $0 < hi }
        case (false, true): run { $0 > lo && $0 <= hi }
        case (false, false): run { $0 > lo && $0 < hi }
        }
    }

    /// The canonical textual form, parseable by `init(parsing:)`.
    public var description: String {
        func f(_ x: Float) -> String { x == .infinity ? "inf" : x == -.infinity ? "-inf" : "\(x)" }
        return (lowerClosed ? "[" : "(") + f(lower) + "," + f(upper) + (upperClosed ? "]" : ")")
    }

    /// Encoded as its textual form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    /// Decoded from its textual form (or a bare number).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let d = try? c.decode(Double.self) { self.init(lower: Float(d), upper: Float(d), lowerClosed: true, upperClosed: true); return }
        let s = try c.decode(String.self)
        do { try self.init(parsing: s) } catch {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: error.description)
        }
    }
}
