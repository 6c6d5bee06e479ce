import Foundation
public import RasterCore
import GroundStation
import RasterIO
public import Products
public import Analysis

/// The default per-tile job: load the bands the indices and the classification need (with the tile's quality
/// mask) → compute the configured indices fused, classify land use → write one Float32 Cloud-Optimized GeoTIFF per
/// index (`tiles/<id>/<id>_<index>.tif`, Products' COG policy: 512 tiles, DEFLATE or ZSTD with predictor 3,
/// overviews by average, nodata NaN, band description = index name, statistics and provenance in GDAL_METADATA,
/// georeferencing of the input), the land-use map (`<id>_landuse.tif`, UInt8, colour table, mode overviews),
/// quicklooks (`<id>_<product>.png` + `.pgw`) and a STAC item (`<id>_item.json`); per-index statistics and the
/// report figures (`TileResults`: class pixel counts, index sums, accuracy against `truth-landcover.tif`).
public struct IndexJob: TileStage {
    /// Loaded reflectance.
    public struct Loaded: Sendable {
        /// Width.
        public var width: Int
        /// Height.
        public var height: Int
        /// Input georeferencing.
        public var geo: GeoReference?
        /// Band name → values (NaN = invalid).
        public var bands: [String: [Float]]
        /// Ground-station quality codes per pixel (`PixelQuality`), nil when the loader gave none.
        public var quality: [UInt8]?
        /// Scene facts (satellite, time), when known.
        public var scene: SceneInfo?
        /// Acquisition date, when known.
        public var date: Date?
        /// `truth-landcover.tif` of the tile folder, when present (name, codes).
        public var truth: (name: String, codes: [UInt8])?
    }

    /// Computed index planes and their statistics.
    public struct Computed: Sendable {
        /// Width.
        public var width: Int
        /// Height.
        public var height: Int
        /// Georeferencing.
        public var geo: GeoReference?
        /// Index name → values.
        public var planes: [String: [Float]]
        /// Index name → statistics accumulator.
        public var statistics: [String: BandStatistics.Accumulator]
        /// Indices skipped for lack of bands, if any.
        public var warning: String?
        /// The land-use map.
        public var classes: ClassificationResult?
        /// Report figures (products filled in by `write`).
        public var results: TileResults
        /// Scene facts.
        public var scene: SceneInfo?
        /// Acquisition date.
        public var date: Date?
    }

    /// What the write produced.
    public struct Products: Sendable {
        /// Output files (relative to the output folder) with hashes.
        public var outputs: [OutputRecord]
        /// Per-index statistics.
        public var statistics: [String: BandStatistics.Accumulator]
        /// Pixels per plane.
        public var pixels: Int
        /// Indices skipped for lack of bands, if any.
        public var warning: String?
        /// Report figures.
        public var results: TileResults
    }

    /// Indices to compute, in config order.
    public let indices: [String]
    /// Output folder.
    public let outputDirectory: String
    /// Calibration (nil: the file's scale/offset).
    public let calibration: CalibrationSpec?
    /// `calibration:` and `masks:` as GroundStation applies them while loading.
    public var loadOptions: TileLoadOptions
    /// Output codec.
    public let codec: CloudOptimizedGeoTIFF.Codec
    /// Internal tile size.
    public let tileSize: Int
    /// Write overviews (COG); false writes a plain tiled GeoTIFF.
    public let overviews: Bool
    /// Sample type of the index rasters (`outputs.cog.dtype`).
    public let indexDataType: CloudOptimizedGeoTIFF.IndexDataType
    /// Tool version and config hash, written as provenance into every output.
    public let toolVersion: String, configHash: String
    /// Decode limits.
    public let limits: ResourceLimits
    /// Retries of reads that failed at the operating-system level.
    public var retry: ReadRetryPolicy = .default
    /// Classification, quicklooks and STAC settings.
    public let products: TileProductOptions
    /// The reference grid tiles are resampled onto at ingest (`grid:`, `outputs.crs`); nil: each tile's own grid.
    public var referenceGrid: ReferenceGrid?

