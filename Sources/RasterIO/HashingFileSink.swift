import RasterCore
internal import CShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A new file written front to back whose XXH64 and size are kept as the bytes go out (`AtomicFile.writeHashed`),
/// so the hash of an output never costs a second read. Used by one thread at a time.
public final class HashingFileSink {
    private var fd: Int32
    private let reportedPath: String
    private var hasher = XXH64()
    /// Bytes written so far.
    public private(set) var count = 0
    /// Bytes whose write-back was already started.
    private var writebackStarted = 0
    /// Write-back is started every this many bytes: the disk writes a large output (a scene's index: hundreds of
    /// MB) while the rest is still being written, so the fsync that publishes it waits for the last chunk only.
    static let writebackChunk = 8 << 20

    /// Creates `path` (which must not exist; links are not followed); errors name `reportedPath`.
    init(creating path: String, reportedAs reportedPath: String) throws {
        self.reportedPath = reportedPath
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RasterIOError.io(path: reportedPath, reason: "cannot create: \(errnoText())") }
    }

    deinit { close() }

    /// Appends `raw` to the file and to the hash.
    public func write(_ raw: UnsafeRawBufferPointer) throws {
        guard raw.count > 0 else { return }
        guard fd >= 0 else { throw RasterIOError.io(path: reportedPath, reason: "write after close") }
        var off = 0
        while off < raw.count {
            let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
            if n < 0 {
                if errno == EINTR { continue }
                throw RasterIOError.io(path: reportedPath, reason: "write failed: \(errnoText())")
            }
            off += n
        }
        hasher.add(raw)
        count += raw.count
        if count - writebackStarted >= Self.writebackChunk {
            _ = rs_start_writeback(fd, Int64(writebackStarted), Int64(count - writebackStarted))
            writebackStarted = count
        }
    }

    /// Appends `bytes`.
    public func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

    /// XXH64 of everything written so far (16 hex digits).
    public var hash: String { hasher.hex }

    /// Closes the descriptor (idempotent).
    func close() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }
}
