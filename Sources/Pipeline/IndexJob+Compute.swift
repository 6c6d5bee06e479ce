import Foundation
import RasterCore
import Analysis
import GroundStation

extension IndexJob {
    /// Computes every configured index the tile has bands for, then the class map from the bands and indices the
    /// scheme reads (extra indices it needs are computed but not written), and measures the tile's `TileResult`
    /// with Analysis (statistics, class counts, accuracy, regions).
    public func compute(_ loaded: Loaded, item: TileSource) throws -> Computed {
        let plan = indexPlan(loaded)
        guard !plan.applicable.isEmpty else {
            throw PipelineError.badTile(path: item.path, reason: "no configured index can be computed (\(indices.joined(separator: ", ")) need \(plan.lacking.sorted().joined(separator: ", "))); the tile has \(loaded.bands.isEmpty ? "no band with a common name (map them with inputs[].bands)" : loaded.bands.keys.sorted().joined(separator: ", "))")
        }
        var planes = try IndexRegistry.compute(plan.applicable + plan.extra, bands: loaded.bands,
                                               count: loaded.width * loaded.height)
        let classes = try classify(loaded, planes: planes, item: item)
        for e in plan.extra { planes[e] = nil }
        let result = try measure(loaded, planes: planes, classes: classes, item: item)
        let warning = plan.skipped.isEmpty ? nil
            : "indices \(plan.skipped.joined(separator: ", ")) not computed: \(loaded.scene?.satellite ?? "the tile") has no \(plan.lacking.sorted().joined(separator: ", ")) band"
        let computed = Computed(width: loaded.width, height: loaded.height, geo: loaded.geo, planes: planes, warning: warning,
                                classes: classes, quality: loaded.quality, result: result, scene: loaded.scene, date: loaded.date)
        return withTrueColor(computed, bands: loaded.bands)   // IndexJob+TrueColor.swift (outputs.rgb)
    }

    /// Which configured indices the tile's bands allow (`applicable`), which not (`skipped`, for lack of
    /// `lacking`), and the indices the scheme reads that are not configured outputs (`extra`).
    func indexPlan(_ loaded: Loaded) -> (applicable: [String], skipped: [String], lacking: Set<String>, extra: [String]) {
        var applicable: [String] = [], skipped: [String] = [], lacking = Set<String>()
        for name in indices {
            let missing = (IndexRegistry.lookup(name)?.requiredBands ?? []).filter { loaded.bands[$0] == nil }
            if missing.isEmpty { applicable.append(name) } else { skipped.append(name); lacking.formUnion(missing) }
        }
        var extra: [String] = []
        for v in (products.scheme?.variables ?? []).sorted() {
            guard let e = IndexRegistry.lookup(v), !applicable.contains(e.name), !extra.contains(e.name),
                  e.requiredBands.allSatisfy({ loaded.bands[$0] != nil }) else { continue }
            extra.append(e.name)
        }
        return (applicable, skipped, lacking, extra)
    }

    /// The class map of the configured scheme (nil without one), from the bands and every computed plane.
    /// `context` is the tile's (`classificationContext`) when `loaded` is a window of it.
    func classify(_ loaded: Loaded, planes: [String: [Float]], item: TileSource, context: ClassificationContext? = nil) throws -> ClassificationResult? {
        guard let scheme = products.scheme else { return nil }
        var inputs = loaded.bands
        for (k, v) in planes { inputs[k] = v }
        let context = context ?? classificationContext(geo: loaded.geo, width: loaded.width, height: loaded.height, date: loaded.date, item: item)
        do { return try scheme.classify(inputs: inputs, quality: loaded.quality, width: loaded.width, height: loaded.height, context: context) } catch {
            throw PipelineError.badTile(path: item.path, reason: "classification: \(error)")
        }
    }

    /// The scheme's priors for a tile of `width × height` on `geo` (the default scheme's: GroundStation's snow by
    /// latitude/date, clouds from the product's QA band), computed once per tile.
    func classificationContext(geo: GeoReference?, width: Int, height: Int, date: Date?, item: TileSource) -> ClassificationContext {
        products.scheme == .default ? ClassificationContext(
            snowPlausible: SnowPrior.plausible(geo: geo, width: width, height: height, date: date),
            cloudsFromQuality: item.input.hasQualityBand && loadOptions.clouds) : ClassificationContext()
    }

    /// The tile's result: one accumulator per written index, class counts with the scheme, the confusion matrix
    /// against ground truth, region partials, date and satellite. Every figure comes from Analysis.
    func measure(_ loaded: Loaded, planes: [String: [Float]], classes: ClassificationResult?, item: TileSource) throws -> TileResult {
        var result = TileResult(width: loaded.width, height: loaded.height, geo: loaded.geo)
        for (name, plane) in planes {
            result.indices[name] = plane.withUnsafeBufferPointer { BandStatistics.Accumulator(samples: $0, nodata: nil) }
        }
        if let classes, let scheme = products.scheme {
            result.classes = ClassCounts(classMap: classes.classes, scheme: scheme.classes, pixelHectares: result.pixelAreaM2 / 10_000)
            if let truth = loaded.truth {
                result.accuracy = try ConfusionMatrix(truth: truth.codes, predicted: classes.classes,
                                                      classes: scheme.classes.map(\.code).filter { $0 != 0 })
                result.truthFile = truth.name
            }
        }
        result.regions = try regionPartials(loaded, planes: planes, classes: classes?.classes, pixelAreaM2: result.pixelAreaM2, item: item)
        result.date = loaded.date.map(IndexJob.dayString)
        result.datetime = loaded.date.map { ISO8601DateFormatter().string(from: $0) }
        result.satellite = loaded.scene?.satellite
        result.role = item.input.role
        return result
    }

    /// Partial sums of every configured region overlapping the tile (none without a projected grid).
    func regionPartials(_ loaded: Loaded, planes: [String: [Float]], classes: [UInt8]?, pixelAreaM2: Double,
                        item: TileSource) throws -> [String: RegionPartial] {
        guard !products.regions.isEmpty, let geo = loaded.geo, pixelAreaM2 > 0 else { return [:] }
        var partials: [String: RegionPartial] = [:]
        do {
            let coverage = try RegionRasterizer.rasterize(products.regions, geo: geo, width: loaded.width, height: loaded.height)
            for (region, cov) in zip(products.regions, coverage) where !cov.pixels.isEmpty {
                let p = try RegionPartial.measure(cov, classes: classes, indices: planes, count: loaded.width * loaded.height,
                                                  pixelHectares: pixelAreaM2 / 10_000)
                partials[region.name, default: RegionPartial()].merge(p)
            }
        } catch {
            throw PipelineError.badTile(path: item.path, reason: "regions: \(error)")
        }
        return partials
    }

    /// `YYYY-MM-DD` of a date in UTC.
    static func dayString(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX"); f.timeZone = TimeZone(identifier: "UTC"); f.dateFormat = "yyyy-MM-dd"
        return f.string(from: d)
    }
}
