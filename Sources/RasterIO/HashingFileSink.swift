import Dispatch
import RasterCore
internal import CShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A new file written front to back whose XXH64 and size are kept as the bytes go out (`AtomicFile.writeHashed`),
/// so the hash of an output never costs a second read. Used by one thread at a time.
///
/// Bytes are gathered in an aligned buffer of `directChunk` bytes. A file that never fills it (a JSON document, a
/// small PNG) is written with one ordinary `write` by `flush`. A larger one (an index COG, a class map) is written
/// with direct I/O (`O_DIRECT`, Linux): every full buffer goes from this buffer to the device, not through the page
/// cache, and the last, partial buffer is written padded to the alignment and the file cut back to its size.
/// Outputs are fsynced anyway before they are published, so the device writes the same bytes either way; direct
/// I/O only saves the kernel's copy of every output into page-cache pages that this run never reads (on the
/// project's VM, where writing into fresh pages is slow, that copy was most of the full bench job's 1.0 s of system
/// time, and the serial tail of a one-scene job; docs/performance.md). Where the file system refuses direct I/O
/// (`fcntl` or the first write says so), the same bytes are written through the page cache as before, with
/// write-back started every `writebackChunk` bytes.
///
/// Direct writes are written behind: a full buffer goes to the device on the sink's own serial queue while the
/// caller fills a second buffer, so copying and hashing the next MiB overlap the device's time for the last (the
/// caller waits only when both buffers are in use). At most one write is in flight, so the file grows in order; its
/// outcome is taken at the next full buffer, `flush` or `close`: an error is thrown there (by the call that follows
/// the failed write, `flush` at the latest), and a refusal of direct I/O sends the same buffer, then everything
/// after it, through the page cache.
public final class HashingFileSink {
    /// How bytes reach the file.
    enum Mode {
        /// Nothing written yet: bytes wait in the buffer.
        case gathering
        /// Full buffers are written with direct I/O.
        case direct
        /// Bytes go through the page cache (direct I/O unavailable here).
        case buffered
    }

    private var fd: Int32
    private let reportedPath: String
    private var hasher = XXH64()
    /// Bytes written so far (by `write`; some may still wait in the buffer until `flush`).
    public private(set) var count = 0
    /// Bytes of the file that reached it by direct I/O (0 for a small file or where the file system has none).
    private(set) var directBytes = 0
    private var mode = Mode.gathering
    /// Whether direct I/O is asked for when the first buffer is full.
    private let tryDirectIO: Bool
    /// The aligned buffer being filled (`directChunk` bytes), taken from `SinkBufferPool` on first use.
    private var buffer: UnsafeMutableRawPointer?
    /// The second buffer, free while no write is in flight (taken by the first write behind).
    private var spare: UnsafeMutableRawPointer?
    /// The full buffer being written on `queue`, if any.
    private var inFlight: WriteBehind?
    /// The serial queue that writes full buffers behind the caller (made by the first one).
    private var queue: DispatchQueue?
    /// Test seam: called on the write-behind queue before each buffer written behind, with the buffer's file
    /// offset; a non-nil result fails that write with this `errno` instead.
    var writeBehindHook: (@Sendable (Int) -> Int32?)?
    private var buffered = 0
    /// Bytes already in the file.
    private var fileSize = 0
    /// Bytes whose write-back was already started (page-cache mode).
    private var writebackStarted = 0
    /// Write-back is started every this many bytes in page-cache mode: the disk writes a large output while the
    /// rest is still being written, so the fsync that publishes it waits for the last chunk only.
    static let writebackChunk = 8 << 20
    /// Size of the gathering buffer and of every direct write; a file smaller than this is written through the
    /// page cache in one `write`.
    static let directChunk = 1 << 20
    /// Alignment of the buffer, of direct writes' lengths and of their file offsets: a multiple of every logical
    /// block size in use (512 or 4096 bytes).
    static let alignment = 4096