    /// A job.
    public init(indices: [String], outputDirectory: String, calibration: CalibrationSpec? = nil, masks: MaskSpec? = nil, cog: CogSpec? = nil,
                toolVersion: String = "", configHash: String = "", limits: ResourceLimits = .default,
                products: TileProductOptions = TileProductOptions()) {
        self.products = products
        self.indices = indices
        self.outputDirectory = outputDirectory
        self.calibration = calibration
        loadOptions = TileLoadOptions.from(calibration: calibration, masks: masks, indices: indices, classifies: products.scheme != nil)
        codec = cog?.compression == "zstd" ? .zstd : .deflate
        tileSize = cog?.tileSize ?? 512
        overviews = cog?.overviews ?? true
        indexDataType = cog?.dtype == "int16" ? .int16 : .float32
        self.toolVersion = toolVersion
        self.configHash = configHash
        self.limits = limits
    }

    /// The bands the configured indices and the classification scheme read.
    public var neededBands: [String] {
        var set = Set(indices.compactMap { IndexRegistry.lookup($0) }.flatMap(\.requiredBands))
        for v in products.scheme?.variables ?? [] {
            if let e = IndexRegistry.lookup(v) { set.formUnion(e.requiredBands) } else { set.insert(v) }
        }
        return Array(set).sorted()
    }

    /// Every output a tile may write (the plan, and the resume check: recorded outputs must be a subset).
    public func expectedOutputs(tile id: String) -> [String] {
        var out = indices.map { IndexJob.outputPath(tile: id, index: $0) }
        if products.scheme != nil { out.append(IndexJob.outputPath(tile: id, index: "landuse")) }
        for p in products.quicklooks {
            out.append("tiles/\(id)/\(id)_\(p).png")
            out.append("tiles/\(id)/\(id)_\(p).pgw")
        }
        if products.stac { out.append(IndexJob.itemPath(tile: id)) }
        return out
    }

    /// The relative path of tile `id`'s STAC item.
    public static func itemPath(tile id: String) -> String { "tiles/\(id)/\(id)_item.json" }

    /// The relative output path of `index` for tile `id`.
    public static func outputPath(tile id: String, index: String) -> String { "tiles/\(id)/\(id)_\(index).tif" }

    /// Loads the needed bands through GroundStation (manifest calibration and masks, or the loose tile's band map,
    /// scale/offset and nodata → NaN); `calibration.mode: scale` then applies `DN × scale + offset`.
    /// A tile that lacks a band some indices need (a 4-band sensor and `nbr`) is loaded with the bands it has; the
    /// indices it cannot compute are skipped and reported as a warning of the tile (none computable is a failure).
    /// An operating-system read failure (`RasterIOError.io`) is retried under `retry`; corrupt input is not.
    public func ingest(_ item: TileSource) throws -> Loaded {
        try retry.run { try ingestOnce(item) }
    }

    /// One attempt of `ingest`.
    func ingestOnce(_ item: TileSource) throws -> Loaded {
        var tile: ReflectanceTile
        let needed = neededBands
        do { tile = try item.input.load(bands: needed, limits: limits, options: loadOptions) } catch ManifestError.missingBand {
            let all = try item.input.load(bands: nil, limits: limits, options: loadOptions)
            var t = all
            t.bands = all.bands.filter { needed.contains($0.key) }
            tile = t
        }
        if let referenceGrid { tile = try referenceGrid.apply(to: tile) }
        let bands = tile.bands   // calibrated and masked by GroundStation with `loadOptions`
        var truth: (String, [UInt8])?
        if products.scheme != nil, products.accuracy {
            let folder = ((item.files.first ?? item.path) as NSString).deletingLastPathComponent
            let path = (folder as NSString).appendingPathComponent("truth-landcover.tif")
            if FileManager.default.fileExists(atPath: path) {
                let r: Raster<UInt8> = try GeoTIFFReader(path: path).read(UInt8.self, window: nil, bands: [0])
                if r.width == tile.width && r.height == tile.height { truth = ("truth-landcover.tif", r.samples) }
            }
        }
        return Loaded(width: tile.width, height: tile.height, geo: tile.geo, bands: bands,
                      quality: tile.quality.count == tile.width * tile.height ? tile.quality : nil,
                      scene: tile.scene, date: item.input.date ?? tile.scene?.acquired, truth: truth)
    }

