import Foundation
public import RasterCore

/// Idle tile encoders shared by every `GeoTIFFTileWriter` of the process, per configuration (sample type, bands,
/// tile size and write options), so a run that writes many files reuses their buffers instead of allocating them
/// per file.
///
/// An encoder holds a tile buffer, an output buffer of the codec's bound and the codec's state (about 3 MB for a
/// 512² Float32 tile); the default bench job opened seven writers per 1024² tile, each with its own encoders, and
/// zero-filling their fresh pages was the largest source of page faults. A writer takes an encoder from here for
/// each tile and gives it back after it, so the encoders alive are about the tiles being encoded at once, whatever
/// the number of open files. At most `limitPerKey` idle encoders of one configuration are kept (the rest are
/// freed). An encoder is the same whichever file it encoded for last: it keeps no per-file state between tiles.
final class TileEncoderPool: @unchecked Sendable {
    /// The process-wide pool.
    static let shared = TileEncoderPool(limitPerKey: 8)

    /// What makes two encoders interchangeable.
    struct Key: Equatable {
        let type: SampleType, bands: Int, tileSize: Int, options: GeoTIFFWriter.Options
    }

    private let lock = NSLock()
    private var idle: [(key: Key, encoders: [TIFFTileEncoder])] = []
    /// Idle encoders kept per configuration.
    let limitPerKey: Int

    /// A pool keeping at most `limitPerKey` idle encoders of each configuration.
    init(limitPerKey: Int) { self.limitPerKey = limitPerKey }

    /// An idle encoder of `key`'s configuration, or nil.
    func take(_ key: Key) -> TIFFTileEncoder? {
        lock.withLock {
            guard let i = idle.firstIndex(where: { $0.key == key }) else { return nil }
            return idle[i].encoders.popLast()
        }
    }

    /// Keeps `encoders` (all of `key`'s configuration) for later writers, up to the limit.
    func give(_ encoders: [TIFFTileEncoder], _ key: Key) {
        guard !encoders.isEmpty else { return }
        lock.withLock {
            let i = idle.firstIndex(where: { $0.key == key }) ?? { idle.append((key, [])); return idle.count - 1 }()
            let room = max(0, limitPerKey - idle[i].encoders.count)
            idle[i].encoders.append(contentsOf: encoders.prefix(room))
        }
    }

    /// Idle encoders of `key`'s configuration (tests).
    func count(_ key: Key) -> Int { lock.withLock { idle.first { $0.key == key }?.encoders.count ?? 0 } }
}
