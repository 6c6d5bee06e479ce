import Foundation

/// A rendered tile: PNG bytes with its validators.
public struct RenderedTile: Sendable {
    /// The PNG.
    public let png: [UInt8]
    /// A strong ETag (quoted), from the request and the content hashes of the sources drawn.
    public let etag: String
    /// The newest modification time of the sources drawn.
    public let lastModified: Date
    /// A rendered tile.
    public init(png: [UInt8], etag: String, lastModified: Date) {
        self.png = png; self.etag = etag; self.lastModified = lastModified
    }
}

/// A least-recently-used cache of rendered tiles, bounded by total bytes. Thread-safe.
public final class TileCache: @unchecked Sendable {
    private let lock = NSLock()
    private let capacity: Int
    private var entries: [String: (tile: RenderedTile, stamp: UInt64)] = [:]
    private var bytes = 0
    private var clock: UInt64 = 0
    /// Hits and misses since start (for tests and the log).
    public private(set) var hits = 0, misses = 0

    /// The largest cache `tilepipe serve --cache-mb` accepts, in MiB (16 GiB: far above what a map viewer needs,
    /// and small enough that MiB → bytes never overflows).
    public static let maximumMegabytes = 16_384

    /// `megabytes` MiB in bytes, or nil when it is outside 0…`maximumMegabytes`.
    public static func bytes(megabytes: Int) -> Int? {
        (0...maximumMegabytes).contains(megabytes) ? megabytes * 1_048_576 : nil
    }

    /// A cache holding at most `capacityBytes` of PNG.
    public init(capacityBytes: Int) { capacity = max(0, capacityBytes) }

    /// The tile under `key`, marked as just used; nil when absent.
    public func get(_ key: String) -> RenderedTile? {
        lock.lock(); defer { lock.unlock() }
        guard let e = entries[key] else { misses += 1; return nil }
        clock += 1
        entries[key] = (e.tile, clock)
        hits += 1
        return e.tile
    }

    /// Stores `tile` under `key`, evicting the least recently used tiles beyond the capacity.
    public func put(_ key: String, _ tile: RenderedTile) {
        lock.lock(); defer { lock.unlock() }
        guard tile.png.count <= capacity else { return }
        if let old = entries[key] { bytes -= old.tile.png.count }
        clock += 1
        entries[key] = (tile, clock)
        bytes += tile.png.count
        while bytes > capacity, let victim = entries.min(by: { $0.value.stamp < $1.value.stamp }) {
            bytes -= victim.value.tile.png.count
            entries.removeValue(forKey: victim.key)
        }
    }

    /// Number of tiles and bytes held.
    public var usage: (count: Int, bytes: Int) {
        lock.lock(); defer { lock.unlock() }
        return (entries.count, bytes)
    }
}