    /// Computes every configured index and its statistics accumulator (NaN → invalid), then the land-use map
    /// from the bands and indices the scheme reads (extra indices it needs are computed but not written), the
    /// class pixel counts and, with ground truth, the confusion matrix.
    public func compute(_ loaded: Loaded, item: TileSource) throws -> Computed {
        let count = loaded.width * loaded.height
        var applicable: [String] = [], skipped: [String] = [], lacking = Set<String>()
        for name in indices {
            let needs = IndexRegistry.lookup(name)?.requiredBands ?? []
            let missing = needs.filter { loaded.bands[$0] == nil }
            if missing.isEmpty { applicable.append(name) } else { skipped.append(name); lacking.formUnion(missing) }
        }
        guard !applicable.isEmpty else {
            throw PipelineError.badTile(path: item.path, reason: "no configured index can be computed (\(indices.joined(separator: ", ")) need \(lacking.sorted().joined(separator: ", "))); the tile has \(loaded.bands.isEmpty ? "no band with a common name (map them with inputs[].bands)" : loaded.bands.keys.sorted().joined(separator: ", "))")
        }
        // Indices the scheme reads that are not configured outputs, when the tile has their bands.
        var extra: [String] = []
        for v in (products.scheme?.variables ?? []).sorted() {
            guard let e = IndexRegistry.lookup(v), !applicable.contains(e.name), !extra.contains(e.name),
                  e.requiredBands.allSatisfy({ loaded.bands[$0] != nil }) else { continue }
            extra.append(e.name)
        }
        var planes = try IndexRegistry.compute(applicable + extra, bands: loaded.bands, count: count)
        var stats: [String: BandStatistics.Accumulator] = [:]
        var results = TileResults(width: loaded.width, height: loaded.height, pixelAreaM2: IndexJob.pixelArea(loaded.geo))
        for name in applicable {
            guard let plane = planes[name] else { continue }
            let acc = plane.withUnsafeBufferPointer { BandStatistics.Accumulator(samples: $0, nodata: nil) }
            stats[name] = acc
            results.indices[name] = IndexSums(acc)
        }
        var classes: ClassificationResult?
        if let scheme = products.scheme {
            var inputs = loaded.bands
            for (k, v) in planes { inputs[k] = v }
            // The default scheme's priors (GroundStation: snow by latitude/date, clouds from the product's QA band).
            let context = scheme == .default ? ClassificationContext(
                snowPlausible: SnowPrior.plausible(geo: loaded.geo, width: loaded.width, height: loaded.height, date: loaded.date),
                cloudsFromQuality: item.input.hasQualityBand && loadOptions.clouds) : ClassificationContext()
            do { classes = try scheme.classify(inputs: inputs, quality: loaded.quality, width: loaded.width, height: loaded.height, context: context) } catch {
                throw PipelineError.badTile(path: item.path, reason: "classification: \(error)")
            }
            var counts = [Int](repeating: 0, count: 256)
            for c in classes!.classes { counts[Int(c)] += 1 }
            for (c, n) in counts.enumerated() where n > 0 { results.classPixels[String(c)] = n }
            if let truth = loaded.truth {
                let codes = scheme.classes.map(\.code).filter { $0 != 0 }
                var m = [[Int]](repeating: [Int](repeating: 0, count: codes.count), count: codes.count)
                var index = [Int](repeating: -1, count: 256)
                for (k, c) in codes.enumerated() { index[Int(c)] = k }
                for i in 0..<count {
                    let t = index[Int(truth.codes[i])], p = index[Int(classes!.classes[i])]
                    if t >= 0 && p >= 0 { m[t][p] += 1 }
                }
                results.accuracy = TileAccuracy(classes: codes.map(Int.init), counts: m, truthFile: truth.name)
            }
        }
        if !products.regions.isEmpty, let geo = loaded.geo, results.pixelAreaM2 > 0 {
            let coverage: [RegionCoverage]
            do { coverage = try RegionRasterizer.rasterize(products.regions, geo: geo, width: loaded.width, height: loaded.height) } catch {
                throw PipelineError.badTile(path: item.path, reason: "regions: \(error)")
            }
            var sums: [String: RegionSums] = [:]
            for (region, cov) in zip(products.regions, coverage) where !cov.pixels.isEmpty {
                var r = RegionSums()
                var classW = [Double](repeating: 0, count: 256)
                if let cls = classes?.classes { for (p, f) in zip(cov.pixels, cov.fractions) { classW[Int(cls[p])] += Double(f) } }
                for (c, w) in classW.enumerated() where w > 0 { r.classHa[String(c)] = w * results.pixelAreaM2 / 10_000 }
                for name in applicable {
                    guard let buf = planes[name] else { continue }
                    var s = 0.0, w = 0.0
                    for (p, f) in zip(cov.pixels, cov.fractions) where buf[p].isFinite && f > 0 { s += Double(f) * Double(buf[p]); w += Double(f) }
                    r.weightedSums[name] = s; r.weights[name] = w
                }
                sums[region.name, default: RegionSums()].merge(r)
            }
            results.regions = sums.isEmpty ? nil : sums
        }
        for e in extra { planes[e] = nil }
        results.date = loaded.date.map(IndexJob.dayString)
        results.role = item.input.role
        results.datetime = loaded.date.map { ISO8601DateFormatter().string(from: $0) }
        results.satellite = loaded.scene?.satellite
        return Computed(width: loaded.width, height: loaded.height, geo: loaded.geo, planes: planes, statistics: stats,
                        warning: skipped.isEmpty ? nil : "indices \(skipped.joined(separator: ", ")) not computed: \(loaded.scene?.satellite ?? "the tile") has no \(lacking.sorted().joined(separator: ", ")) band",
                        classes: classes, results: results, scene: loaded.scene, date: loaded.date)
    }

