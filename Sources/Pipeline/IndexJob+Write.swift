import Foundation
import RasterCore
import RasterIO
import Analysis
import Products

extension IndexJob {
    /// What one tile's write has produced so far: recorded outputs (with hashes), STAC assets, product paths.
    struct WriteSession {
        let item: TileSource
        let directory: String
        let provenance: Provenance
        var outputs: [OutputRecord] = []
        var assets: [StacProductAsset] = []
        var result: TileResult

        /// The absolute path of `rel`.
        func full(_ rel: String) -> String { (directory as NSString).appendingPathComponent(rel) }

        /// Records a written file with the size and hash its writer computed while writing (no read-back).
        mutating func record(_ rel: String, _ file: WrittenFile) {
            outputs.append(OutputRecord(path: rel, tileId: item.id, hash: file.hash, bytes: file.bytes))
        }

        /// Records files a writer hashed while writing them, all beside `rel` (same folder).
        mutating func record(written files: [WrittenFile], beside rel: String) {
            let folder = (rel as NSString).deletingLastPathComponent
            for f in files {
                let path = (folder as NSString).appendingPathComponent((f.path as NSString).lastPathComponent)
                outputs.append(OutputRecord(path: path, tileId: item.id, hash: f.hash, bytes: f.bytes))
            }
        }
    }

    /// Writes one raster per index, the class map, the quality mask, quicklooks and the STAC item atomically and
    /// records each with its hash.
    public func write(_ c: Computed, item: TileSource) throws -> Products {
        let dir = (outputDirectory as NSString).appendingPathComponent("tiles/\(item.id)")
        try OutputTree.createDirectory(atPath: dir)   // confined: no link below the output folder is followed
        // Provenance names the input by file name only, so shards and machines write the same bytes.
        let provenance = Provenance(version: toolVersion, pipelineHash: configHash,
                                    inputs: [(item.path as NSString).lastPathComponent], extra: ["TILEPIPE_TILE_ID": item.id])
        var s = WriteSession(item: item, directory: outputDirectory, provenance: provenance, result: c.result)
        try writeIndices(c, &s)
        try writeClassMap(c, &s)
        try writeQualityMask(c, &s)
        try writeQuicklooks(c, &s)
        try writeTrueColor(c, &s)   // IndexJob+TrueColor.swift (outputs.rgb)
        try writeStacItem(c, &s)
        s.outputs.sort { $0.path < $1.path }
        return Products(outputs: s.outputs, warning: c.warning, result: s.result)
    }

    /// One Float32 COG per configured index (statistics from the tile's accumulators).
    func writeIndices(_ c: Computed, _ s: inout WriteSession) throws {
        for name in indices {
            guard let plane = c.planes[name] else { continue }
            let rel = IndexJob.outputPath(tile: s.item.id, index: name)
            let info = BandInfo(description: name, nodata: .nan)
            let raster = Raster<Float>(width: c.width, height: c.height, samples: plane, bands: [info], geo: c.geo)
            let written = try CloudOptimizedGeoTIFF.writeIndexFile(raster, to: s.full(rel), dataType: indexDataType, cog: overviews,
                                                                  provenance: s.provenance, codec: codec, tileSize: tileSize,
                                                                  statistics: c.result.indices[name].map { [$0.result] })
            let statistics = written.statistics.first
            s.record(rel, written.file)
            s.result.products.indexFiles[name] = rel
            s.assets.append(StacProductAsset(key: name, href: "./" + (rel as NSString).lastPathComponent, mediaType: StacAsset.cogMediaType,
                                             roles: ["data"], title: name.uppercased(),
                                             bands: [StacBand(name: name, info: indexDataType.storedBand(info), dataType: indexDataType.sampleType,
                                                              statistics: statistics)]))
        }
    }

    /// The class map (UInt8 COG with the scheme's colours and names).
    func writeClassMap(_ c: Computed, _ s: inout WriteSession) throws {
        guard let classes = c.classes, let scheme = products.scheme else { return }
        let rel = IndexJob.outputPath(tile: s.item.id, index: "landuse")
        let raster = classes.raster(scheme: scheme, geo: c.geo)
        let written = try CloudOptimizedGeoTIFF.writeFile(raster, to: s.full(rel), kind: .classes(products.classRamp), provenance: s.provenance,
                                        codec: codec, tileSize: tileSize)
        s.record(rel, written.file)
        s.record(written: written.sidecars, beside: rel)   // .tif.aux.xml and .qml
        s.result.products.classMap = rel
        s.assets.append(StacProductAsset(key: "landuse", href: "./" + (rel as NSString).lastPathComponent, mediaType: StacAsset.cogMediaType,
                                         roles: ["data"], title: "Land use",
                                         bands: [StacBand(name: "landuse", info: raster.bands[0], dataType: .uint8)]))
    }

