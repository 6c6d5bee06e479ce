import Foundation
import RasterIO

/// PROJ transforms from EPSG:3857 to each source CRS, reused across requests. A `CRSTransform` is not
/// thread-safe and costs milliseconds to create (proj.db look-ups), so idle ones wait in a free list per CRS and
/// each render borrows one for itself.
final class TransformPool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [String: [CRSTransform]] = [:]

    /// Runs `body` with a transform from EPSG:3857 to `crs`, created on first need and returned to the pool after.
    func with<T>(to crs: String, _ body: (CRSTransform) throws -> T) throws -> T {
        lock.lock()
        let borrowed = idle[crs]?.popLast()
        lock.unlock()
        let t = try borrowed ?? CRSTransform(from: "EPSG:3857", to: crs)
        defer {
            lock.lock()
            if idle[crs, default: []].count < 8 { idle[crs, default: []].append(t) }
            lock.unlock()
        }
        return try body(t)
    }
}
