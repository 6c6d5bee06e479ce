import Foundation
public import RasterCore
import RasterIO
public import GroundStation
public import Analysis
public import Products

extension IndexJob: WindowedTileStage {
    /// A tile opened for windowed processing: its grid and windows (one per output block, in Z-order), what it
    /// computes, and the open writers and quicklook reducers the windows feed.
    public final class WindowedTile: @unchecked Sendable {
        /// Full tile size.
        public let width: Int, height: Int
        /// Georeferencing of the full tile.
        public let geo: GeoReference?
        /// The windows (output blocks of `tileSize`) in the order they are run: Z-order (Morton order of the
        /// block coordinates), so each 2×2 group of blocks, and each 2×2 group of such groups, completes before the
        /// next starts. A streaming COG writer then holds about one pending overview tile per level, where
        /// row-major order kept a row of them per level (memory grew with the scene's width).
        public let windows: [Window]
        let bands: [String]?
        let filterTo: Set<String>?
        let applicable: [String], extra: [String]
        let warning: String?
        let context: ClassificationContext
        let truthPath: String?
        let scene: SceneInfo?
        let date: Date?
        let readers: GeoTIFFReaderPool
        let provenance: Provenance
        var indexWriters: [(name: String, rel: String, writer: COGIndexStreamWriter)] = []
        var classWriter: (rel: String, writer: COGStreamWriter<UInt8>, band: BandInfo)?
        var qualityWriter: (rel: String, writer: COGStreamWriter<UInt8>)?
        var quicklooks: [(product: String, reducer: QuicklookReducer)] = []
        /// The true-colour picture's writer (`outputs.rgb`, IndexJob+TrueColor.swift), and why there is none.
        var trueColor: (rel: String, writer: TrueColorWriter)?, trueColorWarning: String?
        /// Files `finish` has already published (removed again by `abort`).
        let published = LockedList<String>()
        /// What `finish` completes, one piece each, the costliest first (quicklooks, then the index COGs), so that
        /// pieces running at once end close together.
        var finishingPieces: [OutputPiece] {
            quicklooks.indices.map { .quicklook($0) } + indexWriters.indices.map { .index($0) }
                + (classWriter == nil ? [] : [.classMap]) + (qualityWriter == nil ? [] : [.quality])
        }
        /// The first window as `plan` read it (to learn the tile's bands), until `window(0)` takes it: decoded once.
        private var first: ReflectanceTile?
        private let firstLock = NSLock()
        /// The reflectance sanity counts of the windows done so far and the pixels they cover (`judgeEarly`).
        private var sanitySoFar = ReflectanceSanity.Tally(), pixelsJudged = 0
        private let sanityLock = NSLock()
        /// The sanity counts of every window judged: the whole tile's once its last window is done (`finish`).
        var sanity: ReflectanceSanity.Tally { sanityLock.withLock { sanitySoFar } }

        /// Adds a window's sanity counts and throws the tile's calibration failure as soon as the windows left
        /// cannot change the verdict (`Tally.failsWhatever`): a scene of digital numbers read as reflectance fails
        /// once half of it is read instead of after its last window. `finish` still judges the whole tile, so the
        /// outcome is the whole-tile route's.
        func judgeEarly(_ tally: ReflectanceSanity.Tally, pixels: Int, file: String) throws {
            let (soFar, judged) = sanityLock.withLock { () -> (ReflectanceSanity.Tally, Int) in
                sanitySoFar.merge(tally); pixelsJudged += pixels
                return (sanitySoFar, pixelsJudged)
            }
            let total = width * height
            guard soFar.failsWhatever(pixelsLeft: total - judged) else { return }
            do { try soFar.check(file: file) } catch ManifestError.calibration(let f, let reason) {
                let pct = Int((Double(judged) / Double(total) * 100).rounded(.down))
                throw ManifestError.calibration(file: f, reason: reason + " (decided after \(pct) % of the tile's pixels: the rest cannot change the outcome)")
            }
        }

        func keepFirst(_ tile: ReflectanceTile) { firstLock.withLock { first = tile } }
        func takeFirst() -> ReflectanceTile? { firstLock.withLock { defer { first = nil }; return first } }

        /// Window indices in row-major order of their blocks: the order window figures are merged in, so the
        /// merged statistics do not depend on the order windows run in.
        var rowMajor: [Int] { windows.indices.sorted { (windows[$0].y, windows[$0].x) < (windows[$1].y, windows[$1].x) } }

