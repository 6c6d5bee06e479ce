/// A `NoiseField.fbm` at a fixed scale and octave count with the lattice of every octave precomputed over a
/// rectangle, so a simulated tile looks its noise up instead of hashing four lattice points per octave and
/// sample. Values are bit-identical to `NoiseField.fbm` (same lattice values, same arithmetic through
/// `NoiseField.interpolate` and `fractalSum`); points outside the rectangle fall back to hashing.
struct FBMTable: Sendable {
    /// The lattice of one octave over cells `i0..<i0+width`, `j0..<j0+height`.
    struct Level: Sendable {
        let i0: Int, j0: Int, width: Int, height: Int
        let values: [Double]
    }

    let field: NoiseField
    let scale: Double
    let octaves: Int
    let levels: [Level]

    /// The table of `field.fbm(_, _, scale:, octaves:)` for points in [x0, x1] × [y0, y1] (metres).
    init(_ field: NoiseField, scale: Double, octaves: Int, x0: Double, y0: Double, x1: Double, y1: Double) {
        self.field = field
        self.scale = scale
        self.octaves = octaves
        var levels = [Level]()
        var f = 1 / scale
        for o in 0..<octaves {
            let octave = field.derivedOctave(o)
            let i0 = Int((min(x0, x1) * f).rounded(.down)) - 1, i1 = Int((max(x0, x1) * f).rounded(.down)) + 2
            let j0 = Int((min(y0, y1) * f).rounded(.down)) - 1, j1 = Int((max(y0, y1) * f).rounded(.down)) + 2
            let w = i1 - i0 + 1, h = j1 - j0 + 1
            var values = [Double](repeating: 0, count: w * h)
            for j in 0..<h { for i in 0..<w { values[j * w + i] = octave.lattice(i0 + i, j0 + j) } }
            levels.append(Level(i0: i0, j0: j0, width: w, height: h, values: values))
            f *= 2
        }
        self.levels = levels
    }

    /// `field.fbm(x, y, scale: scale, octaves: octaves)`, bit for bit.
    @inline(__always) func fbm(_ x: Double, _ y: Double) -> Double {
        NoiseField.fractalSum(x, y, scale: scale, octaves: octaves) { o, u, v in
            let level = levels[o]
            let li = NoiseField.floorInt(u) - level.i0, lj = NoiseField.floorInt(v) - level.j0
            if li >= 0, lj >= 0, li + 1 < level.width, lj + 1 < level.height {
                return level.values.withUnsafeBufferPointer { t in
                    NoiseField.interpolate(u, v) { i, j in t[(j - level.j0) * level.width + (i - level.i0)] }
                }
            }
            return field.derivedOctave(o).value(u, v)
        }
    }
}
