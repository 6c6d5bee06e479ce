/// One spectral index of the catalogue: its formula, the bands it needs, its own constants, its
/// output domain and where it comes from.
///
/// `formula` is valid band-math text (see `BandMathExpression`) over the common band names in
/// `requiredBands`, with the index's constants written out, so it can be both read and evaluated.
/// `requiredBands` is also the positional argument order when the index is called as a band-math
/// function (`ndvi(nir, red)`).
///
/// Semantics shared by every index: inputs are Float32 reflectance; NaN in any input gives NaN;
/// a zero denominator gives NaN (never ±inf); arithmetic is Float32.
public struct SpectralIndex: Sendable, Hashable, CustomStringConvertible {
    /// Canonical name (`NDVI`, `AWEInsh`), used as the output key and band description.
    public let name: String
    /// Long name (`Normalized Difference Vegetation Index`).
    public let longName: String
    /// Other names that `IndexCatalog.lookup` accepts (case-insensitive).
    public let aliases: [String]
    /// The formula as band-math text, constants substituted.
    public let formula: String
    /// Common band names the index reads, in band-math argument order.
    public let requiredBands: [String]
    /// The index's own constants (never shared between indices: SAVI's L is not EVI's L).
    public let constants: [String: Double]
    /// The output domain, e.g. `[-1, 1]`, or a note when it is unbounded.
    public let outputDomain: String
    /// Reference: DOI or report.
    public let reference: String
    /// Remarks (naming traps, which band variant to use).
    public let notes: String
    /// The vectorised kernel.
    let kernel: IndexKernel

    init(name: String, longName: String, aliases: [String] = [], formula: String, requiredBands: [String],
         constants: [String: Double] = [:], outputDomain: String, reference: String, notes: String = "",
         kernel: IndexKernel) {
        self.name = name
        self.longName = longName
        self.aliases = aliases
        self.formula = formula
        self.requiredBands = requiredBands
        self.constants = constants
        self.outputDomain = outputDomain
        self.reference = reference
        self.notes = notes
        self.kernel = kernel
    }

    /// `NAME = formula`.
    public var description: String { "\(name) = \(formula)" }

    /// Indices are equal when their canonical names are.
    public static func == (a: SpectralIndex, b: SpectralIndex) -> Bool { a.name == b.name }
    /// Hashes the canonical name.
    public func hash(into h: inout Hasher) { h.combine(name) }

    /// Computes the index over one chunk: `inputs[k]` is the band `requiredBands[k]`, every input
    /// holds at least `out.count` samples. This is the inner loop `computeIndices` fuses.
    public func compute(inputs: [UnsafeBufferPointer<Float>], into out: UnsafeMutableBufferPointer<Float>) {
        precondition(inputs.count == requiredBands.count, "\(name) takes \(requiredBands.count) bands")
        for input in inputs { precondition(input.count >= out.count, "\(name): input shorter than output") }
        kernel.apply(inputs, out)
    }
}

/// The arithmetic of each index kind, one plain loop each (auto-vectorised: branch-free selects).
/// Input order is the index's `requiredBands` order.
enum IndexKernel: Sendable, Hashable {
    /// (a − b) / (a + b); NaN when a + b == 0.
    case normalizedDifference
    /// g·(n − r) / (n + c1·r − c2·b + l); inputs nir, red, blue.
    case evi(g: Float, c1: Float, c2: Float, l: Float)
    /// g·(n − r) / (n + c·r + l); inputs nir, red.
    case evi2(g: Float, c: Float, l: Float)
    /// (1 + l)·(n − r) / (n + r + l); inputs nir, red.
    case savi(l: Float)
    /// 0.5·(2n + 1 − √((2n + 1)² − 8(n − r))); inputs nir, red. NaN when the radicand is negative.
    case msavi
    /// (n − r) / (n + r + x); inputs nir, red.
    case osavi(x: Float)
    /// (a·n − r) / (a·n + r); inputs nir, red.
    case wdrvi(a: Float)
    /// a / b − 1; NaN when b == 0.
    case ratioMinusOne
    /// ((s1 + r) − (n + b)) / ((s1 + r) + (n + b)); inputs swir16, red, nir, blue.
    case bsi
    /// 4·(g − s1) − (0.25·n + 2.75·s2); inputs green, swir16, nir, swir22.
    case aweinsh
    /// b + 2.5·g − 1.5·(n + s1) − 0.25·s2; inputs blue, green, nir, swir16, swir22.
    case aweish
    /// (NDVI − NDWI) / (NDVI + NDWI) with NDVI = (n − r)/(n + r), NDWI = (g − n)/(g + n); inputs nir, red, green.
    case nddi
    /// 10·s2 − 9.8·s1 + 2; inputs swir22, swir16.
    case mirbi
    /// 1 / ((0.1 − r)² + (0.06 − n)²); inputs red, nir.
    case bai