        init(width: Int, height: Int, geo: GeoReference?, windows: [Window], bands: [String]?, filterTo: Set<String>?,
             applicable: [String], extra: [String], warning: String?, context: ClassificationContext, truthPath: String?,
             scene: SceneInfo?, date: Date?, readers: GeoTIFFReaderPool, provenance: Provenance) {
            self.width = width; self.height = height; self.geo = geo; self.windows = windows
            self.bands = bands; self.filterTo = filterTo; self.applicable = applicable; self.extra = extra
            self.warning = warning; self.context = context; self.truthPath = truthPath; self.scene = scene; self.date = date
            self.readers = readers; self.provenance = provenance
        }

        /// The tile's output folder.
        var directory: String?

        /// Drops every writer and removes what was published (and the tile's folder when that leaves it empty):
        /// nothing partial is left.
        func abort() {
            for w in indexWriters { w.writer.abort() }
            classWriter?.writer.abort()
            qualityWriter?.writer.abort()
            trueColor?.writer.abort()
            for p in published.items { try? FileManager.default.removeItem(atPath: p) }
            if let directory, (try? FileManager.default.contentsOfDirectory(atPath: directory))?.isEmpty == true {
                rmdir(directory)
            }
            readers.close()
        }
    }

    /// One output `finish` completes on its own (a `FanOut` piece): an index COG, the class map, the quality mask
    /// or a quicklook.
    enum OutputPiece: Hashable, Sendable {
        case index(Int), classMap, quality, quicklook(Int)
    }

    /// What a finishing piece wrote.
    enum FinishedProduct: Sendable {
        case cog(WrittenCOG)
        case quicklook(rel: String, title: String, files: [WrittenFile])
    }

    /// The figures of one window (its share of the reflectance sanity check goes to `WindowedTile.judgeEarly`).
    public struct WindowPart: Sendable {
        /// Accumulators, class counts, confusion matrix and region partials of the window.
        public var result: TileResult
    }

    /// Opens `item` for windowed processing: nil (whole-tile route) when windows are off, the tile is resampled onto
    /// a reference grid, the scheme needs the whole scene (`autoWater`'s Otsu threshold, `minimumMappingUnit`), or
    /// the input cannot be read in windows (PNG, bands on different grids). Reads the first window to learn which
    /// bands the tile has (kept for `window(0)`, so it is decoded once), then opens one streaming writer per product.
    /// The first tile the job opens reads only its top-left pixel for that: no window of the run has started yet,
    /// and its first window is then decoded by `window(0)` beside the others instead of alone before them (one input
    /// block decoded twice per run, against about 20 ms of a 1024² tile's start on one core).
    public func plan(_ item: TileSource) throws -> WindowedTile? {
        guard windowed, referenceGrid == nil else { return nil }
        if let s = products.scheme, s.autoWater != nil || s.minimumMappingUnit != nil { return nil }
        let needed = neededBands
        var bands: [String]? = needed
        var grid: (width: Int, height: Int, geo: GeoReference?)?
        do { grid = try retry.run { try item.input.windowGrid(bands: needed, limits: limits, options: loadOptions) } } catch ManifestError.missingBand {
            bands = nil   // as `ingest`: load the bands the tile has; the indices it cannot compute are skipped
            grid = try retry.run { try item.input.windowGrid(bands: nil, limits: limits, options: loadOptions) }
        }
        guard let grid else { return nil }
        let windows = IndexJob.zOrderWindows(width: grid.width, height: grid.height, tileSize: tileSize)
        let readers = GeoTIFFReaderPool(limits: limits)
        let keep = !opened.markFirst()
        let read = keep ? windows[0] : Window(x: 0, y: 0, width: 1, height: 1)
        let first: ReflectanceTile
        do { first = try retry.run { try item.input.load(bands: bands, limits: limits, options: loadOptions, window: read, readers: readers) } }
        catch ManifestError.missingBand where bands != nil {
            bands = nil   // as `ingest`: load the bands the tile has; the indices it cannot compute are skipped
            first = try retry.run { try item.input.load(bands: nil, limits: limits, options: loadOptions, window: read, readers: readers) }
        }
        let filterTo: Set<String>? = bands == nil ? Set(needed) : nil
        let firstBands = filterTo.map { f in first.bands.filter { f.contains($0.key) } } ?? first.bands
        let date = item.input.date ?? first.scene?.acquired
        let probe = Loaded(width: first.width, height: first.height, geo: first.geo, bands: firstBands, quality: nil,
                           scene: first.scene, date: date, truth: nil)
        let plan = indexPlan(probe)
        guard !plan.applicable.isEmpty else {
            throw TileFailure(tileId: item.id, path: item.path, stage: .compute, error: PipelineError.badTile(path: item.path, reason: "no configured index can be computed (\(indices.joined(separator: ", ")) need \(plan.lacking.sorted().joined(separator: ", "))); the tile has \(firstBands.isEmpty ? "no band with a common name (map them with inputs[].bands)" : firstBands.keys.sorted().joined(separator: ", "))"))
        }
        let warning = plan.skipped.isEmpty ? nil
            : "indices \(plan.skipped.joined(separator: ", ")) not computed: \(first.scene?.satellite ?? "the tile") has no \(plan.lacking.sorted().joined(separator: ", ")) band"
        var geo = grid.geo
        if geo != nil, let g = first.geo { geo = GeoReference(transform: geo!.transform, crs: g.crs, rasterType: g.rasterType) }
        let provenance = Provenance(version: toolVersion, pipelineHash: configHash,
                                    inputs: [(item.path as NSString).lastPathComponent], extra: ["TILEPIPE_TILE_ID": item.id])
        let tile = WindowedTile(width: grid.width, height: grid.height, geo: geo, windows: windows, bands: bands, filterTo: filterTo,
                                applicable: plan.applicable, extra: plan.extra, warning: warning,
                                context: classificationContext(geo: geo, width: grid.width, height: grid.height, date: date, item: item),
                                truthPath: try truthPath(item, width: grid.width, height: grid.height),
                                scene: first.scene, date: date, readers: readers, provenance: provenance)
        if keep { tile.keepFirst(first) }
        do { try openWriters(tile, item: item) } catch {
            tile.abort()
            throw TileFailure(tileId: item.id, path: item.path, stage: .write, error: error)
        }
        do { try openTrueColor(tile, item: item, firstBands: Set(firstBands.keys)) } catch {   // its stretch pre-pass reads the tile
            tile.abort()
            throw TileFailure(tileId: item.id, path: item.path, stage: .ingest, error: error)
        }
        return tile
    }

