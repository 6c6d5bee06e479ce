import Foundation
public import Analysis
public import Products

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
    /// Write the ground-station quality mask of each tile (`<id>_quality.tif`) for the two-date jobs to read.
    public var qualityMask = false
    /// Write a true-colour picture of each tile that has red, green and blue (`<id>_rgb.tif`, `outputs.rgb`).
    public var trueColor = false

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
        o.trueColor = config.outputs.rgb ?? false
        return o
    }
}