    func apply(_ x: [UnsafeBufferPointer<Float>], _ o: UnsafeMutableBufferPointer<Float>) {
        let n = o.count
        switch self {
        case .normalizedDifference:
            let a = x[0], b = x[1]
            for i in 0..<n {
                let p = a[i], q = b[i], d = p + q
                let v = (p - q) / d
                o[i] = d == 0 ? .nan : v
            }
        case let .evi(g, c1, c2, l):
            let nir = x[0], red = x[1], blue = x[2]
            for i in 0..<n {
                let nv = nir[i], r = red[i], b = blue[i]
                let d = nv + c1 * r - c2 * b + l
                let v = g * (nv - r) / d
                o[i] = d == 0 ? .nan : v
            }
        case let .evi2(g, c, l):
            let nir = x[0], red = x[1]
            for i in 0..<n {
                let nv = nir[i], r = red[i]
                let d = nv + c * r + l
                let v = g * (nv - r) / d
                o[i] = d == 0 ? .nan : v
            }
        case let .savi(l):
            let nir = x[0], red = x[1], k = 1 + l
            for i in 0..<n {
                let nv = nir[i], r = red[i]
                let d = nv + r + l
                let v = k * (nv - r) / d
                o[i] = d == 0 ? .nan : v
            }
        case .msavi:
            let nir = x[0], red = x[1]
            for i in 0..<n {
                let nv = nir[i], r = red[i]
                let t = 2 * nv + 1
                o[i] = 0.5 * (t - (t * t - 8 * (nv - r)).squareRoot())
            }
        case let .osavi(c):
            let nir = x[0], red = x[1]
            for i in 0..<n {
                let nv = nir[i], r = red[i]
                let d = nv + r + c
                let v = (nv - r) / d
                o[i] = d == 0 ? .nan : v
            }
        case let .wdrvi(a):
            let nir = x[0], red = x[1]
            for i in 0..<n {
                let an = a * nir[i], r = red[i]
                let d = an + r
                let v = (an - r) / d
                o[i] = d == 0 ? .nan : v
            }
        case .ratioMinusOne:
            let a = x[0], b = x[1]
            for i in 0..<n {
                let q = b[i]
                let v = a[i] / q - 1
                o[i] = q == 0 ? .nan : v
            }
        case .bsi:
            let s1 = x[0], red = x[1], nir = x[2], blue = x[3]
            for i in 0..<n {
                let p = s1[i] + red[i], q = nir[i] + blue[i], d = p + q
                let v = (p - q) / d
                o[i] = d == 0 ? .nan : v
            }
        case .aweinsh:
            let g = x[0], s1 = x[1], nir = x[2], s2 = x[3]
            for i in 0..<n {
                o[i] = 4 * (g[i] - s1[i]) - (0.25 * nir[i] + 2.75 * s2[i])
            }
        case .aweish:
            let b = x[0], g = x[1], nir = x[2], s1 = x[3], s2 = x[4]
            for i in 0..<n {
                o[i] = b[i] + 2.5 * g[i] - 1.5 * (nir[i] + s1[i]) - 0.25 * s2[i]
            }
        case .nddi:
            let nir = x[0], red = x[1], green = x[2]
            for i in 0..<n {
                let nv = nir[i], r = red[i], g = green[i]
                let d1 = nv + r, d2 = g + nv
                let v1 = (nv - r) / d1, v2 = (g - nv) / d2
                let ndvi: Float = d1 == 0 ? .nan : v1
                let ndwi: Float = d2 == 0 ? .nan : v2
                let d = ndvi + ndwi
                let v = (ndvi - ndwi) / d
                o[i] = d == 0 ? .nan : v
            }
        case .mirbi:
            let s2 = x[0], s1 = x[1]
            for i in 0..<n {
                o[i] = 10 * s2[i] - 9.8 * s1[i] + 2
            }
        case .bai:
            let red = x[0], nir = x[1]
            for i in 0..<n {
                let a = 0.1 - red[i], b = 0.06 - nir[i]
                let d = a * a + b * b
                let v = 1 / d
                o[i] = d == 0 ? .nan : v
            }
        }
    }
}