    /// Creates `path` (which must not exist; links are not followed); errors name `reportedPath`. With
    /// `directIO: false` the sink behaves as where the file system refuses direct I/O (tests use it).
    init(creating path: String, reportedAs reportedPath: String, directIO: Bool = true) throws {
        self.reportedPath = reportedPath
        tryDirectIO = directIO
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RasterIOError.io(path: reportedPath, reason: "cannot create: \(errnoText())") }
    }

    deinit {
        close()
        buffer.map(SinkBufferPool.shared.give)
        spare.map(SinkBufferPool.shared.give)
    }

    /// Appends `raw` to the file and to the hash.
    public func write(_ raw: UnsafeRawBufferPointer) throws {
        guard raw.count > 0 else { return }
        guard fd >= 0 else { throw RasterIOError.io(path: reportedPath, reason: "write after close") }
        hasher.add(raw)
        count += raw.count
        if mode == .buffered { return try writeThroughCache(raw) }
        let chunk = Self.directChunk
        if buffer == nil { buffer = SinkBufferPool.shared.take() }
        var off = 0
        while off < raw.count {
            // `buffer`, not a copy of it: a full buffer written behind is replaced by the spare.
            let n = min(chunk - buffered, raw.count - off)
            (buffer! + buffered).copyMemory(from: raw.baseAddress! + off, byteCount: n)
            buffered += n
            off += n
            if buffered == chunk {
                try writeFullBuffer()
                if mode == .buffered {
                    // Direct I/O was refused: the rest follows the buffer through the page cache, in order.
                    return try writeThroughCache(UnsafeRawBufferPointer(rebasing: raw[off...]))
                }
            }
        }
    }

    /// Appends `bytes`.
    public func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

    /// Writes what waits in the buffer; the file then holds exactly the `count` bytes written. Call once, after the
    /// last `write`.
    func flush() throws {
        try settle()
        guard buffered > 0, let buf = buffer else { return }
        let n = buffered
        buffered = 0
        switch mode {
        case .gathering, .buffered:
            try writeThroughCache(UnsafeRawBufferPointer(start: buf, count: n))
        case .direct:
            // Padded to the alignment, then cut back: a direct write's length must be aligned.
            let padded = (n + Self.alignment - 1) / Self.alignment * Self.alignment
            (buf + n).initializeMemory(as: UInt8.self, repeating: 0, count: padded - n)
            if try writeDirect(buf, padded) {
                guard ftruncate(fd, off_t(fileSize - padded + n)) == 0 else {
                    throw RasterIOError.io(path: reportedPath, reason: "cannot set the file's size: \(errnoText())")
                }
                fileSize += n - padded
                directBytes -= padded - n
            } else {
                try writeThroughCache(UnsafeRawBufferPointer(start: buf, count: n))
            }
        }
    }

    /// XXH64 of everything written so far (16 hex digits).
    public var hash: String { hasher.hex }

    /// Closes the descriptor (idempotent), once a write in flight has ended (its outcome is dropped). Bytes still in
    /// the buffer are dropped: `flush` first.
    func close() {
        _ = awaitInFlight()
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }

    /// Sends the full buffer on: written behind with direct I/O once the file system takes it (the caller goes on
    /// with the spare buffer), through the page cache otherwise.
    private func writeFullBuffer() throws {
        let buf = buffer!
        buffered = 0
        if mode == .gathering {
            mode = tryDirectIO && rs_set_direct_io(fd, 1) == 0 ? .direct : .buffered
        }
        if mode == .direct { try settle() }
        guard mode == .direct else {
            return try writeThroughCache(UnsafeRawBufferPointer(start: buf, count: Self.directChunk))
        }
        let w = WriteBehind(buffer: buf, length: Self.directChunk, offset: fileSize, fd: fd, hook: writeBehindHook)
        inFlight = w
        let q = queue ?? DispatchQueue(label: "RasterIO.HashingFileSink.writeBehind")
        queue = q
        q.async { w.run() }
        buffer = spare ?? SinkBufferPool.shared.take()
        spare = nil
    }

    /// Waits for the write in flight, if any, and takes its outcome: the file grows by it, or (direct I/O refused,
    /// or a short write) the same bytes go through the page cache, or its error is thrown. Its buffer becomes the
    /// spare.
    private func settle() throws {
        guard let w = awaitInFlight() else { return }
        try take(w.outcome, of: w.buffer, w.length)
    }

    /// Waits for the write in flight, if any, and makes its buffer the spare; returns it (outcome not yet taken).
    private func awaitInFlight() -> WriteBehind? {
        guard let w = inFlight else { return nil }
        w.done.wait()
        inFlight = nil
        spare = w.buffer
        return w
    }

    /// Turns direct I/O off for good: every later byte goes through the page cache.
    private func leaveDirectIO() {
        _ = rs_set_direct_io(fd, 0)
        mode = .buffered
    }

    /// Writes `length` aligned bytes at the aligned end of the file with direct I/O, now. Returns false, having
    /// turned direct I/O off for good, when the file system refuses it, so that the caller writes the same bytes
    /// through the page cache.
    private func writeDirect(_ bytes: UnsafeMutableRawPointer, _ length: Int) throws -> Bool {
        let outcome = Self.directWrite(fd, bytes, length)
        if case .refused = outcome {
            leaveDirectIO()
            return false
        }
        try take(outcome, of: bytes, length)
        return true
    }

    /// Applies the outcome of a direct write of `length` bytes from `bytes` at the end of the file.
    private func take(_ outcome: DirectOutcome, of bytes: UnsafeMutableRawPointer, _ length: Int) throws {
        switch outcome {
        case .written:
            fileSize += length
            directBytes += length
        case .refused:
            leaveDirectIO()
            try writeThroughCache(UnsafeRawBufferPointer(start: bytes, count: length))
        case .short(let n):
            // The rest is unaligned: it goes through the page cache, as does everything after it.
            leaveDirectIO()
            fileSize += n
            directBytes += n
            try writeThroughCache(UnsafeRawBufferPointer(start: bytes + n, count: length - n))
        case .failed(let code):
            throw RasterIOError.io(path: reportedPath, reason: "write failed: \(String(cString: strerror(code)))")
        }
    }

    /// How a direct write of one buffer ended.
    enum DirectOutcome {
        /// Every byte written.
        case written
        /// Refused before any byte (EINVAL: the file system has no direct I/O, or not at this alignment).
        case refused
        /// Only this many bytes, not a multiple of the alignment, were written: the rest must go another way.
        case short(Int)
        /// Failed with this `errno`.
        case failed(Int32)
    }

    /// Writes `length` bytes from `bytes` to `fd` (open with O_DIRECT) at its end; touches nothing of a sink, so
    /// it can run on the write-behind queue.
    static func directWrite(_ fd: Int32, _ bytes: UnsafeMutableRawPointer, _ length: Int) -> DirectOutcome {
        var off = 0
        while off < length {
            let n = Glibc.write(fd, bytes + off, length - off)
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EINVAL && off == 0 { return .refused }
                return .failed(errno)
            }
            off += n
            if off < length && off % alignment != 0 { return .short(off) }
        }
        return .written
    }

    /// One full buffer written behind the caller: filled in by `run` on the queue, read after `done`.
    final class WriteBehind: @unchecked Sendable {
        let buffer: UnsafeMutableRawPointer
        let length: Int
        /// File offset of the buffer's first byte.
        let offset: Int
        let fd: Int32
        let hook: (@Sendable (Int) -> Int32?)?
        let done = DispatchSemaphore(value: 0)
        var outcome = DirectOutcome.written

        init(buffer: UnsafeMutableRawPointer, length: Int, offset: Int, fd: Int32, hook: (@Sendable (Int) -> Int32?)?) {
            self.buffer = buffer
            self.length = length
            self.offset = offset
            self.fd = fd
            self.hook = hook
        }

        func run() {
            if let code = hook?(offset) {
                outcome = .failed(code)
            } else {
                outcome = HashingFileSink.directWrite(fd, buffer, length)
            }
            done.signal()
        }
    }

    /// Writes `raw` at the end of the file through the page cache, starting write-back every `writebackChunk`.
    private func writeThroughCache(_ raw: UnsafeRawBufferPointer) throws {
        var off = 0
        while off < raw.count {
            let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
            if n < 0 {
                if errno == EINTR { continue }
                throw RasterIOError.io(path: reportedPath, reason: "write failed: \(errnoText())")
            }
            off += n
        }
        fileSize += raw.count
        if fileSize - writebackStarted >= Self.writebackChunk {
            _ = rs_start_writeback(fd, Int64(writebackStarted), Int64(fileSize - writebackStarted))
            writebackStarted = fileSize
        }
    }
}
