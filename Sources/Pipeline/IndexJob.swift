import Foundation
public import RasterCore
import GroundStation
import RasterIO
import Products

/// The default job: load the bands a tile's indices need → compute the configured indices → write one Float32
/// Cloud-Optimized GeoTIFF per index (`tiles/<id>/<id>_<index>.tif`, Products' COG policy: 512 tiles, DEFLATE or
/// ZSTD with predictor 3, overviews by average, nodata NaN, band description = index name, statistics and provenance
/// in GDAL_METADATA, georeferencing of the input) and per-index statistics.
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
    }

    /// Indices to compute, in config order.
    public let indices: [String]
    /// Output folder.
    public let outputDirectory: String
    /// Calibration (nil: the file's scale/offset).
    public let calibration: CalibrationSpec?
    /// Output codec.
    public let codec: CloudOptimizedGeoTIFF.Codec
    /// Internal tile size.
    public let tileSize: Int
    /// Write overviews (COG); false writes a plain tiled GeoTIFF.
    public let overviews: Bool
    /// Tool version and config hash, written as provenance into every output.
    public let toolVersion: String, configHash: String
    /// Decode limits.
    public let limits: ResourceLimits
    /// Retries of reads that failed at the operating-system level.
    public var retry: ReadRetryPolicy = .default

    /// A job.
    public init(indices: [String], outputDirectory: String, calibration: CalibrationSpec? = nil, cog: CogSpec? = nil,
                toolVersion: String = "", configHash: String = "", limits: ResourceLimits = .default) {
        self.indices = indices
        self.outputDirectory = outputDirectory
        self.calibration = calibration
        codec = cog?.compression == "zstd" ? .zstd : .deflate
        tileSize = cog?.tileSize ?? 512
        overviews = cog?.overviews ?? true
        self.toolVersion = toolVersion
        self.configHash = configHash
        self.limits = limits
    }

    /// The bands the configured indices read.
    public var neededBands: [String] {
        Array(Set(indices.compactMap { IndexRegistry.lookup($0) }.flatMap(\.requiredBands))).sorted()
    }

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
        let tile: ReflectanceTile
        do { tile = try item.input.load(bands: neededBands, limits: limits) } catch ManifestError.missingBand {
            let all = try item.input.load(bands: nil, limits: limits)
            var t = all
            t.bands = all.bands.filter { neededBands.contains($0.key) }
            tile = t
        }
        var bands = tile.bands
        if calibration?.mode == "scale" {
            let scale = Float(calibration?.scale ?? 1), offset = Float(calibration?.offset ?? 0)
            for (k, v) in bands { bands[k] = v.map { $0 * scale + offset } }
        }
        return Loaded(width: tile.width, height: tile.height, geo: tile.geo, bands: bands)
    }

    /// Computes every configured index and its statistics accumulator (NaN → invalid).
    public func compute(_ loaded: Loaded, item: TileSource) throws -> Computed {
        let count = loaded.width * loaded.height
        var applicable: [String] = [], skipped: [String] = []
        for name in indices {
            let needs = IndexRegistry.lookup(name)?.requiredBands ?? []
            let missing = needs.filter { loaded.bands[$0] == nil }
            if missing.isEmpty { applicable.append(name) } else { skipped.append("\(name) (needs \(missing.joined(separator: ", ")))") }
        }
        guard !applicable.isEmpty else {
            throw PipelineError.badTile(path: item.path, reason: "no configured index can be computed: \(skipped.joined(separator: "; ")); the tile has \(loaded.bands.keys.sorted().joined(separator: ", "))")
        }
        let planes = try IndexRegistry.compute(applicable, bands: loaded.bands, count: count)
        var stats: [String: BandStatistics.Accumulator] = [:]
        for (name, plane) in planes {
            var acc = BandStatistics.Accumulator()
            for v in plane { if v.isNaN { acc.addInvalid() } else { acc.add(Double(v)) } }
            stats[name] = acc
        }
        return Computed(width: loaded.width, height: loaded.height, geo: loaded.geo, planes: planes, statistics: stats,
                        warning: skipped.isEmpty ? nil : "skipped indices: " + skipped.joined(separator: "; "))
    }

    /// Writes one raster per index atomically and hashes it.
    public func write(_ c: Computed, item: TileSource) throws -> Products {
        let dir = (outputDirectory as NSString).appendingPathComponent("tiles/\(item.id)")
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw PipelineError.outputUnwritable(path: dir, reason: "\(error.localizedDescription)")
        }
        var outputs: [OutputRecord] = []
        for name in indices {
            guard let plane = c.planes[name] else { continue }
            let rel = IndexJob.outputPath(tile: item.id, index: name)
            let full = (outputDirectory as NSString).appendingPathComponent(rel)
            let raster = Raster<Float>(width: c.width, height: c.height, samples: plane,
                                       bands: [BandInfo(description: name, nodata: .nan)], geo: c.geo)
            if overviews {
                // Provenance names the input by file name only, so shards and machines write the same bytes.
                let provenance = Provenance(version: toolVersion, pipelineHash: configHash,
                                            inputs: [(item.path as NSString).lastPathComponent], extra: ["TILEPIPE_TILE_ID": item.id])
                try CloudOptimizedGeoTIFF.write(raster, to: full, kind: .continuous, provenance: provenance, codec: codec, tileSize: tileSize)
            } else {
                try GeoTIFFWriter.write(raster, to: full, options: .init(compression: codec == .zstd ? .zstd : .deflate, tileSize: tileSize))
            }
            guard let hash = Fingerprint.file(full) else {
                throw PipelineError.outputUnwritable(path: full, reason: "cannot read back the written file")
            }
            let size = ((try? FileManager.default.attributesOfItem(atPath: full))?[.size] as? NSNumber)?.intValue ?? 0
            outputs.append(OutputRecord(path: rel, tileId: item.id, hash: hash, bytes: size))
        }
        return Products(outputs: outputs, statistics: c.statistics, pixels: c.width * c.height, warning: c.warning)
    }
}