    /// `YYYY-MM-DD` of a date in UTC.
    static func dayString(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX"); f.timeZone = TimeZone(identifier: "UTC"); f.dateFormat = "yyyy-MM-dd"
        return f.string(from: d)
    }

    /// Pixel area in m² = |a·e − b·d| of the transform for projected grids, 0 otherwise.
    static func pixelArea(_ geo: GeoReference?) -> Double {
        guard let geo, geo.crs?.isGeographic != true else { return 0 }
        let c = geo.transform.coefficients
        return abs(c[1] * c[5] - c[2] * c[4])
    }

    /// Writes one raster per index, the class map, quicklooks and the STAC item atomically and hashes each.
    public func write(_ c: Computed, item: TileSource) throws -> Products {
        let dir = (outputDirectory as NSString).appendingPathComponent("tiles/\(item.id)")
        try OutputTree.createDirectory(atPath: dir)   // confined: no link below the output folder is followed
        var outputs: [OutputRecord] = []
        var results = c.results
        let provenance = Provenance(version: toolVersion, pipelineHash: configHash,
                                    inputs: [(item.path as NSString).lastPathComponent], extra: ["TILEPIPE_TILE_ID": item.id])
        func record(_ rel: String) throws {
            let full = (outputDirectory as NSString).appendingPathComponent(rel)
            guard let hash = Fingerprint.file(full) else {
                throw PipelineError.outputUnwritable(path: full, reason: "cannot read back the written file")
            }
            let size = ((try? FileManager.default.attributesOfItem(atPath: full))?[.size] as? NSNumber)?.intValue ?? 0
            outputs.append(OutputRecord(path: rel, tileId: item.id, hash: hash, bytes: size))
        }
        var assets: [StacProductAsset] = []
        var bandStats: [String: BandStatistics] = [:]
        for name in indices {
            guard let plane = c.planes[name] else { continue }
            let rel = IndexJob.outputPath(tile: item.id, index: name)
            let full = (outputDirectory as NSString).appendingPathComponent(rel)
            let info = BandInfo(description: name, nodata: .nan)
            let raster = Raster<Float>(width: c.width, height: c.height, samples: plane, bands: [info], geo: c.geo)
            // Provenance names the input by file name only, so shards and machines write the same bytes.
            let st = try CloudOptimizedGeoTIFF.writeIndex(raster, to: full, dataType: indexDataType, cog: overviews, provenance: provenance,
                                                          codec: codec, tileSize: tileSize, statistics: c.statistics[name].map { [$0.result] })
            bandStats[name] = st.first
            try record(rel)
            results.indexFiles[name] = rel
            assets.append(StacProductAsset(key: name, href: "./" + (rel as NSString).lastPathComponent, mediaType: StacAsset.cogMediaType,
                                           roles: ["data"], title: name.uppercased(),
                                           bands: [StacBand(name: name, info: indexDataType.storedBand(info), dataType: indexDataType.sampleType,
                                                            statistics: bandStats[name])]))
        }
        if let classes = c.classes, let scheme = products.scheme {
            let rel = IndexJob.outputPath(tile: item.id, index: "landuse")
            let full = (outputDirectory as NSString).appendingPathComponent(rel)
            let raster = classes.raster(scheme: scheme, geo: c.geo)
            try CloudOptimizedGeoTIFF.write(raster, to: full, kind: .classes(products.classRamp), provenance: provenance, codec: codec, tileSize: tileSize)
            try record(rel)
            results.classMap = rel
            assets.append(StacProductAsset(key: "landuse", href: "./" + (rel as NSString).lastPathComponent, mediaType: StacAsset.cogMediaType,
                                           roles: ["data"], title: "Land use",
                                           bands: [StacBand(name: "landuse", info: raster.bands[0], dataType: .uint8)]))
        }
        let date = results.date ?? ""
        for product in products.quicklooks {
            let values: [Float], ramp: ColorRamp, title: String
            var range: ClosedRange<Double>?
            if product == "landuse" {
                guard let classes = c.classes else { continue }
                values = classes.classes.map { Float($0) }; ramp = products.classRamp; title = "Land use"
            } else {
                guard let plane = c.planes[product] else { continue }
                values = plane; title = product.uppercased()
                switch product {
                case "ndvi", "evi", "savi", "ndmi", "nbr": ramp = .ndvi
                case "ndwi", "mndwi": ramp = .water
                default: ramp = .viridis; range = -1...1
                }
            }
            let rel = "tiles/\(item.id)/\(item.id)_\(product).png"
            let full = (outputDirectory as NSString).appendingPathComponent(rel)
            let q = try Quicklook.render(values: values, width: c.width, height: c.height, geo: c.geo, ramp: ramp,
                                         title: .init(satellite: c.scene?.satellite ?? "", date: date, tile: item.id, product: title),
                                         options: .init(longestSide: products.quicklookSize, range: range))
            try q.write(to: full)
            try record(rel)
            if q.transform != nil { try record((rel as NSString).deletingPathExtension + ".pgw") }
            results.quicklooks[product] = rel
            assets.append(StacProductAsset(key: "\(product)_quicklook", href: "./" + (rel as NSString).lastPathComponent,
                                           mediaType: StacAsset.pngMediaType, roles: ["overview"], title: "\(title) quicklook"))
        }
        if products.stac, let geo = c.geo, geo.crs?.projDefinition != nil, let when = c.date {
            let rel = IndexJob.itemPath(tile: item.id)
            let scene = StacScene(datetime: when, platform: c.scene?.satellite, instruments: c.scene.map { [$0.sensor] } ?? [],
                                  cloudCover: c.scene?.cloudCover, processingLevel: c.scene?.processingLevel, sceneID: c.scene?.sceneID)
            var stac = try StacItem.make(id: item.id, collection: products.collectionId, collectionHref: "../../stac/collection.json",
                                         scene: scene, geo: geo, width: c.width, height: c.height, assets: assets, provenance: provenance)
            if let d = item.input.dateSource { stac.properties["tilepipe:date_source"] = .string("\(d.source.rawValue): \(d.evidence)") }
            try stac.write(to: (outputDirectory as NSString).appendingPathComponent(rel))
            try record(rel)
            results.stacItem = rel
        }
        outputs.sort { $0.path < $1.path }
        return Products(outputs: outputs, statistics: c.statistics, pixels: c.width * c.height, warning: c.warning, results: results)
    }
}