    /// The output blocks of a `width × height` grid as windows, in Z-order: sorted by the Morton code of their
    /// block coordinates (bits of x and y interleaved), which for a grid that is not a power of two skips the
    /// blocks outside it and keeps the order.
    public static func zOrderWindows(width: Int, height: Int, tileSize T: Int) -> [Window] {
        func spread(_ v: Int) -> UInt64 {
            var x = UInt64(v) & 0xFFFF_FFFF
            x = (x | x << 16) & 0x0000_FFFF_0000_FFFF
            x = (x | x << 8) & 0x00FF_00FF_00FF_00FF
            x = (x | x << 4) & 0x0F0F_0F0F_0F0F_0F0F
            x = (x | x << 2) & 0x3333_3333_3333_3333
            x = (x | x << 1) & 0x5555_5555_5555_5555
            return x
        }
        var blocks: [(code: UInt64, window: Window)] = []
        for y in stride(from: 0, to: height, by: T) {
            for x in stride(from: 0, to: width, by: T) {
                blocks.append((spread(x / T) | spread(y / T) << 1, Window(x: x, y: y, width: min(T, width - x), height: min(T, height - y))))
            }
        }
        return blocks.sorted { $0.code < $1.code }.map(\.window)
    }

    /// Opens the streaming writers (index COGs, class map, quality mask) and the quicklook reducers of `tile`.
    func openWriters(_ tile: WindowedTile, item: TileSource) throws {
        let dir = (outputDirectory as NSString).appendingPathComponent("tiles/\(item.id)")
        try OutputTree.createDirectory(atPath: dir)   // confined: no link below the output folder is followed
        tile.directory = dir
        func full(_ rel: String) -> String { (outputDirectory as NSString).appendingPathComponent(rel) }
        let (W, H, geo) = (tile.width, tile.height, tile.geo)
        for name in indices where tile.applicable.contains(name) {
            let rel = IndexJob.outputPath(tile: item.id, index: name)
            let w = try COGIndexStreamWriter(path: full(rel), width: W, height: H, bands: [BandInfo(description: name, nodata: .nan)], geo: geo,
                                             dataType: indexDataType, cog: overviews, provenance: tile.provenance, codec: codec, tileSize: tileSize,
                                             statisticsGiven: true)   // `finish` passes the windows' merged figures
            tile.indexWriters.append((name, rel, w))
        }
        if let scheme = products.scheme {
            let rel = IndexJob.outputPath(tile: item.id, index: "landuse")
            // The band and metadata `ClassificationResult.raster(scheme:geo:)` gives the whole map.
            let template = ClassRaster.make(codes: [0], width: 1, height: 1, classes: scheme.classes, description: "land use", geo: nil)
            let w = try COGStreamWriter<UInt8>(path: full(rel), width: W, height: H, bands: template.bands, geo: geo,
                                               kind: .classes(products.classRamp), provenance: tile.provenance, codec: codec,
                                               tileSize: tileSize, metadata: template.metadata)
            tile.classWriter = (rel, w, template.bands[0])
        }
        if products.qualityMask {
            let rel = IndexJob.outputPath(tile: item.id, index: "quality")
            let w = try COGStreamWriter<UInt8>(path: full(rel), width: W, height: H, bands: [BandInfo(description: "quality", nodata: 255)],
                                               geo: geo, kind: .classesNearest(IndexJob.qualityRamp), provenance: tile.provenance,
                                               codec: codec, tileSize: tileSize)
            tile.qualityWriter = (rel, w)
        }
        for product in products.quicklooks {
            if product == "landuse" {
                guard let scheme = products.scheme else { continue }
                tile.quicklooks.append((product, QuicklookReducer(width: W, height: H, longestSide: products.quicklookSize, categorical: true,
                                                                  classCodes: [0] + scheme.classes.map(\.code))))
            } else if tile.applicable.contains(product), indices.contains(product) {
                let (ramp, _) = IndexJob.quicklookRamp(product)
                tile.quicklooks.append((product, QuicklookReducer(width: W, height: H, longestSide: products.quicklookSize,
                                                                  categorical: ramp.interpolation == .categorical)))
            }
        }
    }

