import RasterCore

/// Deterministic noise fields over the plane, keyed by a seed (value noise on an integer lattice with
/// smoothstep interpolation, and fractal sums of it). A field depends only on (seed, x, y), so adjacent
/// tiles computed separately join without seams.
public struct NoiseField: Sendable {
    /// Seed of the field.
    public let seed: UInt64

    /// A field for `seed`.
    public init(seed: UInt64) { self.seed = seed }

    /// A field derived from this one and a label (independent of it for practical purposes).
    public func derived(_ label: UInt64) -> NoiseField { NoiseField(seed: SplitMix64.mix(seed ^ (label &* 0x9E37_79B9_7F4A_7C15))) }

    /// Hash of a lattice point to [0, 1).
    @inline(__always) public func lattice(_ i: Int, _ j: Int) -> Double {
        let h = SplitMix64.mix(seed ^ (UInt64(bitPattern: Int64(i)) &* 0xD6E8_FEB8_6659_FD93) ^ (UInt64(bitPattern: Int64(j)) &* 0xA076_1D64_78BD_642F))
        return Double(h >> 11) * 0x1p-53
    }

    /// Value noise in [0, 1) at (x, y) in lattice units.
    @inline(__always) public func value(_ x: Double, _ y: Double) -> Double {
        Self.interpolate(x, y) { i, j in lattice(i, j) }
    }

    /// Fractal sum of `octaves` value-noise layers (lacunarity 2, gain 0.5) at (x, y) metres with the
    /// largest feature `scale` metres; normalised to [0, 1).
    public func fbm(_ x: Double, _ y: Double, scale: Double, octaves: Int = 4) -> Double {
        Self.fractalSum(x, y, scale: scale, octaves: octaves) { o, u, v in derivedOctave(o).value(u, v) }
    }

    @inline(__always) func derivedOctave(_ o: Int) -> NoiseField { o == 0 ? self : NoiseField(seed: seed &+ UInt64(o) &* 0x632B_E59B_D9B4_E019) }

    /// The smoothstep interpolation of the four lattice values around (x, y); `corner(i, j)` gives the lattice value.
    /// `FBMTable` calls it with precomputed corners, so both paths do the same floating-point operations.
    @inline(__always) static func interpolate(_ x: Double, _ y: Double, corner: (Int, Int) -> Double) -> Double {
        let i = floorInt(x), j = floorInt(y)
        let tx = x - Double(i), ty = y - Double(j)
        let sx = tx * tx * (3 - 2 * tx), sy = ty * ty * (3 - 2 * ty)
        let a = corner(i, j), b = corner(i + 1, j), c = corner(i, j + 1), d = corner(i + 1, j + 1)
        return a + (b - a) * sx + (c - a) * sy + (a - b - c + d) * sx * sy
    }

    /// ⌊x⌋ for finite |x| < 2⁶³ without a libm call (`rounded(.down)` is one on baseline x86-64, which has no
    /// SSE4.1 `roundsd`). Equal to `Int(x.rounded(.down))`, and `x - Double(floorInt(x))` equals `x - x.rounded(.down)`
    /// except that −0 gives +0 instead of −0 — which the smoothstep weight squares away.
    @inline(__always) static func floorInt(_ x: Double) -> Int {
        let t = Int(x)
        return Double(t) > x ? t - 1 : t
    }

    /// The fractal sum over octaves, `octave(o, x·f, y·f)` giving one octave's value noise.
    @inline(__always) static func fractalSum(_ x: Double, _ y: Double, scale: Double, octaves: Int,
                                             octave: (Int, Double, Double) -> Double) -> Double {
        var sum = 0.0, amp = 1.0, norm = 0.0, f = 1 / scale
        for o in 0..<octaves {
            sum += amp * octave(o, x * f, y * f)
            norm += amp
            amp *= 0.5
            f *= 2
        }
        return sum / norm
    }
}

@inline(__always) func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Foundation.cos(x) }

import Foundation
