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
    let (usedNames, slots) = try resolveBands(unique, lengths: bands.mapValues(\.count), count: count)
    let inputs = usedNames.map { bands[$0]! }
    let outputs: [[Float]] = withBuffers(inputs) { inPtrs in
        makeArrays(unique.count, count: count) { outPtrs in
            fusedLoop(unique, slots: slots, inputs: inPtrs, outputs: outPtrs, count: count, chunk: chunk)
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

/// Computes `indices` into caller-owned buffers (`outputs[k]` receives `indices[k]`), so tile
/// buffers can be reused without allocating or page-faulting. Same formulas, NaN rules and fusion
/// as `computeIndices(_:bands:count:chunk:)`; the pixel count is `outputs[k].count` (all equal), and
/// every needed band must hold at least that many samples.
public func computeIndices(_ indices: [SpectralIndex], bands: [String: UnsafeBufferPointer<Float>],
                           into outputs: [UnsafeMutableBufferPointer<Float>], chunk: Int = 4096) throws(KernelError) {
    guard indices.count == outputs.count else {
        throw .invalidArgument("\(indices.count) indices but \(outputs.count) output buffers")
    }
    guard chunk > 0 else { throw .invalidArgument("chunk size \(chunk) must be positive") }
    let count = outputs.first?.count ?? 0
    guard outputs.allSatisfy({ $0.count == count }) else { throw .invalidArgument("output buffers differ in length") }
    let (usedNames, slots) = try resolveBands(indices, lengths: bands.mapValues(\.count), count: count)
    fusedLoop(indices, slots: slots, inputs: usedNames.map { bands[$0]! }, outputs: outputs, count: count, chunk: chunk)
}

/// The fused loop: for each chunk, every index's vectorised kernel over that chunk.
func fusedLoop(_ indices: [SpectralIndex], slots: [[Int]], inputs: [UnsafeBufferPointer<Float>],
               outputs: [UnsafeMutableBufferPointer<Float>], count: Int, chunk: Int) {
    let kernels = indices.map(\.kernel)
    var views = [UnsafeBufferPointer<Float>]()
    var start = 0
    while start < count {
        let n = min(chunk, count - start)
        for k in kernels.indices {
            views.removeAll(keepingCapacity: true)
            for s in slots[k] { views.append(UnsafeBufferPointer(rebasing: inputs[s][start..<(start + n)])) }
            kernels[k].apply(views, UnsafeMutableBufferPointer(rebasing: outputs[k][start..<(start + n)]))
        }
        start += n
    }
}

/// Resolves the bands of a set of indices once: the distinct band names in first-use order, and for every
/// index the positions of its inputs in that list. Throws `missingBand` (naming the band and the index) or
/// `bandLength` when a band holds fewer than `count` samples.
func resolveBands(_ indices: [SpectralIndex], lengths: [String: Int],
                  count: Int) throws(KernelError) -> (names: [String], slots: [[Int]]) {
    var names: [String] = []
    var slots: [[Int]] = []
    for index in indices {
        var mine: [Int] = []
        for band in index.requiredBands {
            guard let length = lengths[band] else {
                throw .missingBand(band: band, index: index.name, available: Array(lengths.keys))
            }
            guard length >= count else { throw .bandLength(band: band, count: length, expected: count) }
            if let k = names.firstIndex(of: band) { mine.append(k) } else { names.append(band); mine.append(names.count - 1) }
        }
        slots.append(mine)
    }
    return (names, slots)
}
