internal import CPROJ

/// Errors from PROJ.
public struct ProjError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, with PROJ's own log lines.
    public var description: String
}

/// A coordinate transformation between two CRSs through PROJ (`proj_create_crs_to_crs`, normalised
/// for visualisation so that geographic CRSs are lon/lat, x first).
///
/// Not thread-safe: one PJ_CONTEXT and one PJ per instance; create one per thread or serial queue.
public final class CRSTransform {
    private final class LogSink { var lines: [String] = [] }
    private let log = LogSink()
    private let ctx: OpaquePointer
    private let pj: OpaquePointer

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

    /// A transform from a raster's CRS to WGS84 lon/lat (EPSG:4326, x = longitude).
    public static func toWGS84(from crsDefinition: String) throws -> CRSTransform {
        try CRSTransform(from: crsDefinition, to: "EPSG:4326")
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