    /// `truth-landcover.tif` of the tile's folder when accuracy is on and it has the tile's size (as `readTruth`).
    func truthPath(_ item: TileSource, width: Int, height: Int) throws -> String? {
        guard products.scheme != nil, products.accuracy else { return nil }
        let folder = ((item.files.first ?? item.path) as NSString).deletingLastPathComponent
        let path = (folder as NSString).appendingPathComponent("truth-landcover.tif")
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let d = try GeoTIFFReader(path: path, forWindows: true).description
        return d.width == width && d.height == height ? path : nil
    }

    /// The number of windows.
    public func windowCount(_ plan: WindowedTile) -> Int { plan.windows.count }

    /// Window `index`: read, calibrate and mask it (GroundStation, the same arithmetic as the whole tile), compute
    /// the indices and classes, measure its figures, and hand its blocks to the writers (one `fanOut` piece each:
    /// the window that completes a 2×2 group also encodes every product's overview tile, and when it is the run's
    /// last, the other cores would otherwise wait for it) and to the quicklook reducers.
    public func window(_ index: Int, of t: WindowedTile, item: TileSource, fanOut: FanOut = .serial) throws -> WindowPart {
        let w = t.windows[index]
        let n = w.width * w.height
        let loaded: Loaded
        do {
            let tile = try (index == 0 ? t.takeFirst() : nil)
                ?? retry.run { try item.input.load(bands: t.bands, limits: limits, options: loadOptions, window: w, readers: t.readers) }
            if TileInput.checksReflectance(loadOptions) {
                var tally = ReflectanceSanity.Tally()
                tally.add(tile.bands)
                try t.judgeEarly(tally, pixels: n, file: item.manifestOrFilePath)
            }
            let bands = t.filterTo.map { f in tile.bands.filter { f.contains($0.key) } } ?? tile.bands
            var truth: (name: String, codes: [UInt8])?
            if let p = t.truthPath {
                let r: Raster<UInt8> = try t.readers.withReader(path: p) { try $0.read(UInt8.self, window: w, bands: [0]) }
                truth = ("truth-landcover.tif", r.samples)
            }
            loaded = Loaded(width: w.width, height: w.height, geo: tile.geo, bands: bands,
                            quality: tile.quality.count == n ? tile.quality : nil, scene: t.scene, date: t.date, truth: truth)
        } catch {
            throw TileFailure(tileId: item.id, path: item.path, stage: .ingest, error: error)
        }
        var planes: [String: [Float]]
        let classes: ClassificationResult?
        let result: TileResult
        do {
            planes = try IndexRegistry.compute(t.applicable + t.extra, bands: loaded.bands, count: n)
            classes = try classify(loaded, planes: planes, item: item, context: t.context)
            for e in t.extra { planes[e] = nil }
            result = try measure(loaded, planes: planes, classes: classes, item: item)
        } catch {
            throw TileFailure(tileId: item.id, path: item.path, stage: .compute, error: error)
        }
        do {
            let bx = w.x / tileSize, by = w.y / tileSize
            var writes: [@Sendable () throws -> Void] = t.indexWriters.map { iw in
                { [planes] in try iw.writer.write(blockX: bx, blockY: by, samples: planes[iw.name]!) }
            }
            if let cw = t.classWriter, let classes { writes.append { try cw.writer.write(blockX: bx, blockY: by, samples: classes.classes) } }
            if t.trueColor != nil { writes.append { [self, loaded] in try writeTrueColor(t, window: w, bands: loaded.bands) } }
            if let qw = t.qualityWriter {
                guard let q = loaded.quality else { throw PipelineError.badTile(path: item.path, reason: "the loader gave no quality codes") }
                writes.append { try qw.writer.write(blockX: bx, blockY: by, samples: q) }
            }
            _ = try fanOut.map(writes.count) { [writes] k in try writes[k]() }
            for (product, reducer) in t.quicklooks {
                if product == "landuse" { if let classes { reducer.add(classes.classes.map { Float($0) }, window: w) } }
                else if let plane = planes[product] { reducer.add(plane, window: w) }
            }
        } catch {
            throw TileFailure(tileId: item.id, path: item.path, stage: .write, error: error)
        }
        return WindowPart(result: result)
    }

