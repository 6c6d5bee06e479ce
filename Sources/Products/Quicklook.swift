import Foundation
public import RasterCore
public import RasterIO

/// A quicklook PNG: the map in the picture's top-left corner, the product coloured by a ramp, then a title line
/// (satellite · date · tile · product) and a legend panel below it (gradient bar with tick labels for linear
/// ramps, swatches with names for stepped and class ramps), a scale bar and a grid-north arrow over the map.
///
/// Linear ramps (indices) are stretched to the 2–98 % range of the map's valid pixels by default, and the legend
/// says so and labels the data values; class maps keep their palette. Masked pixels (NaN, a class map's nodata
/// code) are drawn as a grey hatch with their own legend entry, never in a ramp colour (`Options.masked`). Map
/// pixels take their colours from a `ColorLookup` of the ramp (4,096 samples for linear ramps: within one level
/// of `ColorRamp.color`, exact at the ends; class and stepped colours exact).
///
/// The map is downsampled so that its longest side is at most `Options.longestSide` (average for
/// continuous data, mode for classes). The world file's origin is the map's top-left pixel, which is the PNG's
/// top-left pixel: the map area (`mapRect`) sits exactly on the product's footprint, its far corner on the
/// product's far corner; the title and legend lie below and beside it, outside the footprint.
public struct Quicklook: Sendable {
    /// The words of the title line; empty parts are left out.
    public struct Title: Sendable, Equatable {
        /// Satellite or platform (`Sentinel-2A`).
        public var satellite: String
        /// Acquisition date or date pair.
        public var date: String
        /// Tile id.
        public var tile: String
        /// Product name (`NDVI`).
        public var product: String
        /// A title.
        public init(satellite: String, date: String, tile: String, product: String) {
            self.satellite = satellite; self.date = date; self.tile = tile; self.product = product
        }
        /// `satellite · date · tile · product`.
        public var text: String { [satellite, date, tile, product].filter { !$0.isEmpty }.joined(separator: " · ") }
    }

    /// Rendering options.
    public struct Options: Sendable, Equatable {
        /// Longest side of the map in pixels (default 1024); larger rasters are downsampled, smaller kept.
        public var longestSide: Int
        /// The TrueType font (default DejaVuSans from fonts-dejavu-core).
        public var fontPath: String
        /// Text size in pixels; nil = from the map size (11…18).
        public var fontSize: Int?
        /// Unit shown after the legend title (`reflectance`, ...); empty for none.
        public var unit: String
        /// The data range a linear ramp spans (e.g. 0…0.4 for reflectance with viridis); nil = `stretch` decides.
        public var range: ClosedRange<Double>?
        /// How a linear ramp is fitted to the data when `range` is nil.
        public var stretch: Stretch
        /// How masked pixels are drawn.
        public var masked: Masked
        /// Options with defaults.
        public init(longestSide: Int = 1024, fontPath: String = TextRenderer.defaultFontPath, fontSize: Int? = nil,
                    unit: String = "", range: ClosedRange<Double>? = nil, stretch: Stretch = .percentiles(low: 2, high: 98),
                    masked: Masked = .hatched) {
            self.longestSide = longestSide; self.fontPath = fontPath; self.fontSize = fontSize
            self.unit = unit; self.range = range; self.stretch = stretch; self.masked = masked
        }
    }

    /// How a linear ramp spans the data.
    public enum Stretch: Sendable, Equatable {
        /// The ramp's own stops (NDVI −1…1).
        case ramp
        /// The `low`–`high` percentiles of the map's valid pixels (2–98 by default).
        case percentiles(low: Double, high: Double)
    }

    /// How masked pixels (NaN, a class map's nodata code) are drawn.
    public enum Masked: Sendable, Equatable {
        /// A grey hatch with a legend entry (for readers: never confused with a ramp colour).
        case hatched
        /// Fully transparent (for overlays), no legend entry.
        case transparent
    }


    /// The rendered picture.
    public var canvas: Canvas
    /// The geotransform of the PNG's pixel grid (for the world file), nil without georeferencing.
    public var transform: GeoTransform?
    /// Where the map sits in the picture (x, y, width, height).
    public var mapRect: (x: Int, y: Int, width: Int, height: Int)
    /// The length the scale bar shows, in metres (nil when there is no scale bar).
    public var scaleBarMetres: Double?

    /// The title line, kept as the PNG's `Title` tEXt chunk.
    public var titleText: String

    /// The map's CRS as PROJ takes it (`EPSG:32650`), written to the PNG's `.aux.xml`; nil when unknown.
    public var crs: String?

    /// The data range the linear ramp was stretched to (nil for class maps or a fixed ramp).
    public var stretchRange: ClosedRange<Double>?
    /// Map pixels drawn as masked.
    public var maskedPixels: Int

