import Foundation
import RasterCore
import RasterIO
import Products

/// Renders Web Mercator tiles of a layer from its COGs: each tile pixel centre goes from EPSG:3857 to the source
/// CRS (PROJ at a lattice of pixel centres and bilinear in between, `PixelLattice`, when its measured error is under
/// 1/100 of the source pixel read; PROJ per pixel otherwise), takes the nearest source pixel of the overview chosen for the zoom (the coarsest not
/// coarser than the tile's pixels), and is coloured by the layer's palette. Sources of one date are mosaicked in
/// path order (the first with data wins); nodata, pixels outside every source and transparent palette entries
/// are transparent.
public final class TileRenderer: Sendable {
    /// Tile size in pixels.
    public let size: Int
    /// Windows larger than this many pixels are read row by row (a source without a fitting overview).
    let maxWindowPixels = 4_194_304
    private let transforms = TransformPool()

    /// A renderer of `size`-pixel tiles.
    public init(size: Int = 256) { self.size = size }

    /// The RGBA pixels (row-major, `size × size × 4`) of `tile` for `sources`, coloured with `palette`, or nil
    /// when no source overlaps the tile.
    public func render(_ tile: WebMercatorTile, sources: [SourceRaster], palette: Palette) throws -> [UInt8]? {
        let b = tile.bounds(size: size)
        let overlapping = sources.filter { $0.intersects(b) }
        guard !overlapping.isEmpty else { return nil }
        let n = size * size
        let res = tile.resolution(size: size)
        var rgba = [UInt8](repeating: 0, count: n * 4)
        var filled = [Bool](repeating: false, count: n)
        var lattices: [String: PixelLattice] = [:]   // per source CRS, made on first need
        for source in overlapping {
            // Pixels still empty whose centre lies inside this source's footprint box.
            let m = source.mercatorBounds
            var idx: [Int] = [], xs: [Double] = [], ys: [Double] = []
            for j in 0..<size {
                let y = b.maxY - (Double(j) + 0.5) * res
                guard y >= m.minY, y <= m.maxY else { continue }
                for i in 0..<size where !filled[j * size + i] {
                    let x = b.minX + (Double(i) + 0.5) * res
                    guard x >= m.minX, x <= m.maxX else { continue }
                    idx.append(j * size + i); xs.append(x); ys.append(y)
                }
            }
            guard !idx.isEmpty else { continue }
            // The tile's pixel size in source units, measured at the tile centre.
            let cx = (b.minX + b.maxX) / 2, cy = (b.minY + b.maxY) / 2
            var px = [cx, cx + res, cx], py = [cy, cy, cy + res]
            let lattice = try transforms.with(to: source.crs) { t in
                if (try? t.transform(xs: &px, ys: &py)) == nil { px = [0, .infinity, 0]; py = [0, 0, 0] }
                return lattices[source.crs] ?? PixelLattice(minX: b.minX, maxY: b.maxY, res: res, size: size, transform: t)
            }
            lattices[source.crs] = lattice
            let pixelSize = min(hypot(px[1] - px[0], py[1] - py[0]), hypot(px[2] - px[0], py[2] - py[0]))
            let level = source.level(forPixelSize: pixelSize)
            // The lattice when its measured error is under 1/100 of the source pixel read (nearest-pixel picks then
            // differ from PROJ's per pixel only within that distance of a pixel edge); PROJ per pixel otherwise.
            if lattice.maxError <= 0.01 * source.pixelSize(level: level) {
                for k in idx.indices { xs[k] = lattice.xs[idx[k]]; ys[k] = lattice.ys[idx[k]] }
            } else {
                // Points beyond the projection's domain come back NaN and are skipped below.
                try transforms.with(to: source.crs) { t in t.transformMarkingFailures(xs: &xs, ys: &ys) }
            }
            let gt = source.transform(level: level)
            let (w, h) = source.size(level: level)
            // Source pixel of every tile pixel; the window that holds them all.
            var cols = [Int](repeating: -1, count: idx.count), rows = [Int](repeating: -1, count: idx.count)
            var c0 = Int.max, c1 = Int.min, r0 = Int.max, r1 = Int.min
            for k in idx.indices where xs[k].isFinite && ys[k].isFinite {
                guard let p = gt.invert(x: xs[k], y: ys[k]) else { continue }
                let c = Int(p.column.rounded(.down)), r = Int(p.row.rounded(.down))
                guard c >= 0, c < w, r >= 0, r < h else { continue }
                cols[k] = c; rows[k] = r
                c0 = min(c0, c); c1 = max(c1, c); r0 = min(r0, r); r1 = max(r1, r)
            }
            guard c0 <= c1, r0 <= r1 else { continue }
            let planes = try read(source, level: level, cols: c0...c1, rows: r0...r1, neededRows: Set(rows.filter { $0 >= 0 }),
                                  bands: palette.isTrueColor ? 3 : 1)
            let values = planes[0]
            let ww = c1 - c0 + 1
            for k in idx.indices where cols[k] >= 0 {
                let at = (rows[k] - r0) * ww + cols[k] - c0
                let c: RGBA
                if palette.isTrueColor {
                    // A true-colour picture as it is: nodata in any band (or NaN) is transparent.
                    let r = planes[0][at], g = planes[1][at], bl = planes[2][at]
                    guard r.isFinite, g.isFinite, bl.isFinite else { continue }
                    if let nd = source.nodata, Double(r) == nd || Double(g) == nd || Double(bl) == nd { continue }
                    c = RGBA(UInt8(clamping: Int(r)), UInt8(clamping: Int(g)), UInt8(clamping: Int(bl)))
                } else {
                    var v = Double(values[at])
                    if v.isNaN { continue }
                    if let nd = source.nodata, v == nd { continue }
                    if source.scale != 1 || source.offset != 0 { v = v * source.scale + source.offset }
                    guard let colour = palette.color(v), colour.a > 0 else { continue }
                    c = colour
                }
                let o = idx[k]
                filled[o] = true
                rgba[4 * o] = c.r; rgba[4 * o + 1] = c.g; rgba[4 * o + 2] = c.b; rgba[4 * o + 3] = c.a
            }
        }
        return rgba
    }

