/// Exact nearest-rank selection over the finite values of a `[Float]`: the value a stable ascending sort of the
/// finite values (by `<`) puts at a rank, found in two counting passes instead of a sort.
///
/// Each finite value maps to an order-preserving 32-bit key (sign bit flipped for positives, all bits for
/// negatives). The first pass counts the keys' upper 16 bits; a rank falls in one bucket, and a second pass counts
/// the lower 16 bits of that bucket's keys, which gives the key and so the value. Keys order −0 before +0 while `<`
/// calls them equal (a stable sort keeps their input order), so a rank that lands on a zero returns the zero the
/// sort would: the (rank − negatives)-th zero in input order.
struct NearestRank {
    /// How many values are finite.
    let count: Int
    private let values: [Float]
    private let upper: [UInt32]

    /// Counts the finite values of `values`; nil when there are none.
    init?(_ values: [Float]) {
        var upper = [UInt32](repeating: 0, count: 1 << 16)
        var n = 0
        values.withUnsafeBufferPointer { v in
            upper.withUnsafeMutableBufferPointer { h in
                for x in v {
                    let u = x.bitPattern
                    guard u & 0x7F80_0000 != 0x7F80_0000 else { continue }   // NaN and ±infinity
                    h[Int(Self.key(u) >> 16)] &+= 1
                    n += 1
                }
            }
        }
        guard n > 0 else { return nil }
        self.count = n
        self.values = values
        self.upper = upper
    }

    /// The order-preserving key of a finite value's bits.
    @inline(__always) static func key(_ u: UInt32) -> UInt32 { u & 0x8000_0000 != 0 ? ~u : u | 0x8000_0000 }

    /// The value of a key.
    @inline(__always) static func value(_ key: UInt32) -> Float {
        Float(bitPattern: key & 0x8000_0000 != 0 ? key & 0x7FFF_FFFF : ~key)
    }

    /// The values at `ranks` (each in `0..<count`) of the sorted finite values.
    func values(atRanks ranks: [Int]) -> [Float] {
        precondition(ranks.allSatisfy { $0 >= 0 && $0 < count }, "rank outside 0..<\(count)")
        // The upper bucket of each rank, and the rank inside it.
        var buckets: [(bucket: Int, rank: Int)] = []
        for r in ranks {
            var below = 0, b = 0
            while below + Int(upper[b]) <= r { below += Int(upper[b]); b += 1 }
            buckets.append((b, r - below))
        }
        let distinct = Array(Set(buckets.map(\.bucket))).sorted()
        var slot = [Int32](repeating: -1, count: 1 << 16)
        for (i, b) in distinct.enumerated() { slot[b] = Int32(i) }
        var lower = [UInt32](repeating: 0, count: distinct.count << 16)   // one 2¹⁶ histogram per bucket
        values.withUnsafeBufferPointer { v in
            slot.withUnsafeBufferPointer { slot in
                lower.withUnsafeMutableBufferPointer { h in
                    for x in v {
                        let u = x.bitPattern
                        guard u & 0x7F80_0000 != 0x7F80_0000 else { continue }
                        let k = Self.key(u)
                        let s = Int(slot[Int(k >> 16)])
                        if s >= 0 { h[s << 16 | Int(k & 0xFFFF)] &+= 1 }
                    }
                }
            }
        }
        return ranks.indices.map { i in
            let (b, r) = buckets[i]
            let base = Int(slot[b]) << 16
            var below = 0, l = 0
            while below + Int(lower[base + l]) <= r { below += Int(lower[base + l]); l += 1 }
            let x = Self.value(UInt32(b) << 16 | UInt32(l))
            return x == 0 ? zero(atRank: ranks[i]) : x
        }
    }

    /// The zero a stable sort puts at `rank` (which holds a zero): the (rank − negatives)-th zero in input order.
    private func zero(atRank rank: Int) -> Float {
        var negatives = 0
        for x in values where x < 0 && x.isFinite { negatives += 1 }
        var j = rank - negatives
        for x in values where x == 0 {
            if j == 0 { return x }
            j -= 1
        }
        preconditionFailure("rank \(rank) holds no zero")
    }
}