    /// The picture as an RGBA PNG image (tEXt `Title` = the title line with ` | ` separators and non-ASCII
    /// characters as `?`, since tEXt is Latin-1; `Software` = tilepipe; no timestamp).
    public var image: PNGImage.Image {
        let ascii = titleText.replacingOccurrences(of: " · ", with: " | ").unicodeScalars
            .map { $0.value >= 32 && $0.value < 127 ? Character($0) : "?" }
        return canvas.pngImage(text: [("Title", String(ascii)), ("Software", "tilepipe")])
    }

    /// Renders band `band` of `raster` (nodata → transparent; physical values = raw × scale + offset).
    public static func render(_ raster: AnyRaster, band: Int = 0, ramp: ColorRamp, title: Title,
                              options: Options = Options()) throws -> Quicklook {
        guard band >= 0, band < raster.bandCount else {
            throw ProductsError.invalidInput(item: title.text, reason: "band \(band + 1) requested, raster has \(raster.bandCount)")
        }
        var values = raster.floatBand(band)
        let info = raster.bands[band]
        if info.scale != 1 || info.offset != 0 {
            let s = Float(info.scale), o = Float(info.offset)
            for i in values.indices { values[i] = values[i] * s + o }
        }
        return try render(values: values, width: raster.width, height: raster.height, geo: raster.geo, ramp: ramp,
                          title: title, options: options)
    }

    /// Renders a band given as Float values (`width × height`, row-major, NaN = nodata).
    public static func render(values: [Float], width: Int, height: Int, geo: GeoReference?, ramp: ColorRamp,
                              title: Title, options: Options = Options()) throws -> Quicklook {
        guard width > 0, height > 0, values.count == width * height else {
            throw ProductsError.invalidInput(item: title.text, reason: "\(values.count) values for a \(width)x\(height) raster")
        }
        guard options.longestSide >= 16 else {
            throw ProductsError.invalidInput(item: title.text, reason: "longest side \(options.longestSide) px is too small for a quicklook")
        }
        let categorical = ramp.interpolation == .categorical
        let (ow, oh) = QuicklookResampler.size(width: width, height: height, longestSide: options.longestSide)
        let map = QuicklookResampler.resample(values, width: width, height: height, outWidth: ow, outHeight: oh,
                                              categorical: categorical)
        // The stretch: a configured range, else the percentiles of the valid map pixels (linear ramps only).
        var stretch: ClosedRange<Double>? = ramp.interpolation == .linear ? options.range : nil
        var note = ""
        var finite: Int?   // finite map pixels, when the stretch counted them
        if ramp.interpolation == .linear, options.range == nil, case .percentiles(let lo, let hi) = options.stretch {
            let select = NearestRank(map)
            finite = select?.count ?? 0
            if let select, let r = percentileRange(select, low: lo, high: hi) {
                stretch = r
                note = "stretched to \(LegendLayout.format(lo))–\(LegendLayout.format(hi)) % of valid pixels"
            }
        }
        let lookup = ColorLookup(ramp: ramp, range: stretch)
        // A linear ramp masks exactly the non-finite values, which the stretch has just counted.
        let maskedCount = finite.map { map.count - $0 } ?? map.withUnsafeBufferPointer { lookup.maskedCount($0) }
        let showMasked = options.masked == .hatched && maskedCount > 0
        let base = options.fontSize ?? max(11, min(18, max(ow, oh) / 60))
        let font = try TextRenderer(fontPath: options.fontPath, pixelSize: base)
        let titleFont = try TextRenderer(fontPath: options.fontPath, pixelSize: base + 3)
        let pad = base / 2 + 4
        let lineH = font.ascender + font.descender + 2
        let titleH = titleFont.ascender + titleFont.descender + 2 * pad
        let legend = try LegendLayout(ramp: ramp, font: font, unit: options.unit, range: stretch,
                                      minWidth: max(ow, 24 * base), pad: pad, lineHeight: lineH, note: note, masked: showMasked)
        let titleW = try titleFont.measure(title.text)
        let canvasW = max(ow, max(legend.width, titleW) + 2 * pad)
        let canvasH = oh + titleH + legend.height + pad
        var canvas = Canvas(width: canvasW, height: canvasH, background: RGBA(255, 255, 255))
        // The map at the top-left corner (the world file's origin), then the title, then the legend.
        let mapX = 0, mapY = 0
        try canvas.text(title.text, x: pad, baseline: oh + pad + titleFont.ascender, font: titleFont, color: RGBA(20, 20, 20))

        // The map: ramp colours (from the lookup table, stretched); masked pixels hatched (or transparent).
        let hatched = options.masked == .hatched
        canvas.pixels.withUnsafeMutableBufferPointer { px in   // the map lies inside the canvas (canvasW ≥ ow, canvasH ≥ oh)
            map.withUnsafeBufferPointer { m in
                for y in 0..<oh {
                    let i = ((mapY + y) * canvasW + mapX) * 4
                    _ = lookup.paint(UnsafeBufferPointer(rebasing: m[(y * ow)..<((y + 1) * ow)]),
                                     into: UnsafeMutableBufferPointer(rebasing: px[i..<(i + 4 * ow)])) { x in
                        hatched ? LegendLayout.maskedColor(mapX + x, mapY + y) : RGBA(0, 0, 0, 0)
                    }
                }
            }
        }
        try legend.draw(on: &canvas, x: pad, y: oh + titleH, font: font)

        var pngTransform: GeoTransform?
        var scaleMetres: Double?
        if let geo {
            let c = geo.transform.coefficients
            let sx = Double(width) / Double(ow), sy = Double(height) / Double(oh)
            let mapT = GeoTransform([c[0], c[1] * sx, c[2] * sy, c[3], c[4] * sx, c[5] * sy])
            pngTransform = mapT.offset(column: -mapX, row: -mapY)
            scaleMetres = try MapDecorations.drawScaleBar(on: &canvas, transform: mapT, crs: geo.crs, mapX: mapX, mapY: mapY,
                                                         mapWidth: ow, mapHeight: oh, font: font, pad: pad)
            try MapDecorations.drawNorthArrow(on: &canvas, transform: mapT, mapX: mapX, mapY: mapY, mapWidth: ow,
                                              font: font, pad: pad)
        }
        return Quicklook(canvas: canvas, transform: pngTransform, mapRect: (mapX, mapY, ow, oh), scaleBarMetres: scaleMetres,
                         titleText: title.text, crs: geo?.crs?.projDefinition, stretchRange: stretch, maskedPixels: maskedCount)
    }