/// Classification, quicklook and STAC settings of the per-tile job.
public struct TileProductOptions: Sendable {
    /// The land-use scheme (nil: no class map).
    public var scheme: ClassificationScheme?
    /// The class map's colours and names.
    public var classRamp: ColorRamp
    /// Products drawn as quicklooks: index names and `landuse`.
    public var quicklooks: [String]
    /// Quicklook longest side in pixels.
    public var quicklookSize: Int
    /// Write a STAC item per tile.
    public var stac: Bool
    /// The STAC collection id items name.
    public var collectionId: String
    /// Compare the class map with `truth-landcover.tif` of the tile folder when present.
    public var accuracy: Bool
    /// Regions for per-region class areas and index means (`regions:`).
    public var regions: [Region] = []

    /// Options; the default writes index COGs only (no class map, quicklooks or STAC).
    public init(scheme: ClassificationScheme? = nil, classRamp: ColorRamp = .landUse, quicklooks: [String] = [],
                quicklookSize: Int = 1024, stac: Bool = false, collectionId: String = "tilepipe", accuracy: Bool = true) {
        self.scheme = scheme; self.classRamp = classRamp; self.quicklooks = quicklooks; self.quicklookSize = quicklookSize
        self.stac = stac; self.collectionId = collectionId; self.accuracy = accuracy
    }

