public import RasterCore

/// Why a raster cannot be brought onto a reference grid. Every case names both files.
public enum GridAlignmentError: Error, Equatable, CustomStringConvertible, Sendable {
    /// One of the two (or both) has no CRS, so where it lies relative to the other is unknown.
    case noCRS(file: String, reference: String, missing: [String])
    /// A CRS PROJ cannot be given (a user-defined GeoTIFF CRS with a projection TilePipe cannot spell).
    case unknownCRS(file: String, reference: String, crs: String)
    /// The raster does not overlap the reference grid at all.
    case noOverlap(file: String, reference: String, detail: String)
    /// PROJ refused the transformation between the two CRSs.
    case projection(file: String, reference: String, reason: String)

    /// The raster that could not be aligned.
    public var file: String {
        switch self { case .noCRS(let f, _, _), .unknownCRS(let f, _, _), .noOverlap(let f, _, _), .projection(let f, _, _): f }
    }

    /// `file cannot be aligned with reference: cause`.
    public var description: String {
        switch self {
        case let .noCRS(f, r, missing):
            return "\(f) cannot be aligned with \(r): \(missing.joined(separator: " and ")) \(missing.count == 1 ? "has" : "have") no CRS, so the two grids cannot be related (add a CRS, e.g. gdal_edit.py -a_srs EPSG:n)"
        case let .unknownCRS(f, r, crs):
            return "\(f) cannot be aligned with \(r): its CRS (\(crs)) cannot be handed to PROJ"
        case let .noOverlap(f, r, d):
            return "\(f) cannot be aligned with \(r): the two do not overlap (\(d))"
        case let .projection(f, r, why):
            return "\(f) cannot be aligned with \(r): \(why)"
        }
    }
}

/// Bringing rasters onto a reference grid with PROJ: the `GridMapping` between two grids (affine when they share a
/// CRS, through `CRSTransform` otherwise), the overlap and CRS checks, and reference grids in another CRS.
///
/// The PROJ objects live only while a mapping is built (the lattice is computed eagerly), so the mapping is a plain
/// value that any thread may use; each call creates its own PROJ context (PROJ contexts are not thread-safe).
public enum GridWarp {
    /// The mapping of `target` pixels onto `source` pixels. `sourceFile` and `targetFile` name the two in errors.
    /// - Throws: `GridAlignmentError` when a CRS is missing (and the grids differ), PROJ cannot relate the CRSs, or
    ///   no target pixel falls inside the source.
    public static func mapping(from source: RasterGrid, sourceFile: String, to target: RasterGrid, targetFile: String,
                               tolerance: Double = 0.01) throws(GridAlignmentError) -> GridMapping {
        let m: GridMapping
        switch (source.geo.crs, target.geo.crs) {
        case (nil, nil) where source.geo.transform == target.geo.transform:
            m = GridMapping.build(source: source, target: target, transform: nil)
        case (nil, _), (_, nil):
            var missing: [String] = []
            if source.geo.crs == nil { missing.append(sourceFile) }
            if target.geo.crs == nil { missing.append(targetFile) }
            throw .noCRS(file: sourceFile, reference: targetFile, missing: missing)
        case let (s?, t?):
            guard let sd = s.projDefinition else { throw .unknownCRS(file: sourceFile, reference: targetFile, crs: s.summary) }
            guard let td = t.projDefinition else { throw .unknownCRS(file: targetFile, reference: sourceFile, crs: t.summary) }
            if sd == td {
                m = GridMapping.build(source: source, target: target, transform: nil)
            } else {
                let proj: CRSTransform
                do { proj = try CRSTransform(from: td, to: sd) } catch {
                    throw .projection(file: sourceFile, reference: targetFile, reason: "\(error)")
                }
                m = GridMapping.build(source: source, target: target, transform: { xs, ys in
                    proj.transformMarkingFailures(xs: &xs, ys: &ys)
                }, tolerance: tolerance)
            }
        }
        guard m.sourceWindow(for: .full(width: target.width, height: target.height), margin: 0) != nil else {
            let sb = source.bounds, tb = target.bounds
            throw .noOverlap(file: sourceFile, reference: targetFile,
                             detail: "\(sourceFile) spans x \(fmt(sb.minX))…\(fmt(sb.maxX)), y \(fmt(sb.minY))…\(fmt(sb.maxY)) in \(source.geo.crs?.summary ?? "its CRS"); \(targetFile) spans x \(fmt(tb.minX))…\(fmt(tb.maxX)), y \(fmt(tb.minY))…\(fmt(tb.maxY)) in \(target.geo.crs?.summary ?? "its CRS")")
        }
        return m
    }

