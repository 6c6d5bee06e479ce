/// The indices the pipeline can compute, by name, with the bands each needs.
///
/// Interim: until the Kernels module's `IndexCatalog` is on `main`, the pipeline carries these normalized
/// differences itself so that the executor, catalog and shards can be exercised end to end. Every entry is
/// `(a − b) / (a + b)` over reflectance; the result is NaN when either input is NaN or when `a + b == 0`.
/// When Kernels lands, `names` and `compute` delegate to `IndexCatalog` / `computeIndices`.
public enum IndexRegistry {
    /// One normalized-difference index: `(a − b) / (a + b)`.
    public struct Entry: Sendable, Equatable {
        /// Catalogue name (lower case).
        public let name: String
        /// Band minuend `a`.
        public let a: String
        /// Band subtrahend `b`.
        public let b: String
        /// The bands this index reads.
        public var requiredBands: [String] { [a, b] }
    }

    /// The entries, in catalogue order.
    public static let entries: [Entry] = [
        Entry(name: "ndvi", a: "nir", b: "red"),       // Rouse et al. 1974
        Entry(name: "ndwi", a: "green", b: "nir"),     // McFeeters 1996
        Entry(name: "mndwi", a: "green", b: "swir16"), // Xu 2006
        Entry(name: "ndbi", a: "swir16", b: "nir"),    // Zha et al. 2003
        Entry(name: "nbr", a: "nir", b: "swir22"),     // Key & Benson 2006
        Entry(name: "ndmi", a: "nir", b: "swir16"),    // Gao 1996 (NDII)
    ]

    /// Valid index names (for config validation).
    public static var names: [String] { entries.map(\.name) }

    /// The entry named `name`, if any.
    public static func lookup(_ name: String) -> Entry? { entries.first { $0.name == name.lowercased() } }

    /// Computes `indices` over reflectance bands of `count` pixels.
    /// - Throws: `PipelineError.missingBand` when a needed band is absent or too short.
    public static func compute(_ indices: [String], bands: [String: [Float]], count: Int) throws -> [String: [Float]] {
        var out: [String: [Float]] = [:]
        for name in indices {
            guard let e = lookup(name) else { throw PipelineError.unknownIndex(name) }
            guard let a = bands[e.a], a.count >= count else { throw PipelineError.missingBand(index: name, band: e.a) }
            guard let b = bands[e.b], b.count >= count else { throw PipelineError.missingBand(index: name, band: e.b) }
            out[name] = [Float](unsafeUninitializedCapacity: count) { buf, n in
                a.withUnsafeBufferPointer { pa in
                    b.withUnsafeBufferPointer { pb in
                        for i in 0..<count {
                            let s = pa[i] + pb[i]
                            buf[i] = s == 0 ? .nan : (pa[i] - pb[i]) / s
                        }
                    }
                }
                n = count
            }
        }
        return out
    }
}
