import ArgumentParser
import Foundation
import Pipeline

/// `tilepipe report RUN_DIR`: rebuilds every report (and the STAC collection and affected.geojson) from the run
/// catalog, without reading a pixel.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Regenerate report.html/json/md, the CSV tables, stac/collection.json and affected.geojson from a run's catalog.")

    @Argument(help: "The run output folder (holds catalog.sqlite).") var runDirectory: String

    func run() throws {
        let catalog = (runDirectory as NSString).appendingPathComponent("catalog.sqlite")
        guard FileManager.default.fileExists(atPath: catalog) else {
            fail("\(runDirectory): no catalog.sqlite (not a run output folder)", code: 2)
        }
        do {
            let claim = try OutputClaim.acquire(runDirectory, mode: .shared, command: "report", create: false)   // never beside a run
            defer { claim.release() }
            try CatalogIntegrity.verify(directory: runDirectory)   // exit 2 naming undecodable rows
            let report = try RunProducts.write(directory: runDirectory)
            print("\(runDirectory)/report.html: \(report.tiles.count) tile(s), \(report.disasters.count) disaster result(s), \(report.changes.count) change matrix(es)")
        } catch {
            fail("\(runDirectory): report: \(error)", code: 2)
        }
    }
}
