import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where a streamed GeoTIFF keeps its compressed tiles until the file is assembled: in memory up to
/// `memoryLimit` bytes, then in one scratch file next to the output (same file system, hidden name), which is
/// unlinked as soon as it is opened, so nothing is left behind whatever happens to the process. Thread-safe.
final class EncodedTileStore: @unchecked Sendable {
    private enum Place { case memory(EncodedTile), spilled(offset: Int64, length: Int) }
    private let lock = NSLock()
    private var tiles: [Int: Place] = [:]
    private var inMemory = 0
    private var spillFD: Int32 = -1
    private var spillEnd: Int64 = 0
    private let memoryLimit: Int
    private let outputPath: String

    /// A store for the tiles of the file at `outputPath`.
    init(outputPath: String, memoryLimit: Int) {
        self.outputPath = outputPath
        self.memoryLimit = memoryLimit
    }

    deinit { if spillFD >= 0 { close(spillFD) } }

    /// Number of tiles stored.
    var count: Int { lock.withLock { tiles.count } }

    /// Whether tiles went to the scratch file.
    var spilled: Bool { lock.withLock { spillFD >= 0 } }

    /// Keeps `tile` as tile `key` (once per key).
    func put(_ key: Int, _ tile: EncodedTile) throws {
        let bytes = tile.bytes
        let target: (fd: Int32, offset: Int64)? = try lock.withLock {
            precondition(tiles[key] == nil, "tile \(key) stored twice")
            if inMemory + bytes.count <= memoryLimit {
                tiles[key] = .memory(tile)
                inMemory += bytes.count
                return nil
            }
            if spillFD < 0 { spillFD = try openScratch() }
            let offset = spillEnd
            spillEnd += Int64(bytes.count)
            tiles[key] = .spilled(offset: offset, length: bytes.count)
            return (spillFD, offset)
        }
        guard let target else { return }
        var done = 0
        while done < bytes.count {
            let n = pwrite(target.fd, bytes.baseAddress! + done, bytes.count - done, off_t(target.offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw RasterIOError.io(path: outputPath, reason: "scratch write failed: \(errnoText())")
            }
            done += n
        }
    }

    /// The length of tile `key`, or nil when it was never stored.
    func length(_ key: Int) -> Int? {
        lock.withLock {
            switch tiles[key] {
            case .memory(let t): t.count
            case .spilled(_, let n): n
            case nil: nil
            }
        }
    }

    /// Calls `body` with the bytes of tile `key`.
    func withBytes(_ key: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let place: Place? = lock.withLock { tiles[key] }
        switch place {
        case .memory(let t): try withExtendedLifetime(t) { try body(t.bytes) }
        case .spilled(let offset, let length):
            var buf = [UInt8](repeating: 0, count: length)
            try buf.withUnsafeMutableBytes { raw in
                var done = 0
                while done < length {
                    let n = pread(spillFD, raw.baseAddress! + done, length - done, off_t(offset) + off_t(done))
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { throw RasterIOError.io(path: outputPath, reason: "scratch read failed: \(n < 0 ? errnoText() : "short file")") }
                    done += n
                }
            }
            try buf.withUnsafeBytes(body)
        case nil: throw RasterIOError.io(path: outputPath, reason: "tile \(key) was never written")
        }
    }

    /// Drops every tile and closes the scratch file (already unlinked).
    func clear() {
        lock.withLock {
            tiles = [:]
            inMemory = 0
            if spillFD >= 0 { close(spillFD); spillFD = -1 }
        }
    }

    /// Creates the hidden scratch file beside the output (confined like `AtomicFile`) and unlinks it at once.
    private func openScratch() throws -> Int32 {
        let fd: Int32
        if let place = try OutputTree.place(forWriting: outputPath) {
            defer { close(place.directory) }
            let name = AtomicFile.temporaryName(for: place.name) + ".tiles"
            fd = openat(place.directory, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd >= 0 { unlinkat(place.directory, name, 0) }
        } else {
            let path = AtomicFile.temporaryPath(for: outputPath) + ".tiles"
            fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd >= 0 { unlink(path) }
        }
        guard fd >= 0 else { throw RasterIOError.io(path: outputPath, reason: "cannot create the scratch file for tiles: \(errnoText())") }
        return fd
    }
}