    /// The tile's figures (windows merged), the sanity check over the whole tile, then the products: the writers'
    /// files (hashes computed while writing) and the quicklooks from the reduced maps, one `fanOut` piece each,
    /// recorded in a fixed order; then the STAC item.
    public func finish(_ t: WindowedTile, parts: [WindowPart], item: TileSource, fanOut: FanOut) throws -> Products {
        if TileInput.checksReflectance(loadOptions) {
            do { try t.sanity.check(file: item.manifestOrFilePath) } catch {
                throw TileFailure(tileId: item.id, path: item.path, stage: .ingest, error: error)
            }
        }
        var result = TileResult(width: t.width, height: t.height, geo: t.geo)
        for i in t.rowMajor {
            let r = parts[i].result
            for (name, acc) in r.indices { result.indices[name, default: BandStatistics.Accumulator()].merge(acc) }
            if let c = r.classes { if result.classes == nil { result.classes = c } else { result.classes!.merge(c) } }
            if let a = r.accuracy {
                if result.accuracy == nil { result.accuracy = a; result.truthFile = r.truthFile } else { try result.accuracy!.merge(a) }
            }
            for (name, rp) in r.regions { result.regions[name, default: RegionPartial()].merge(rp) }
        }
        if var c = result.classes {   // hectares of the whole tile, as one count gives them
            for (k, v) in c.pixels { c.hectares[k] = Double(v) * (result.pixelAreaM2 / 10_000) }
            result.classes = c
        }
        result.date = t.date.map(IndexJob.dayString)
        result.datetime = t.date.map { ISO8601DateFormatter().string(from: $0) }
        result.satellite = t.scene?.satellite
        result.role = item.input.role

        var s = WriteSession(item: item, directory: outputDirectory, provenance: t.provenance, result: result)
        let pieces = t.finishingPieces
        let finished = try fanOut.map(pieces.count) { [self, result] k in
            try finishPiece(pieces[k], of: t, statistics: result.indices, date: result.date ?? "", item: item)
        }
        let written = Dictionary(uniqueKeysWithValues: zip(pieces, finished))
        // Recorded in the order of the writers, as before the pieces ran at once.
        for (i, iw) in t.indexWriters.enumerated() {
            guard case .cog(let w)? = written[.index(i)] else { continue }
            s.record(iw.rel, w.file)
            s.record(written: w.sidecars, beside: iw.rel)
            s.result.products.indexFiles[iw.name] = iw.rel
            let info = BandInfo(description: iw.name, nodata: .nan)
            s.assets.append(StacProductAsset(key: iw.name, href: "./" + (iw.rel as NSString).lastPathComponent, mediaType: StacAsset.cogMediaType,
                                             roles: ["data"], title: iw.name.uppercased(),
                                             bands: [StacBand(name: iw.name, info: indexDataType.storedBand(info), dataType: indexDataType.sampleType,
                                                              statistics: w.statistics.first)]))
        }
        if let cw = t.classWriter, case .cog(let w)? = written[.classMap] {
            s.record(cw.rel, w.file)
            s.record(written: w.sidecars, beside: cw.rel)   // .tif.aux.xml and .qml
            s.result.products.classMap = cw.rel
            s.assets.append(StacProductAsset(key: "landuse", href: "./" + (cw.rel as NSString).lastPathComponent, mediaType: StacAsset.cogMediaType,
                                             roles: ["data"], title: "Land use",
                                             bands: [StacBand(name: "landuse", info: cw.band, dataType: .uint8)]))
        }
        if let qw = t.qualityWriter, case .cog(let w)? = written[.quality] {
            s.record(qw.rel, w.file)
            s.record(written: w.sidecars, beside: qw.rel)
            s.result.products.qualityMask = qw.rel
        }
        for (i, (product, _)) in t.quicklooks.enumerated() {
            guard case .quicklook(let rel, let title, let files)? = written[.quicklook(i)] else { continue }
            s.record(written: files, beside: rel)   // the PNG, its world file and CRS .aux.xml
            s.result.products.quicklooks[product] = rel
            s.assets.append(StacProductAsset(key: "\(product)_quicklook", href: "./" + (rel as NSString).lastPathComponent,
                                             mediaType: StacAsset.pngMediaType, roles: ["overview"], title: "\(title) quicklook"))
        }
        try finishTrueColor(t, &s)
        let c = Computed(width: t.width, height: t.height, geo: t.geo, planes: [:], warning: t.warning, classes: nil, quality: nil,
                         result: s.result, scene: t.scene, date: t.date)
        try writeStacItem(c, &s)
        s.outputs.sort { $0.path < $1.path }
        t.readers.close()
        return Products(outputs: s.outputs, warning: IndexJob.joinWarnings(t.warning, t.trueColorWarning), result: s.result)
    }