    /// Resamples `planes` (each `source.pixelCount` samples, NaN = nodata) from `source` onto `target`.
    public static func resample(_ planes: [[Float]], from source: RasterGrid, sourceFile: String, to target: RasterGrid,
                                targetFile: String, method: ResampleMethod) throws(GridAlignmentError) -> [[Float]] {
        if source.sameGrid(as: target) { return planes }
        let m = try mapping(from: source, sourceFile: sourceFile, to: target, targetFile: targetFile)
        return withBuffers(planes) { bufs in
            Resampler.resample(.init(planes: bufs, window: .full(width: source.width, height: source.height)), mapping: m, method: method)
        }
    }

    /// The grid, in `crs`, that covers `grid`: the edges of `grid` are sampled (21 points a side) and transformed,
    /// their bounding box is the extent; the pixel size is `resolution` when given (the corner then snapped outwards to
    /// multiples of it, as `gdalwarp -tap`), otherwise the one that keeps the number of pixels along the diagonal
    /// (GDAL's suggested warp output). `file` names the grid in errors.
    public static func reprojected(_ grid: RasterGrid, file: String, to crs: CRS, resolution: Double?) throws(GridAlignmentError) -> RasterGrid {
        guard let sc = grid.geo.crs else { throw .noCRS(file: file, reference: crs.summary, missing: [file]) }
        guard let sd = sc.projDefinition else { throw .unknownCRS(file: file, reference: crs.summary, crs: sc.summary) }
        guard let td = crs.projDefinition else { throw .unknownCRS(file: crs.summary, reference: file, crs: crs.summary) }
        var xs: [Double] = [], ys: [Double] = []
        let t = grid.geo.transform, w = Double(grid.width), h = Double(grid.height)
        for i in 0...20 {
            let f = Double(i) / 20
            for (c, r) in [(f * w, 0.0), (f * w, h), (0.0, f * h), (w, f * h)] {
                let p = t.apply(column: c, row: r)
                xs.append(p.x); ys.append(p.y)
            }
        }
        if sd != td {
            do { try CRSTransform(from: sd, to: td).transformMarkingFailures(xs: &xs, ys: &ys) } catch {
                throw .projection(file: file, reference: crs.summary, reason: "\(error)")
            }
        }
        let fx = xs.filter(\.isFinite), fy = ys.filter(\.isFinite)
        guard let minX = fx.min(), let maxX = fx.max(), let minY = fy.min(), let maxY = fy.max(), maxX > minX, maxY > minY else {
            throw .projection(file: file, reference: crs.summary, reason: "its extent cannot be expressed in \(crs.summary)")
        }
        if let resolution {
            return RasterGrid(crs: crs, bounds: (minX, minY, maxX, maxY), resolutionX: resolution, resolutionY: resolution, snap: true)
        }
        let diagonal = ((maxX - minX) * (maxX - minX) + (maxY - minY) * (maxY - minY)).squareRoot()
        let size = diagonal / (w * w + h * h).squareRoot()
        let cols = max(1, Int((maxX - minX) / size + 0.5)), rows = max(1, Int((maxY - minY) / size + 0.5))
        return RasterGrid(width: cols, height: rows,
                          geo: GeoReference(transform: GeoTransform(originX: minX, pixelWidth: size, originY: maxY, pixelHeight: -size), crs: crs))
    }

    private static func fmt(_ v: Double) -> String { v.isFinite ? String(Int(v.rounded())) : "?" }

    /// Runs `body` with buffer pointers to every array.
    private static func withBuffers<R>(_ arrays: [[Float]], _ body: ([UnsafeBufferPointer<Float>]) -> R) -> R {
        func go(_ i: Int, _ acc: [UnsafeBufferPointer<Float>]) -> R {
            if i == arrays.count { return body(acc) }
            return arrays[i].withUnsafeBufferPointer { go(i + 1, acc + [$0]) }
        }
        return go(0, [])
    }
}
