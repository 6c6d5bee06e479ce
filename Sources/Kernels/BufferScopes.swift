/// Scoped access to many arrays' storage at once: the recursion nests one
/// `withUnsafeBufferPointer` / `Array(unsafeUninitializedCapacity:)` per array, so every pointer is
/// valid for the whole body and no band is copied.

/// Calls `body` with a read-only pointer to every array of `arrays`, in order.
@usableFromInline
func withBuffers<R>(_ arrays: [[Float]], _ body: ([UnsafeBufferPointer<Float>]) throws -> R) rethrows -> R {
    func nest(_ k: Int, _ acc: inout [UnsafeBufferPointer<Float>]) throws -> R {
        if k == arrays.count { return try body(acc) }
        return try arrays[k].withUnsafeBufferPointer { p in
            acc.append(p)
            return try nest(k + 1, &acc)
        }
    }
    var acc: [UnsafeBufferPointer<Float>] = []
    acc.reserveCapacity(arrays.count)
    return try nest(0, &acc)
}

/// Makes `k` new arrays of `count` Floats each and lets `body` fill them all through pointers
/// (no zero-fill pass first). `body` must initialise every element.
@usableFromInline
func makeArrays(_ k: Int, count: Int, _ body: ([UnsafeMutableBufferPointer<Float>]) -> Void) -> [[Float]] {
    func nest(_ i: Int, _ acc: [UnsafeMutableBufferPointer<Float>]) -> [[Float]] {
        if i == k { body(acc); return [] }
        var rest: [[Float]] = []
        let mine = [Float](unsafeUninitializedCapacity: count) { buffer, initialised in
            rest = nest(i + 1, acc + [buffer])
            initialised = count
        }
        return [mine] + rest
    }
    return nest(0, [])
}