    /// Completes one output of `t` (publishing its files, which `abort` removes again should the tile fail):
    /// an index COG with the windows' merged `statistics`, the class map, the quality mask, or a quicklook
    /// rendered from its reduced map and written as PNG.
    func finishPiece(_ piece: OutputPiece, of t: WindowedTile, statistics: [String: BandStatistics.Accumulator],
                     date: String, item: TileSource) throws -> FinishedProduct {
        func published(_ files: [WrittenFile]) { for f in files { t.published.append(f.path) } }
        switch piece {
        case .index(let i):
            let iw = t.indexWriters[i]
            let w = try iw.writer.finish(statistics: statistics[iw.name].map { [$0.result] })
            published([w.file] + w.sidecars)
            return .cog(w)
        case .classMap, .quality:   // `finishingPieces` names only the writers the tile has
            let writer = piece == .classMap ? t.classWriter?.writer : t.qualityWriter?.writer
            guard let w = try writer?.finish() else { throw PipelineError.badTile(path: item.path, reason: "no writer for \(piece)") }
            published([w.file] + w.sidecars)
            return .cog(w)
        case .quicklook(let i):
            let (product, reducer) = t.quicklooks[i]
            let (ramp, title, range) = quicklookStyle(product)
            let rel = "tiles/\(item.id)/\(item.id)_\(product).png"
            let q = try Quicklook.render(values: reducer.map(), width: reducer.outWidth, height: reducer.outHeight, geo: reducer.mapGeo(t.geo),
                                         ramp: ramp, title: .init(satellite: t.scene?.satellite ?? "", date: date, tile: item.id, product: title),
                                         options: .init(longestSide: products.quicklookSize, range: range))
            let files = try q.writeRecorded(to: (outputDirectory as NSString).appendingPathComponent(rel))
            published(files)
            return .quicklook(rel: rel, title: title, files: files)
        }
    }

    /// Drops the tile's writers and anything already published.
    public func abort(_ plan: WindowedTile) { plan.abort() }
}

extension TileSource {
    /// The file the loaders name in a calibration failure: the manifest, or the loose file.
    var manifestOrFilePath: String {
        switch input.source {
        case .manifest(let m): m.path
        case .loose(let p, _): p
        }
    }
}