    /// The options a config asks for: classification (`classification:` or the default land-use scheme; none with
    /// `classification.scheme: none`), quicklooks
    /// of `outputs.quicklooks.indices` (default `ndvi` when configured, and `landuse`), a STAC item per tile.
    public static func from(_ config: PipelineConfig) -> TileProductOptions {
        var o = TileProductOptions(stac: true, collectionId: config.outputs.stac?.collectionId ?? config.name ?? "tilepipe")
        if let classes = config.classification?.classes, !classes.isEmpty {
            var defs: [ClassDefinition] = [], rules: [ClassificationScheme.Rule] = []
            var stops = [ColorRamp.Stop(0, "#000000", "No data")]
            let palette = ["#0072B2", "#D55E00", "#009E73", "#E69F00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
            for (k, spec) in classes.enumerated() {
                let code = UInt8(k + 1)
                let color = spec.color ?? palette[k % palette.count]
                defs.append(ClassDefinition(code: code, name: spec.name, color: color))
                stops.append(ColorRamp.Stop(Double(code), color, spec.name))
                if let index = spec.index {
                    let iv: ValueInterval
                    switch (spec.min, spec.max) {
                    case let (lo?, hi?): iv = (try? ValueInterval(parsing: "[\(lo),\(hi))")) ?? .greater(than: Float(lo))
                    case let (lo?, nil): iv = (try? ValueInterval(parsing: ">=\(lo)")) ?? .greater(than: Float(lo))
                    case let (nil, hi?): iv = (try? ValueInterval(parsing: "<\(hi)")) ?? .greater(than: -.infinity)
                    case (nil, nil): iv = (try? ValueInterval(parsing: ">=-inf")) ?? .greater(than: -.infinity)
                    }
                    rules.append(.init(class: code, when: [index: iv]))
                }
            }
            o.scheme = ClassificationScheme(classes: defs, rules: rules, defaultClass: 0)
            o.classRamp = ColorRamp(name: "classes", title: "Classes", stops: stops, interpolation: .categorical, nodataCode: 0)
        } else if config.classification?.scheme == "none" {
            o.scheme = nil // indices only (benchmarks, index-only products): no class map, no land-use quicklook
        } else {
            o.scheme = .default
        }
        let classMap = o.scheme == nil ? [String]() : ["landuse"]
        o.quicklooks = config.outputs.quicklooks?.indices ?? ((config.indices.contains("ndvi") ? ["ndvi"] : []) + classMap)
        o.quicklookSize = config.outputs.quicklooks?.maxSize ?? 1024
        return o
    }
}
