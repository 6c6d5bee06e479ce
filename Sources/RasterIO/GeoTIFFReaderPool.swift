import Foundation
public import RasterCore

/// Open `GeoTIFFReader`s shared by the windows of one tile, so that a window does not reopen (and re-parse the
/// header of) every file it reads. A reader is not thread-safe: `withReader` lends it to one caller at a time and
/// opens another for a concurrent caller, so at most one reader per file and concurrent caller is ever open.
/// Readers are opened `forWindows` (the image may exceed the decode limit; every read is capped by it).
public final class GeoTIFFReaderPool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [String: [GeoTIFFReader]] = [:]
    /// The limits every reader of the pool enforces.
    public let limits: ResourceLimits

    /// An empty pool.
    public init(limits: ResourceLimits = .default) { self.limits = limits }

    /// Runs `body` with a reader of `path` that no other caller uses meanwhile (opened when none is idle).
    public func withReader<T>(path: String, _ body: (GeoTIFFReader) throws -> T) throws -> T {
        let reader = try lock.withLock { idle[path]?.popLast() } ?? GeoTIFFReader(path: path, limits: limits, forWindows: true)
        defer { lock.withLock { idle[path, default: []].append(reader) } }
        return try body(reader)
    }

    /// Closes every idle reader (the pool stays usable).
    public func close() { lock.withLock { idle.removeAll() } }
}
