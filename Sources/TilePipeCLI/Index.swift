import ArgumentParser
import Foundation
import Kernels
import Pipeline
import RasterCore
import RasterIO

/// `tilepipe index NAME[,NAME...] --band ROLE=FILE[:BAND]... [--scale X] [--offset Y] --output FILE`.
struct Index: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Compute spectral indices (fused, one pass) into a Float32 GeoTIFF, one band per index, nodata NaN.",
        discussion: """
        Input reflectance = raw × scale + offset, from each band's SCALE/OFFSET metadata unless --scale/--offset \
        override it. A MODIS HDF-EOS scale_factor > 1 (e.g. 10000) is read as "divide by" (reflectance = raw / 10000). \
        Input nodata becomes NaN; every output pixel with a NaN input or a zero denominator is NaN. \
        Bands on different grids (size, CRS, transform) are an error unless --resample names a method; they are then \
        resampled onto the finest band's grid (PROJ when the CRSs differ).
        """)

    @Argument(help: "Index names, comma-separated (see `tilepipe indices`): a name or alias as listed, or all in lower case.")
    var names: String
    @Option(name: .customLong("band"), help: "ROLE=FILE[:BAND]: a common band name (red, nir, ...) and its file; BAND is 1-based.")
    var bandArguments: [String] = []
    @Option(parsing: .unconditional, help: "Reflectance = raw × scale + offset; overrides the file's scale.") var scale: Double?
    @Option(parsing: .unconditional, help: "Reflectance = raw × scale + offset; overrides the file's offset (e.g. --offset -0.2).")
    var offset: Double?
    @Option(help: "Resample bands on different grids onto the finest band's grid: nearest, bilinear or average (PROJ when CRSs differ).")
    var resample: ResampleMethod?
    @Option(help: "The output GeoTIFF.") var output: String

    func run() throws {
        let wanted = names.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !wanted.isEmpty else { throw ValidationError("no index name given") }
        var indices: [SpectralIndex] = []
        for name in wanted {
            do { indices.append(try IndexCatalog.require(name)) } catch { throw ValidationError(error.description) }
        }
        let specs = try bandArguments.map(BandSpec.init(parsing:))
        requireInputFiles(specs.map(\.path))
        let roles = Set(specs.map(\.role))
        for index in indices {
            for band in index.requiredBands where !roles.contains(band) {
                throw ValidationError(KernelError.missingBand(band: band, index: index.name, available: Array(roles)).description
                                      + "; add --band \(band)=FILE[:BAND]")
            }
        }
        var seen = Set<String>()
        let unique = indices.filter { seen.insert($0.name).inserted }
        do {
            // Bands on one grid: block by block on every core (BandWindows); otherwise read whole.
            if let (job, notes) = try BandWindows.make(specs, scale: scale, offset: offset, fileScale: true, names: unique.map(\.name),
                                                       output: output, evaluate: { bands, count in
                                                           let results = try computeIndices(unique, bands: bands, count: count)
                                                           return unique.map { results[$0.name]! }
                                                       }) {
                for note in notes { printError(note) }
                try job.run()
                return
            }
            let loaded = try LoadedBands.load(specs, scale: scale, offset: offset, fileScale: true, resample: resample)
            for note in loaded.notes { printError(note) }
            let results = try computeIndices(indices, bands: loaded.bands, count: loaded.count)
            let ordered = unique.map { (name: $0.name, values: results[$0.name]!) }
            try writeFloatBands(ordered, width: loaded.width, height: loaded.height, geo: loaded.geo, to: output)
        } catch let e as RasterIOError {
            printError(e.description)
            throw ExitCode(1)
        } catch let e as KernelError {
            printError(e.description)
            throw ExitCode(1)
        } catch let e as TileFailure {
            printError(e.cause)
            throw ExitCode(1)
        }
    }
}
