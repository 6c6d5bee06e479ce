internal import CPROJ
import Foundation

/// Errors from PROJ.
public struct ProjError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, with PROJ's own log lines.
    public var description: String
}

/// A coordinate transformation between two CRSs through PROJ (`proj_create_crs_to_crs`, normalised
/// for visualisation so that geographic CRSs are lon/lat, x first).
///
/// One PJ_CONTEXT and one PJ per instance; calls on an instance are serialised by its lock, so an instance can be
/// shared (`shared(from:to:)`); code that transforms from several threads at once keeps one per thread (serve's
/// `TransformPool`).
public final class CRSTransform: @unchecked Sendable {
    private final class LogSink { var lines: [String] = [] }
    private let log = LogSink()
    private let ctx: OpaquePointer
    private let pj: OpaquePointer
    private let lock = NSLock()

    /// A transform from `source` to `target`, each anything PROJ accepts (`EPSG:32650`, a PROJ string, WKT).
    public init(from source: String, to target: String) throws {
        guard let ctx = proj_context_create() else { throw ProjError(description: "PROJ: cannot create a context") }
        proj_log_func(ctx, Unmanaged.passUnretained(log).toOpaque()) { ud, _, msg in
            guard let ud, let msg else { return }
            Unmanaged<LogSink>.fromOpaque(ud).takeUnretainedValue().lines.append(String(cString: msg))
        }
        guard let raw = proj_create_crs_to_crs(ctx, source, target, nil) else {
            let code = proj_context_errno(ctx)
            let text = proj_context_errno_string(ctx, code).map { String(cString: $0) } ?? "error \(code)"
            let lines = log.lines.joined(separator: "; ")
            proj_context_destroy(ctx)
            throw ProjError(description: "PROJ: cannot transform \(source) -> \(target): \(text)\(lines.isEmpty ? "" : " (\(lines))")")
        }
        guard let norm = proj_normalize_for_visualization(ctx, raw) else {
            proj_destroy(raw)
            proj_context_destroy(ctx)
            throw ProjError(description: "PROJ: cannot normalise \(source) -> \(target) to x/y order")
        }
        proj_destroy(raw)
        self.ctx = ctx
        pj = norm
    }

    /// A transform from a raster's CRS to WGS84 lon/lat (EPSG:4326, x = longitude), shared (`shared(from:to:)`).
    public static func toWGS84(from crsDefinition: String) throws -> CRSTransform {
        try shared(from: crsDefinition, to: "EPSG:4326")
    }

    /// True when `shared(from:to:)` holds the transform `source` → `target` (it will not make one).
    public static func isShared(from source: String, to target: String) -> Bool {
        cache.lookup(key(source, target)) != nil
    }

    /// The key of the pair `source` → `target` in `cache`.
    private static func key(_ source: String, _ target: String) -> String { source + "\u{0}" + target }

    /// Transforms made by `shared`, by source and target; emptied when it reaches `sharedLimit` entries.
    private static let cache = SharedTransforms()
    /// How many pairs `shared` keeps (a run meets a handful of CRSs; the bound keeps a long `serve` finite).
    static let sharedLimit = 64

    /// The transform `source` → `target` of this process, made on first use and kept: making one opens PROJ's
    /// database and searches it for an operation (milliseconds), and a run asks for the same pair once per tile
    /// (footprints, STAC boxes, GeoJSON, sun geometry). A pair PROJ refuses is not kept: each call throws again.
    public static func shared(from source: String, to target: String) throws -> CRSTransform {
        let key = key(source, target)
        if let t = cache.lookup(key) { return t }
        return cache.insert(try CRSTransform(from: source, to: target), for: key, limit: sharedLimit)
    }

    /// The lock-guarded table behind `shared`.
    private final class SharedTransforms: @unchecked Sendable {
        private let lock = NSLock()
        private var table: [String: CRSTransform] = [:]

        func lookup(_ key: String) -> CRSTransform? { lock.withLock { table[key] } }

        /// Keeps `t` unless another thread kept one for `key` first; returns the one kept.
        func insert(_ t: CRSTransform, for key: String, limit: Int) -> CRSTransform {
            lock.withLock {
                if let kept = table[key] { return kept }
                if table.count >= limit { table.removeAll() }
                table[key] = t
                return t
            }
        }
    }

    deinit {
        proj_destroy(pj)
        proj_context_destroy(ctx)
    }

    /// Transforms points in place (`proj_trans_generic`). Throws if any point fails.
    public func transform(xs: inout [Double], ys: inout [Double]) throws {
        precondition(xs.count == ys.count, "xs and ys must have the same length")
        let n = xs.count
        guard n > 0 else { return }
        lock.lock()
        defer { lock.unlock() }
        proj_errno_reset(pj)
        let done = xs.withUnsafeMutableBufferPointer { xp in
            ys.withUnsafeMutableBufferPointer { yp in
                proj_trans_generic(pj, PJ_FWD, xp.baseAddress, MemoryLayout<Double>.stride, n,
                                   yp.baseAddress, MemoryLayout<Double>.stride, n, nil, 0, 0, nil, 0, 0)
            }
        }
        let err = proj_errno(pj)
        if done != n || err != 0 || !xs.allSatisfy(\.isFinite) || !ys.allSatisfy(\.isFinite) {
            let text = proj_errno_string(err).map { String(cString: $0) } ?? "error \(err)"
            throw ProjError(description: "PROJ: transformed \(done) of \(n) points: \(text)")
        }
    }

    /// Transforms points in place without throwing: a point PROJ cannot transform (outside the projection's domain)
    /// becomes NaN, the others are transformed as `transform(xs:ys:)` does. For resampling lattices, where a few
    /// nodes beyond a projection's edge must not fail the whole grid.
    public func transformMarkingFailures(xs: inout [Double], ys: inout [Double]) {
        precondition(xs.count == ys.count, "xs and ys must have the same length")
        let n = xs.count
        guard n > 0 else { return }
        lock.lock()
        defer { lock.unlock() }
        proj_errno_reset(pj)
        _ = xs.withUnsafeMutableBufferPointer { xp in
            ys.withUnsafeMutableBufferPointer { yp in
                proj_trans_generic(pj, PJ_FWD, xp.baseAddress, MemoryLayout<Double>.stride, n,
                                   yp.baseAddress, MemoryLayout<Double>.stride, n, nil, 0, 0, nil, 0, 0)
            }
        }
        proj_errno_reset(pj)
        for i in 0..<n where !(xs[i].isFinite && ys[i].isFinite) || abs(xs[i]) >= 1e30 || abs(ys[i]) >= 1e30 {
            xs[i] = .nan; ys[i] = .nan
        }
    }

    /// Transforms one point.
    public func transform(x: Double, y: Double) throws -> (x: Double, y: Double) {
        var xs = [x], ys = [y]
        try transform(xs: &xs, ys: &ys)
        return (xs[0], ys[0])
    }
}
