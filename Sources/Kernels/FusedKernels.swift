/// Computes every index of `indices` over `count` pixels in one pass over the bands, chunk by chunk.
///
/// - Inputs: `bands` maps a common band name (`red`, `nir`, ...) to Float32 reflectance; NaN marks
///   nodata or invalid pixels. Each needed band must hold at least `count` samples.
/// - Output: one array of `count` Floats per index, keyed by `SpectralIndex.name`. A pixel is NaN
///   where any input the index reads is NaN, or where the index's denominator is zero.
/// - Fusion: the pixels are split into chunks of `chunk` samples (default 4096: 16 KiB per band, so
///   the bands of a chunk stay in L1/L2); every index runs its vectorised loop over the chunk before
///   the next chunk is touched, so each band is read from memory once, however many indices use it.
/// - Throws `KernelError.missingBand` (naming the band and the index), `.bandLength`, `.invalidArgument`.
public func computeIndices(_ indices: [SpectralIndex], bands: [String: [Float]], count: Int,
                           chunk: Int = 4096) throws(KernelError) -> [String: [Float]] {
    guard count >= 0 else { throw .invalidArgument("pixel count \(count) is negative") }
    guard chunk > 0 else { throw .invalidArgument("chunk size \(chunk) must be positive") }
    var unique: [SpectralIndex] = []
    for index in indices where !unique.contains(index) { unique.append(index) }
    // Resolve the bands once; every index gets the positions of its inputs in `used`.
    var usedNames: [String] = []
    var slots: [[Int]] = []
    for index in unique {
        var mine: [Int] = []
        for band in index.requiredBands {
            guard let values = bands[band] else {
                throw .missingBand(band: band, index: index.name, available: Array(bands.keys))
            }
            guard values.count >= count else { throw .bandLength(band: band, count: values.count, expected: count) }
            if let k = usedNames.firstIndex(of: band) { mine.append(k) } else { usedNames.append(band); mine.append(usedNames.count - 1) }
        }
        slots.append(mine)
    }
    let inputs = usedNames.map { bands[$0]! }
    let outputs: [[Float]] = withBuffers(inputs) { inPtrs in
        makeArrays(unique.count, count: count) { outPtrs in
            var start = 0
            var views = [UnsafeBufferPointer<Float>]()
            while start < count {
                let n = min(chunk, count - start)
                for (k, index) in unique.enumerated() {
                    views.removeAll(keepingCapacity: true)
                    for s in slots[k] { views.append(UnsafeBufferPointer(rebasing: inPtrs[s][start..<(start + n)])) }
                    index.kernel.apply(views, UnsafeMutableBufferPointer(rebasing: outPtrs[k][start..<(start + n)]))
                }
                start += n
            }
        }
    }
    var result: [String: [Float]] = [:]
    for (k, index) in unique.enumerated() { result[index.name] = outputs[k] }
    return result
}

/// Computes one index over whole buffers (one pass over its bands). The unfused baseline the
/// benchmark compares with, and a convenience for single-index callers.
public func computeIndex(_ index: SpectralIndex, bands: [String: [Float]], count: Int) throws(KernelError) -> [Float] {
    try computeIndices([index], bands: bands, count: count, chunk: max(count, 1))[index.name]!
}
