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
    /// The aligned buffer (`directChunk` bytes), allocated on first use.
    private var buffer: UnsafeMutableRawPointer?
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
        buffer?.deallocate()
    }

    /// Appends `raw` to the file and to the hash.
    public func write(_ raw: UnsafeRawBufferPointer) throws {
        guard raw.count > 0 else { return }
        guard fd >= 0 else { throw RasterIOError.io(path: reportedPath, reason: "write after close") }
        hasher.add(raw)
        count += raw.count
        if mode == .buffered { return try writeThroughCache(raw) }
        let chunk = Self.directChunk
        let buf = buffer ?? {
            let b = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: Self.alignment)
            buffer = b
            return b
        }()
        var off = 0
        while off < raw.count {
            let n = min(chunk - buffered, raw.count - off)
            (buf + buffered).copyMemory(from: raw.baseAddress! + off, byteCount: n)
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

    /// Closes the descriptor (idempotent). Bytes still in the buffer are dropped: `flush` first.
    func close() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }

    /// Writes the full buffer: with direct I/O once the file system takes it, through the page cache otherwise.
    private func writeFullBuffer() throws {
        let buf = buffer!
        buffered = 0
        if mode == .gathering {
            mode = tryDirectIO && rs_set_direct_io(fd, 1) == 0 ? .direct : .buffered
        }
        if mode == .direct, try writeDirect(buf, Self.directChunk) { return }
        try writeThroughCache(UnsafeRawBufferPointer(start: buf, count: Self.directChunk))
    }

    /// Writes `length` aligned bytes at the aligned end of the file with direct I/O. Returns false, having turned
    /// direct I/O off for good, when the file system refuses it (EINVAL: alignment it does not accept, or no direct
    /// I/O at all), so that the caller writes the same bytes through the page cache.
    private func writeDirect(_ bytes: UnsafeMutableRawPointer, _ length: Int) throws -> Bool {
        var off = 0
        while off < length {
            let n = Glibc.write(fd, bytes + off, length - off)
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EINVAL && off == 0 {
                    _ = rs_set_direct_io(fd, 0)
                    mode = .buffered
                    return false
                }
                throw RasterIOError.io(path: reportedPath, reason: "write failed: \(errnoText())")
            }
            off += n
            if off < length && off % Self.alignment != 0 {
                // A short write left the rest unaligned: finish it through the page cache.
                _ = rs_set_direct_io(fd, 0)
                mode = .buffered
                fileSize += off
                directBytes += off
                try writeThroughCache(UnsafeRawBufferPointer(start: bytes + off, count: length - off))
                return true
            }
        }
        fileSize += length
        directBytes += length
        return true
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
