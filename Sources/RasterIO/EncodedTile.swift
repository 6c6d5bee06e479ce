#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One compressed tile, in the memory its encoder wrote it to.
///
/// The fast DEFLATE path compresses into a buffer of the codec's bound and gives the unused end back (`realloc`,
/// which shrinks in place), so a tile is never copied out of a scratch buffer into an array of its size (that copy
/// was about 1 % of the full bench job's CPU). Immutable once made.
final class EncodedTile: @unchecked Sendable {
    /// The compressed bytes (owned: freed with the tile).
    let bytes: UnsafeRawBufferPointer

    /// A tile written by `fill` into at most `capacity` bytes; `fill` returns how many it wrote, or nil when it
    /// wrote none worth keeping (the tile is not made).
    init?(capacity: Int, fill: (UnsafeMutableRawBufferPointer) throws -> Int?) rethrows {
        guard let raw = malloc(max(capacity, 1)) else { fatalError("out of memory for a \(capacity)-byte tile") }
        let n: Int?
        do { n = try fill(UnsafeMutableRawBufferPointer(start: raw, count: capacity)) } catch { free(raw); throw error }
        guard let n, n >= 0, n <= capacity else { free(raw); return nil }
        let kept = realloc(raw, max(n, 1)) ?? raw   // shrinking: in place, or the old block stays valid
        bytes = UnsafeRawBufferPointer(start: kept, count: n)
    }

    /// A copy of `array`.
    convenience init(_ array: [UInt8]) {
        self.init(capacity: array.count) { out in
            array.withUnsafeBytes { out.copyMemory(from: $0) }
            return array.count
        }!
    }

    deinit { free(UnsafeMutableRawPointer(mutating: bytes.baseAddress)) }

    /// Number of bytes.
    var count: Int { bytes.count }

    /// The bytes as an array (tests).
    var array: [UInt8] { Array(bytes) }
}
