import ArgumentParser
import Foundation
import Kernels
import Pipeline
import RasterCore
import RasterIO

/// `tilepipe calc EXPRESSION --band ROLE=FILE[:BAND]... [--scale X] [--offset Y] --output FILE`.
struct Calc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calc",
        abstract: "Evaluate a band-math expression into a one-band Float32 GeoTIFF, nodata NaN.",
        discussion: """
        Operators + - * / ^, comparisons, and/or/not, where(c,a,b), min, max, abs, sqrt, log, exp, clamp, and every \
        index of `tilepipe indices` as a function, e.g. ndvi(nir, red). NaN (nodata) propagates; x/0 is NaN. \
        Nesting (parentheses, calls, prefix operators) is limited to \(BandMathExpression.maxDepth) levels. \
        An expression may start with '-' (`calc -- -nir ...` or `calc "-nir" ...`); negative option values work as \
        `--offset -0.2`.
        """)

    @Argument(help: "The expression, e.g. \"(nir - red) / (nir + red)\".") var expression: String
    @Option(name: .customLong("band"), help: "ROLE=FILE[:BAND]: an identifier used in the expression and its file; BAND is 1-based.")
    var bandArguments: [String] = []
    @Option(parsing: .unconditional, help: "Value = raw × scale + offset (default: raw values as stored, as gdal_calc.py reads them).")
    var scale: Double?
    @Option(parsing: .unconditional, help: "Value = raw × scale + offset (default offset 0).") var offset: Double?
    @Option(help: "Resample bands on different grids onto the finest band's grid: nearest, bilinear or average (PROJ when CRSs differ).")
    var resample: ResampleMethod?
    @Option(help: "The output GeoTIFF.") var output: String

    func run() throws {
        let specs = try bandArguments.map(BandSpec.init(parsing:))
        requireInputFiles(specs.map(\.path))
        let parsed: BandMathExpression
        do { parsed = try BandMathExpression(parsing: expression, bands: Set(specs.map(\.role))) }
        catch { throw ValidationError(error.description) }
        // Only read the bands the expression uses.
        let used = specs.filter { parsed.referencedBands.contains($0.role) }
        guard !used.isEmpty else { throw ValidationError("the expression reads no band; give at least one --band it uses") }
        do {
            // Bands on one grid: block by block on every core (BandWindows); otherwise read whole.
            if let (job, notes) = try BandWindows.make(used, scale: scale, offset: offset, fileScale: false, names: [expression],
                                                       output: output, evaluate: { bands, count in [parsed.evaluate(bands: bands, count: count)] }) {
                for note in notes { printError(note) }
                try job.run()
                return
            }
            let loaded = try LoadedBands.load(used, scale: scale, offset: offset, fileScale: false, resample: resample)
            for note in loaded.notes { printError(note) }
            let values = parsed.evaluate(bands: loaded.bands, count: loaded.count)
            try writeFloatBands([(name: expression, values: values)], width: loaded.width, height: loaded.height,
                                geo: loaded.geo, to: output)
        } catch let e as RasterIOError {
            printError(e.description)
            throw ExitCode(1)
        } catch let e as TileFailure {
            printError(e.cause)
            throw ExitCode(1)
        }
    }
}
