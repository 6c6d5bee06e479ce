import Kernels

/// The indices the pipeline can compute: a thin adapter over the Kernels module's `IndexCatalog` (names, aliases,
/// required bands) and its fused `computeIndices` (one pass over the bands per chunk; NaN where an input is NaN or
/// a denominator is zero — the formulas are documented in Kernels).
public enum IndexRegistry {
    /// One catalogue index as the pipeline needs it.
    public struct Entry: Sendable, Equatable {
        /// Canonical name in lower case (`ndvi`; the catalogue writes `NDVI`).
        public let name: String
        /// The common band names the index reads.
        public let requiredBands: [String]
    }

    /// Valid canonical index names in lower case (the config and file-name convention), in catalogue order.
    public static var names: [String] { IndexCatalog.names.map { $0.lowercased() } }

    /// The entry named `name` or one of its aliases (case-insensitive), if any.
    public static func lookup(_ name: String) -> Entry? {
        IndexCatalog.lookup(name).map { Entry(name: $0.name.lowercased(), requiredBands: $0.requiredBands) }
    }

    /// Computes `indices` (canonical names) over reflectance bands of `count` pixels, fused, chunk by chunk.
    /// - Throws: `PipelineError.unknownIndex`, or the Kernels error naming a missing band and the index.
    public static func compute(_ indices: [String], bands: [String: [Float]], count: Int) throws -> [String: [Float]] {
        let specs = try indices.map { name -> SpectralIndex in
            guard let s = IndexCatalog.lookup(name) else { throw PipelineError.unknownIndex(name) }
            return s
        }
        do {
            let planes = try computeIndices(specs, bands: bands, count: count, chunk: 4096)
            return Dictionary(uniqueKeysWithValues: planes.map { ($0.key.lowercased(), $0.value) })
        } catch {
            if case .missingBand(let band, let index, _) = error { throw PipelineError.missingBand(index: index, band: band) }
            throw PipelineError.badTile(path: "", reason: "\(error)")
        }
    }
}