    /// The ground-station quality codes as a small UInt8 COG (nearest overviews, nodata 255, code names in the
    /// metadata), when two-date jobs will read them (`TileProductOptions.qualityMask`) and the loader gave any.
    func writeQualityMask(_ c: Computed, _ s: inout WriteSession) throws {
        guard products.qualityMask, let quality = c.quality else { return }
        let rel = IndexJob.outputPath(tile: s.item.id, index: "quality")
        let band = BandInfo(description: "quality", nodata: 255)
        let raster = Raster<UInt8>(width: c.width, height: c.height, samples: quality, bands: [band], geo: c.geo)
        let written = try CloudOptimizedGeoTIFF.writeFile(raster, to: s.full(rel), kind: .classesNearest(IndexJob.qualityRamp), provenance: s.provenance,
                                        codec: codec, tileSize: tileSize)
        s.record(rel, written.file)
        s.record(written: written.sidecars, beside: rel)   // .tif.aux.xml and .qml
        s.result.products.qualityMask = rel
    }

    /// Names and colours of the ground-station quality codes (`PixelQuality`).
    static let qualityRamp = ColorRamp(name: "quality", title: "Pixel quality", stops: [
        .init(0, "#ffffff", "valid"), .init(1, "#000000", "nodata"), .init(2, "#ff00ff", "saturated"), .init(3, "#c8c8c8", "cloud"),
        .init(4, "#505050", "shadow"), .init(5, "#00ffff", "snow"), .init(6, "#e6e6fa", "cirrus"),
    ], interpolation: .categorical, nodataCode: 255)

    /// Quicklook PNGs (and world files) of `products.quicklooks`: index planes and `landuse`.
    func writeQuicklooks(_ c: Computed, _ s: inout WriteSession) throws {
        for product in products.quicklooks {
            let values: [Float]
            if product == "landuse" {
                guard let classes = c.classes else { continue }
                values = classes.classes.map { Float($0) }
            } else {
                guard let plane = c.planes[product] else { continue }
                values = plane
            }
            let (ramp, title, range) = quicklookStyle(product)
            let rel = "tiles/\(s.item.id)/\(s.item.id)_\(product).png"
            let q = try Quicklook.render(values: values, width: c.width, height: c.height, geo: c.geo, ramp: ramp,
                                         title: .init(satellite: c.scene?.satellite ?? "", date: c.result.date ?? "", tile: s.item.id, product: title),
                                         options: .init(longestSide: products.quicklookSize, range: range))
            s.record(written: try q.writeRecorded(to: s.full(rel)), beside: rel)   // the PNG, its world file and CRS .aux.xml
            s.result.products.quicklooks[product] = rel
            s.assets.append(StacProductAsset(key: "\(product)_quicklook", href: "./" + (rel as NSString).lastPathComponent,
                                             mediaType: StacAsset.pngMediaType, roles: ["overview"], title: "\(title) quicklook"))
        }
    }

    /// The ramp, title and fixed range (if any) of the quicklook of `product` (`landuse` or an index).
    func quicklookStyle(_ product: String) -> (ramp: ColorRamp, title: String, range: ClosedRange<Double>?) {
        if product == "landuse" { return (products.classRamp, "Land use", nil) }
        let (ramp, range) = IndexJob.quicklookRamp(product)
        return (ramp, product.uppercased(), range)
    }

    /// The colour ramp (and fixed range, if any) of an index quicklook.
    static func quicklookRamp(_ index: String) -> (ColorRamp, ClosedRange<Double>?) {
        switch index {
        case "ndvi", "evi", "savi", "ndmi", "nbr": return (.ndvi, nil)
        case "ndwi", "mndwi": return (.water, nil)
        default: return (.viridis, -1...1)
        }
    }

    /// The tile's STAC item, when it has a projected grid and a date.
    func writeStacItem(_ c: Computed, _ s: inout WriteSession) throws {
        guard products.stac, let geo = c.geo, geo.crs?.projDefinition != nil, let when = c.date else { return }
        let rel = IndexJob.itemPath(tile: s.item.id)
        let scene = StacScene(datetime: when, platform: c.scene?.satellite, instruments: c.scene.map { [$0.sensor] } ?? [],
                              cloudCover: c.scene?.cloudCover, processingLevel: c.scene?.processingLevel, sceneID: c.scene?.sceneID)
        var stac = try StacItem.make(id: s.item.id, collection: products.collectionId, collectionHref: "../../stac/collection.json",
                                     scene: scene, geo: geo, width: c.width, height: c.height, assets: s.assets, provenance: s.provenance)
        if let d = s.item.input.dateSource { stac.properties["tilepipe:date_source"] = .string("\(d.source.rawValue): \(d.evidence)") }
        s.record(rel, try stac.write(to: s.full(rel)))
        s.result.products.stacItem = rel
        s.result.products.stacSummary = stac.summary
    }
}
