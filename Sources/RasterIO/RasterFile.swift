public import RasterCore
import Foundation

/// Format-independent entry points: sniff a file by its bytes (never its name), read it whole.
public enum RasterFile {
    /// File formats recognised by signature.
    public enum Format: Sendable { case tiff, png }

    /// Identifies a file by its first bytes; throws a typed error for anything else.
    public static func sniff(_ path: String) throws -> Format {
        try requireRegularFile(path)
        guard let fh = FileHandle(forReadingAtPath: path) else {
            throw RasterIOError.cannotOpen(path: path, reason: "permission denied or unreadable")
        }
        defer { try? fh.close() }
        let head = [UInt8]((try? fh.read(upToCount: 8)) ?? Data())
        if head.count >= 4, (head[0] == 0x49 && head[1] == 0x49 && (head[2] == 42 || head[2] == 43) && head[3] == 0)
            || (head[0] == 0x4D && head[1] == 0x4D && head[2] == 0 && (head[3] == 42 || head[3] == 43)) { return .tiff }
        if head.count == 8, head == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return .png }
        if head.count < 8 { throw RasterIOError.corrupt(path: path, reason: "file too short (\(head.count) bytes) to be a TIFF or PNG") }
        throw RasterIOError.corrupt(path: path, reason: "not a TIFF or PNG file (unrecognised signature)")
    }

    /// Reads a whole GeoTIFF or PNG file.
    public static func read(path: String, bands: [Int]? = nil, limits: ResourceLimits = .default) throws -> AnyRaster {
        switch try sniff(path) {
        case .tiff: return try GeoTIFFReader(path: path, limits: limits).read(bands: bands)
        case .png:
            let r = try readPNG(path: path, limits: limits)
            guard let bands else { return r }
            guard bands.allSatisfy({ $0 >= 0 && $0 < r.bandCount }) else {
                throw RasterIOError.invalidRequest(path: path, reason: "band \(bands.map { $0 + 1 }) not in 1...\(r.bandCount)")
            }
            return r.selecting(bands: bands)
        }
    }

    /// What a GeoTIFF or PNG holds (size, type, bands, georeferencing, layout), whichever the file is.
    /// GeoTIFFs are described from their header; PNGs are decoded (they have no cheaper header-only path here).
    /// Pair with `read(path:bands:limits:)` for code that takes either format.
    /// `forWindows`: a GeoTIFF may exceed the whole-image decode limit, as the windowed readers allow (each read is
    /// still capped); a PNG is always decoded whole and always checked against it.
    public static func describe(path: String, limits: ResourceLimits = .default, forWindows: Bool = false) throws -> RasterDescription {
        switch try sniff(path) {
        case .tiff: return try GeoTIFFReader(path: path, limits: limits, forWindows: forWindows).description
        case .png: return description(ofPNG: try readPNG(path: path, limits: limits), path: path)
        }
    }

    /// The description of a PNG already read as a raster.
    static func description(ofPNG r: AnyRaster, path: String) -> RasterDescription {
        RasterDescription(path: path, format: "PNG", width: r.width, height: r.height, sampleType: r.sampleType,
                          bands: r.bands, geo: r.geo, metadata: r.metadata,
                          layout: RasterLayout(interleave: .pixel, tiled: false, blockWidth: r.width, blockHeight: 1,
                                               compression: "DEFLATE", predictor: 1, bigTIFF: false, overviewCount: 0))
    }

    /// Reads a PNG as a planar raster (UInt8 or UInt16), with its world file as georeferencing and
    /// tRNS as nodata, as GDAL's PNG driver does. Palette images keep indices and the colour table.
    public static func readPNG(path: String, limits: ResourceLimits = .default) throws -> AnyRaster {
        let img = try PNGImage.read(path: path, limits: limits)
        let geo = try WorldFile.read(besideImage: path).map { GeoReference(transform: $0, crs: SidecarCRS.read(besideImage: path)) }
        let n = img.width * img.height
        let c = img.channels
        var infos = (0..<c).map { _ in BandInfo() }
        if let t = img.transparentValue { for b in 0..<min(c, t.count) { infos[b].nodata = Double(t[b]) } }
        if let p = img.palette {
            infos[0].colorTable = p
            // As GDAL's PNG driver: a palette with exactly one fully transparent entry makes that index nodata.
            let clear = p.entries.indices.filter { p.entries[$0].a == 0 }
            if clear.count == 1 { infos[0].nodata = Double(clear[0]) }
        }
        let md = Dictionary(img.text.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        if img.bitDepth == 16 {
            var planar = [UInt16](repeating: 0, count: n * c)
            for i in 0..<n { for b in 0..<c { planar[b * n + i] = img.pixels16[i * c + b] } }
            return .uint16(Raster(width: img.width, height: img.height, samples: planar, bands: infos, geo: geo, metadata: md))
        }
        var planar = [UInt8](repeating: 0, count: n * c)
        for i in 0..<n { for b in 0..<c { planar[b * n + i] = img.pixels8[i * c + b] } }
        return .uint8(Raster(width: img.width, height: img.height, samples: planar, bands: infos, geo: geo, metadata: md))
    }
}
