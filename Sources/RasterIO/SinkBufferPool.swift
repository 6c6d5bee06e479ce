import Foundation

/// The aligned gathering buffers of `HashingFileSink`s (`directChunk` bytes each), kept between files: a run writes
/// hundreds of files, and a buffer freshly allocated for each came as fresh pages, every one a page fault and a
/// zero fill on first touch (a tenth of the bench job's page faults were the sinks' and the PNG writer's buffers).
/// At most `kept` free buffers are kept (one per thread writing at once, and the spare of a write behind); others
/// are freed. Thread-safe.
final class SinkBufferPool: @unchecked Sendable {
    /// The pool every sink uses.
    static let shared = SinkBufferPool(kept: 8)

    private let lock = NSLock()
    private var free: [UnsafeMutableRawPointer] = []
    private let kept: Int

    init(kept: Int) { self.kept = kept }

    deinit { free.forEach { $0.deallocate() } }

    /// A buffer of `HashingFileSink.directChunk` bytes aligned to `HashingFileSink.alignment`, holding anything.
    func take() -> UnsafeMutableRawPointer {
        if let b = lock.withLock({ free.popLast() }) { return b }
        return UnsafeMutableRawPointer.allocate(byteCount: HashingFileSink.directChunk, alignment: HashingFileSink.alignment)
    }

    /// Returns `buffer` (from `take`, no longer used) to the pool, or frees it when the pool is full.
    func give(_ buffer: UnsafeMutableRawPointer) {
        let keep = lock.withLock {
            guard free.count < kept else { return false }
            free.append(buffer)
            return true
        }
        if !keep { buffer.deallocate() }
    }

    /// Free buffers held (tests).
    var count: Int { lock.withLock { free.count } }
}
