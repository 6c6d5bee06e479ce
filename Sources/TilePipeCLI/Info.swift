import ArgumentParser
import Foundation
import Products
import RasterCore
import RasterIO

/// `tilepipe info FILE [--json]`: what `gdalinfo -stats` tells, for GeoTIFF and PNG.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Describe a raster: size, type, layout, CRS, georeferencing, nodata and band statistics.")

    @Argument(help: "A GeoTIFF or PNG file.") var file: String
    @Flag(help: "Print JSON instead of text.") var json = false
    @Flag(name: .customLong("no-stats"), help: "Skip reading pixels for statistics.") var noStats = false

    func run() throws {
        requireInputFiles([file])
        do {
            var report = try RasterInfoReport.make(path: file, statistics: !noStats)
            if report.description.format == "GTiff" {
                let check = CloudOptimizedGeoTIFF.validate(path: file)
                report.cogCheck = (check.isValid, check.isValid ? check.warnings.map { "warning: \($0)" } : check.errors)
            }
            print(json ? report.json : report.text)
        } catch let e as RasterIOError {
            FileHandle.standardError.write(Data("tilepipe: \(e.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}