    /// Raw values (Float, row-major over the window) of the first `bands` bands of `cols × rows` of overview `level`,
    /// one array per band; when the window is too large to decode at once, only `neededRows` are read, one row at a
    /// time (other rows stay NaN).
    private func read(_ source: SourceRaster, level: Int, cols: ClosedRange<Int>, rows: ClosedRange<Int>,
                      neededRows: Set<Int>, bands: Int = 1) throws -> [[Float]] {
        do {
            let reader = level == 0 ? try GeoTIFFReader(path: source.path) : try GeoTIFFReader(path: source.path, overview: level)
            let ww = cols.count, wh = rows.count
            let list = Array(0..<bands)
            if ww * wh <= maxWindowPixels {
                let r = try reader.read(window: Window(x: cols.lowerBound, y: rows.lowerBound, width: ww, height: wh), bands: list)
                return list.map { r.rawFloatBand($0) }
            }
            var out = [[Float]](repeating: [Float](repeating: .nan, count: ww * wh), count: bands)
            for r in neededRows.sorted() {
                let row = try reader.read(window: Window(x: cols.lowerBound, y: r, width: ww, height: 1), bands: list)
                let base = (r - rows.lowerBound) * ww
                for b in list {
                    let values = row.rawFloatBand(b)
                    for i in 0..<ww { out[b][base + i] = values[i] }
                }
            }
            return out
        } catch {
            throw ServeError.renderFailed(path: source.path, reason: "\(error)")
        }
    }
}

/// How a layer's values become colours when its tiles are drawn.
public struct Palette: Sendable {
    private let lookup: @Sendable (Double) -> RGBA?
    /// True for a true-colour picture: bands 1–3 are drawn as red, green and blue as they are (no palette).
    public let isTrueColor: Bool

    /// A continuous ramp (already stretched as wanted).
    public init(ramp: ColorRamp) { lookup = { ramp.color($0) }; isTrueColor = false }

    /// A true-colour picture (3 UInt8 bands), drawn as it is; the file's nodata is transparent.
    public static let trueColor = Palette(trueColor: ())

    private init(trueColor: Void) { lookup = { _ in nil }; isTrueColor = true }

    /// A class map's colour table (codes outside it, and `nodata`, transparent).
    public init(table: ColorTable, nodata: Int?) {
        isTrueColor = false
        let entries = table.entries
        lookup = { v in
            guard v >= 0, v < Double(entries.count), v == v.rounded() else { return nil }
            let code = Int(v)
            return code == nodata ? nil : entries[code]
        }
    }

    /// The colour of a physical value, nil for transparent.
    public func color(_ value: Double) -> RGBA? { lookup(value) }
}

extension AnyRaster {
    /// Band `band`'s stored values as Float (no nodata substitution: the renderer compares with the file's nodata).
    func rawFloatBand(_ band: Int = 0) -> [Float] {
        func plane<T>(_ r: Raster<T>) -> ArraySlice<T> {
            let n = r.width * r.height
            return r.samples[(band * n)..<((band + 1) * n)]
        }
        switch self {
        case .uint8(let r): return plane(r).map { Float($0) }
        case .int8(let r): return plane(r).map { Float($0) }
        case .uint16(let r): return plane(r).map { Float($0) }
        case .int16(let r): return plane(r).map { Float($0) }
        case .uint32(let r): return plane(r).map { Float($0) }
        case .int32(let r): return plane(r).map { Float($0) }
        case .float32(let r): return Array(plane(r))
        case .float64(let r): return plane(r).map { Float($0) }
        }
    }
}
