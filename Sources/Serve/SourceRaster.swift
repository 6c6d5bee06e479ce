import Foundation
import RasterCore
import RasterIO

/// One COG of a run that a map layer draws: its grid, CRS, nodata, palette and overviews, read once when the
/// server starts (the pixels are read per tile).
public struct SourceRaster: Sendable {
    /// Absolute path.
    public let path: String
    /// Full-resolution width and height in pixels.
    public let width: Int, height: Int
    /// The full-resolution geotransform.
    public let transform: GeoTransform
    /// The CRS as PROJ takes it (`EPSG:32650`, a PROJ string).
    public let crs: String
    /// Overview sizes, finest first (overview 1, 2, ...).
    public let overviews: [(width: Int, height: Int)]
    /// Nodata of band 1 (nil: none; NaN for float products).
    public let nodata: Double?
    /// Scale and offset of band 1 (physical = raw × scale + offset).
    public let scale: Double, offset: Double
    /// The colour table of a class map (nil for continuous products).
    public let colorTable: ColorTable?
    /// The number of bands and their sample type.
    public let bandCount: Int, sampleType: SampleType
    /// Class names by code from `CLASS_<code>` band metadata (GDAL_METADATA), nodata code included.
    public let classNames: [Int: String]
    /// The footprint's bounds in EPSG:3857 metres (sampled along the edges, so curved edges are covered).
    public let mercatorBounds: (minX: Double, minY: Double, maxX: Double, maxY: Double)
    /// The footprint's bounds in WGS84 degrees.
    public let lonLatBounds: (west: Double, south: Double, east: Double, north: Double)
    /// File size and modification time (for ETag and Last-Modified).
    public let bytes: Int, modified: Date

    /// Reads the header of `path` (and of its overviews). Throws naming the file when it is not a georeferenced
    /// raster PROJ can place (band 1 is drawn, or bands 1–3 of a true-colour picture).
    public init(path: String) throws {
        let reader = try GeoTIFFReader(path: path)
        let d = reader.description
        guard let geo = d.geo, let crs = geo.crs?.projDefinition else {
            throw ServeError.unusableRun(path: path, reason: "not georeferenced (no CRS PROJ understands)")
        }
        self.path = path
        width = d.width; height = d.height
        transform = geo.transform
        self.crs = crs
        var ovs: [(Int, Int)] = []
        for k in 0..<d.layout.overviewCount {
            let o = try GeoTIFFReader(path: path, overview: k + 1).description
            ovs.append((o.width, o.height))
        }
        overviews = ovs
        let band = d.bands[0]
        nodata = band.nodata; scale = band.scale; offset = band.offset
        colorTable = band.colorTable
        bandCount = d.bandCount
        sampleType = d.sampleType
        var names: [Int: String] = [:]
        for (key, value) in band.metadata where key.hasPrefix("CLASS_") {
            if let code = Int(key.dropFirst(6)) { names[code] = value }
        }
        classNames = names
        // The outline: 16 points per edge, in pixel corners.
        var cols: [Double] = [], rows: [Double] = []
        for i in 0...16 {
            let t = Double(i) / 16
            cols += [t * Double(width), Double(width), (1 - t) * Double(width), 0]
            rows += [0, t * Double(height), Double(height), (1 - t) * Double(height)]
        }
        var xs = [Double](), ys = [Double]()
        for (c, r) in zip(cols, rows) {
            let p = geo.transform.apply(column: c, row: r)
            xs.append(p.x); ys.append(p.y)
        }
        do {
            var mx = xs, my = ys
            try CRSTransform(from: crs, to: "EPSG:3857").transform(xs: &mx, ys: &my)
            mercatorBounds = (mx.min()!, my.min()!, mx.max()!, my.max()!)
            var lx = xs, ly = ys
            try CRSTransform.toWGS84(from: crs).transform(xs: &lx, ys: &ly)
            lonLatBounds = (lx.min()!, ly.min()!, lx.max()!, ly.max()!)
        } catch {
            throw ServeError.unusableRun(path: path, reason: "cannot place the footprint in Web Mercator: \(error)")
        }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        bytes = (attributes?[.size] as? NSNumber)?.intValue ?? 0
        modified = (attributes?[.modificationDate] as? Date) ?? Date(timeIntervalSince1970: 0)
    }

    /// True for class maps (a colour table), false for continuous products.
    public var isCategorical: Bool { colorTable != nil }

    /// True for a true-colour picture (`<tile>_rgb.tif`: three or more UInt8 bands, red, green, blue first).
    public var isTrueColor: Bool { bandCount >= 3 && sampleType == .uint8 && colorTable == nil }

    /// The geotransform of overview `level` (0 = full resolution): the full grid's scaled to the overview's size.
    public func transform(level: Int) -> GeoTransform {
        guard level > 0 else { return transform }
        let o = overviews[level - 1]
        let fx = Double(width) / Double(o.width), fy = Double(height) / Double(o.height)
        let c = transform.coefficients
        return GeoTransform([c[0], c[1] * fx, c[2] * fy, c[3], c[4] * fx, c[5] * fy])
    }

    /// The side of a pixel of overview `level` in source-CRS units (the shorter of its two sides).
    public func pixelSize(level: Int) -> Double {
        let c = transform(level: level).coefficients
        return min(hypot(c[1], c[4]), hypot(c[2], c[5]))
    }

    /// The size of overview `level` (0 = full resolution).
    public func size(level: Int) -> (width: Int, height: Int) {
        level == 0 ? (width, height) : overviews[level - 1]
    }

    /// The overview to read for map pixels `pixelSize` source-CRS units wide: the coarsest whose pixels are
    /// not larger than the map's (as GDAL picks an overview for a warp), 0 when none is.
    public func level(forPixelSize pixelSize: Double) -> Int {
        let c = transform.coefficients
        let native = min(hypot(c[1], c[4]), hypot(c[2], c[5]))
        guard native > 0, pixelSize.isFinite else { return 0 }
        var best = 0
        for (k, o) in overviews.enumerated() {
            let factor = Double(width) / Double(o.width)
            if native * factor <= pixelSize * 1.0001 { best = k + 1 }
        }
        return best
    }

    /// True when the footprint overlaps the EPSG:3857 box.
    func intersects(_ b: (minX: Double, minY: Double, maxX: Double, maxY: Double)) -> Bool {
        let m = mercatorBounds
        return m.minX < b.maxX && m.maxX > b.minX && m.minY < b.maxY && m.maxY > b.minY
    }
}