    /// The `low`–`high` percentiles (nearest rank) of the finite values, nil when there are none or they are all equal.
    ///
    /// Rank `round(p/100 · (n−1))` of the finite values in ascending order, as sorting them would give, found by
    /// selection instead of a sort (`NearestRank`): a sort of every quicklook map was 8 % of the full job's CPU.
    static func percentileRange(_ values: [Float], low: Double, high: Double) -> ClosedRange<Double>? {
        NearestRank(values).flatMap { percentileRange($0, low: low, high: high) }
    }

    /// `percentileRange` of the values `select` counted.
    static func percentileRange(_ select: NearestRank, low: Double, high: Double) -> ClosedRange<Double>? {
        let n = select.count
        func rank(_ p: Double) -> Int { min(n - 1, max(0, Int((p / 100 * Double(n - 1)).rounded()))) }
        let v = select.values(atRanks: [rank(low), rank(high)])
        let lo = Double(v[0]), hi = Double(v[1])
        return hi > lo ? lo...hi : nil
    }

    /// Writes the PNG (DEFLATE level 1 by libdeflate, filter NONE, atomically) and, when georeferenced, its `.pgw`
    /// world file beside it and, when the CRS is known, a `.aux.xml` with it (GDAL and QGIS read both). Returns the
    /// world file's path, or nil.
    ///
    /// The world file's origin is the map's top-left pixel (the PNG's): the map area lands exactly on the product's
    /// footprint; the title and legend panels below it fall outside the footprint.
    ///
    /// Filter NONE instead of libpng's adaptive choice: on colourised index maps (flat ramp colours) it encodes
    /// ≈ 2× faster at level 1 and the file is no larger (../shared/docs/performance.md, libpng encode).
    @discardableResult
    public func write(to path: String) throws -> String? {
        let files = try writeRecorded(to: path)
        return files.count > 1 ? files[1].path : nil
    }

    /// `write(to:)` returning the records of the PNG and, when georeferenced, its world file and CRS `.aux.xml`, each
    /// hashed as it was written.
    public func writeRecorded(to path: String) throws -> [WrittenFile] {
        var files = [try PNGImage.write(image, to: path, zlibLevel: 1, filter: PNGImage.filterNone)]
        guard let transform else { return files }
        files.append(try AtomicFile.write(text: WorldFile.text(for: transform), to: WorldFile.path(besideImage: path)))
        if let crs { files.append(try GISSidecars.writeImageCRS(crs, besideImage: path)) }
        return files
    }

    /// Renders and writes in one step; returns the quicklook.
    @discardableResult
    public static func write(_ raster: AnyRaster, band: Int = 0, ramp: ColorRamp, title: Title, to path: String,
                             options: Options = Options()) throws -> Quicklook {
        let q = try render(raster, band: band, ramp: ramp, title: title, options: options)
        try q.write(to: path)
        return q
    }
}
