public import RasterCore
import RasterIO

/// Bringing bands and tiles of different grids onto one reference grid.
///
/// - Bands of one scene (`align`): the reference is the finest band's grid; every other band is resampled onto it
///   with PROJ (`GridWarp`): reflectance bilinear (or average when the band is finer than the reference), quality
///   layers nearest. Bands on another CRS are reprojected; bands without a CRS, or that do not overlap the
///   reference, fail with a message naming both files.
/// - A whole tile (`ReflectanceTile.resampled(to:)`): onto a configured grid (`grid:` / `outputs.crs` in
///   pipeline.yaml), reflectance as above, the quality codes nearest.
/// - `replicate`/`factor`: the integer-factor nearest replication used when neither band is georeferenced.
public enum GridAlignment {
    /// Replicates `values` (`width`×`height`, row-major) by `factor` in both directions, then crops or
    /// NaN-pads to `targetWidth`×`targetHeight`.
    public static func replicate(_ values: [Float], width: Int, height: Int, factor: Int, targetWidth: Int, targetHeight: Int) -> [Float] {
        var out = [Float](repeating: .nan, count: targetWidth * targetHeight)
        for y in 0..<targetHeight {
            let sy = y / factor
            guard sy < height else { break }
            for x in 0..<targetWidth {
                let sx = x / factor
                guard sx < width else { break }
                out[y * targetWidth + x] = values[sy * width + sx]
            }
        }
        return out
    }

    /// The integer factor that takes `size` to `target`, or nil when there is none.
    public static func factor(from size: Int, to target: Int) -> Int? {
        guard size > 0, target >= size else { return nil }
        let k = Int((Double(target) / Double(size)).rounded())
        guard k >= 1, abs(k * size - target) < k else { return nil }
        return k
    }

    /// How a layer's values are resampled.
    public enum LayerKind: Sendable {
        /// Continuous values (DN, reflectance): bilinear, or average when the layer is finer than the reference.
        case continuous
        /// Codes (quality bits, classes): nearest.
        case categorical
    }

    /// `values` (`width`×`height`, on `geo`, read from `file`) on the reference grid (`referenceWidth`×
    /// `referenceHeight` on `referenceGeo`, the grid of `referenceFile`). Layers already on the reference grid are
    /// returned as they are. Without georeferencing on either side, the integer-factor replication of `replicate`
    /// (shared upper-left corner) is the only alignment possible.
    /// - Throws: `ManifestError.gridMismatch` naming both files (no CRS, no overlap, no integer factor without
    ///   georeferencing).
    public static func align(_ values: [Float], width: Int, height: Int, geo: GeoReference?, file: String,
                             toWidth referenceWidth: Int, height referenceHeight: Int, geo referenceGeo: GeoReference?,
                             referenceFile: String, kind: LayerKind) throws -> [Float] {
        guard let geo, let referenceGeo else {
            if width == referenceWidth && height == referenceHeight { return values }
            guard let kx = factor(from: width, to: referenceWidth), let ky = factor(from: height, to: referenceHeight), kx == ky else {
                throw ManifestError.gridMismatch(file: file, reason: "\(file) is \(width)x\(height), \(referenceFile) \(referenceWidth)x\(referenceHeight), neither is georeferenced and the sizes are not an integer multiple")
            }
            return replicate(values, width: width, height: height, factor: kx, targetWidth: referenceWidth, targetHeight: referenceHeight)
        }
        let source = RasterGrid(width: width, height: height, geo: geo)
        let target = RasterGrid(width: referenceWidth, height: referenceHeight, geo: referenceGeo)
        if source.sameGrid(as: target) { return values }
        let method: ResampleMethod = kind == .categorical ? .nearest
            : .continuous(sourcePixelSize: source.pixelSize, targetPixelSize: target.pixelSize)
        do {
            return try GridWarp.resample([values], from: source, sourceFile: file, to: target, targetFile: referenceFile, method: method)[0]
        } catch {
            throw ManifestError.gridMismatch(file: file, reason: "\(error)")
        }
    }
}

extension ReflectanceTile {
    /// This tile on `grid` (named `gridName` in messages, e.g. "the grid: of pipeline.yaml"): reflectance bands with
    /// `method` (nil: bilinear, or average when the tile is finer than the grid), the quality codes nearest.
    /// A pixel the tile does not cover is NaN and `PixelQuality.nodata`; a pixel whose resampled quality is not valid
    /// is NaN in every band; a valid pixel where a band has no value becomes nodata. The tile on `grid` already
    /// is returned unchanged.
    /// - Throws: `ManifestError.gridMismatch` naming the tile's file and the grid (no CRS, no overlap).
    public func resampled(to grid: RasterGrid, gridName: String, method: ResampleMethod? = nil) throws -> ReflectanceTile {
        let file = sourceFiles.first ?? id
        guard let geo else {
            throw ManifestError.gridMismatch(file: file, reason: GridAlignmentError.noCRS(file: file, reference: gridName, missing: [file]).description)
        }
        let source = RasterGrid(width: width, height: height, geo: geo)
        if source.sameGrid(as: grid) { return self }
        let mapping: GridMapping
        do { mapping = try GridWarp.mapping(from: source, sourceFile: file, to: grid, targetFile: gridName) } catch {
            throw ManifestError.gridMismatch(file: file, reason: "\(error)")
        }
        let m = method ?? .continuous(sourcePixelSize: source.pixelSize, targetPixelSize: grid.pixelSize)
        let names = bandNames
        let full = Window.full(width: width, height: height)
        let planes: [[Float]] = Self.withBuffers(names.map { bands[$0]! }) { bufs in
            Resampler.resample(.init(planes: bufs, window: full), mapping: mapping, method: m)
        }
        let q = quality.map(Float.init)
        let qn = q.withUnsafeBufferPointer { Resampler.resample(.init(planes: [$0], window: full), mapping: mapping, method: .nearest)[0] }
        var codes = qn.map { $0.isNaN ? PixelQuality.nodata.rawValue : UInt8($0) }
        var out = [String: [Float]]()
        for p in planes { for i in p.indices where p[i].isNaN && codes[i] == PixelQuality.valid.rawValue { codes[i] = PixelQuality.nodata.rawValue } }
        for (name, var p) in zip(names, planes) {
            p.withUnsafeMutableBufferPointer { v in for i in 0..<v.count where codes[i] != PixelQuality.valid.rawValue { v[i] = .nan } }
            out[name] = p
        }
        var t = self
        t.width = grid.width
        t.height = grid.height
        t.geo = grid.geo
        t.bands = out
        t.quality = codes
        return t
    }

    /// Runs `body` with buffer pointers to every array.
    private static func withBuffers<R>(_ arrays: [[Float]], _ body: ([UnsafeBufferPointer<Float>]) -> R) -> R {
        func go(_ i: Int, _ acc: [UnsafeBufferPointer<Float>]) -> R {
            if i == arrays.count { return body(acc) }
            return arrays[i].withUnsafeBufferPointer { go(i + 1, acc + [$0]) }
        }
        return go(0, [])
    }
}
