/// SplitMix64 (Steele, Lea & Flood 2014): the project's one deterministic generator (the simulator and
/// test data use it), so the same seed gives the same bytes on every platform.
/// `SystemRandomNumberGenerator` is never used where output must be reproducible.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// Internal state.
    public private(set) var state: UInt64

    /// A generator started at `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 finaliser: a bijective 64-bit hash.
    @inline(__always) public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform Double in [0, 1).
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A standard normal deviate (Box–Muller; one of the pair is discarded to keep the stream simple).
    public mutating func nextGaussian() -> Double {
        let u1 = max(nextUnit(), 0x1p-53), u2 = nextUnit()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * .pi * u2)
    }
}

