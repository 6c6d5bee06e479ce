public import RasterCore

/// Everything one tile contributes to a run, as one typed, Codable, mergeable value: per-index statistics
/// accumulators, class pixel counts with the scheme that produced them, the confusion matrix against ground
/// truth, per-region partial sums, the tile's facts (date, satellite, grid) and the paths of its products.
///
/// Every figure is a partial sum, so `merge` combines tiles (and shards) into exactly the figures of one run:
/// accumulators merge by Chan's formula, counts and hectares add. The run catalog stores one per tile; run.json,
/// the reports, `tilepipe merge` and `tilepipe report` all read it and nothing else.
public struct TileResult: Codable, Sendable, Equatable {
    /// Acquisition date `YYYY-MM-DD` (UTC), when known (nil after merging tiles of several dates).
    public var date: String?
    /// Acquisition time, ISO 8601 (UTC), when known.
    public var datetime: String?
    /// Satellite name, when known.
    public var satellite: String?
    /// `inputs[].role` of the tile's input (`pre`/`post`), when set: two-date jobs take the latest `pre` and the
    /// earliest `post` tile of a pair group.
    public var role: String?
    /// Width and height of the tile grid (of the first tile, after a merge).
    public var width: Int, height: Int
    /// Pixel area in square metres (`PixelArea.squareMetresOrZero`; 0 without a projected grid).
    public var pixelAreaM2: Double
    /// Pixels processed (added by `merge`).
    public var pixels: Int
    /// Index name → statistics accumulator of its valid samples.
    public var indices: [String: BandStatistics.Accumulator]
    /// Class pixel counts of the class map with the scheme that produced them; nil without classification.
    public var classes: ClassCounts?
    /// The class map against the tile folder's ground truth, when it has one.
    public var accuracy: ConfusionMatrix?
    /// The ground-truth file the matrix was counted against.
    public var truthFile: String?
    /// Region name → coverage-weighted partial sums (configured regions overlapping the tile).
    public var regions: [String: RegionPartial]
    /// Files the tile wrote, relative to the run folder.
    public var products: TileProducts

    /// An empty result of a `width × height` tile on grid `geo`.
    public init(width: Int, height: Int, geo: GeoReference?) {
        self.width = width; self.height = height
        pixelAreaM2 = PixelArea.squareMetresOrZero(geo)
        pixels = width * height
        indices = [:]; regions = [:]; products = TileProducts()
    }

    /// Adds another tile's figures. Counts, sums and accumulators add; facts (date, satellite) are kept where both
    /// agree and dropped otherwise; a confusion matrix over other classes is left out (it would not add up).
    public mutating func merge(_ o: TileResult) {
        if date != o.date { date = nil; datetime = nil }
        if satellite != o.satellite { satellite = nil }
        if role != o.role { role = nil }
        if pixelAreaM2 != o.pixelAreaM2 { pixelAreaM2 = 0 }
        pixels += o.pixels
        for (name, acc) in o.indices { indices[name, default: BandStatistics.Accumulator()].merge(acc) }
        if var c = classes, let oc = o.classes { c.merge(oc); classes = c } else if classes == nil { classes = o.classes }
        if var a = accuracy, let oa = o.accuracy { if (try? a.merge(oa)) != nil { accuracy = a } } else if accuracy == nil {
            accuracy = o.accuracy; truthFile = o.truthFile
        }
        for (name, r) in o.regions { regions[name, default: RegionPartial()].merge(r) }
        products.merge(o.products)
    }

    /// The merge of `results` in the order given (callers pass the canonical tile-id order), nil when empty.
    public static func merged<S: Sequence>(_ results: S) -> TileResult? where S.Element == TileResult {
        var total: TileResult?
        for r in results { if total == nil { total = r } else { total!.merge(r) } }
        return total
    }
}

/// Pixel counts and hectares per class of a class map, with the classes (codes, names, colours) of the scheme
/// that produced it, so reports name classes from the scheme the tile used.
public struct ClassCounts: Codable, Sendable, Equatable {
    /// The scheme's classes.
    public var scheme: [ClassDefinition]
    /// Class code (decimal) → pixels.
    public var pixels: [String: Int]
    /// Class code (decimal) → hectares (pixels × pixel area of the tile they were counted on).
    public var hectares: [String: Double]

    /// Counts the codes of a class map; `pixelHectares` is one pixel's area (0 when unknown).
    public init(classMap: [UInt8], scheme: [ClassDefinition], pixelHectares: Double) {
        var counts = [Int](repeating: 0, count: 256)
        for c in classMap { counts[Int(c)] += 1 }
        self.scheme = scheme
        pixels = [:]; hectares = [:]
        for (c, n) in counts.enumerated() where n > 0 {
            pixels[String(c)] = n
            hectares[String(c)] = Double(n) * pixelHectares
        }
    }

    /// Adds another tile's counts; classes of its scheme this one lacks are appended.
    public mutating func merge(_ o: ClassCounts) {
        for (k, v) in o.pixels { pixels[k, default: 0] += v }
        for (k, v) in o.hectares { hectares[k, default: 0] += v }
        for c in o.scheme where !scheme.contains(where: { $0.code == c.code }) { scheme.append(c) }
    }

    /// Pixels of class `code`.
    public func pixels(of code: UInt8) -> Int { pixels[String(code)] ?? 0 }
    /// Hectares of class `code`.
    public func hectares(of code: UInt8) -> Double { hectares[String(code)] ?? 0 }
}

/// The files one tile wrote, relative to the run folder.
public struct TileProducts: Codable, Sendable, Equatable {
    /// Index name → index COG.
    public var indexFiles: [String: String] = [:]
    /// The class map.
    public var classMap: String?
    /// The ground-station quality mask (UInt8 `PixelQuality` codes), when the tile had one and two-date jobs read it.
    public var qualityMask: String?
    /// Product key (`ndvi`, `landuse`) → quicklook PNG.
    public var quicklooks: [String: String] = [:]
    /// The tile's STAC item.
    public var stacItem: String?
    /// What the run's STAC collection needs from that item (bbox, datetime, summarised fields).
    public var stacSummary: StacSummary?

    /// No products.
    public init() {}

    /// Adds another tile's products (only meaningful for listings; a merged value names no single tile's files).
    public mutating func merge(_ o: TileProducts) {
        indexFiles.merge(o.indexFiles) { a, _ in a }
        quicklooks.merge(o.quicklooks) { a, _ in a }
        classMap = classMap ?? o.classMap
        qualityMask = qualityMask ?? o.qualityMask
        stacItem = stacItem ?? o.stacItem
        stacSummary = stacSummary ?? o.stacSummary
    }
}
