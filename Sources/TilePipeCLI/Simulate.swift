import ArgumentParser
import Foundation
import GroundStation

/// `tilepipe simulate`: deterministic tiles of the Anxi station model with ground truth.
struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate what the Anxi ground station delivers: multi-band tiles, scene.json and ground truth.",
        discussion: """
        Writes DIR/<sceneID>/r<R>c<C>/ with <sceneID>_r<R>c<C>.tif (UInt16 DN), scene.json, truth-landcover.tif \
        and, with --event, truth-event.tif. The satellites are the project's models of Huaxiangyuan-1 and \
        Anxi Tieguanyin-1/-2, not their published specifications. Same seed and options give identical bytes.
        """)

    @Option(help: "Output folder.") var output: String
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Huaxiangyuan-1, Anxi Tieguanyin-1 or Anxi Tieguanyin-2.") var satellite = "Huaxiangyuan-1"
    @Option(help: "Tile grid RxC.") var grid = "2x2"
    @Option(help: "Tile side in pixels.") var size = 256
    @Option(help: "Number of dates (default 1, or 2 with --event).") var dates: Int?
    @Option(help: "flood, fire, landslide or drought.") var event: String?

    func run() throws {
        let parts = grid.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2 else { throw ValidationError("--grid must be RxC, e.g. 2x3") }
        var ev: AnxiLandscape.Event?
        if let event {
            guard let e = AnxiLandscape.Event(rawValue: event.lowercased()) else {
                throw ValidationError("--event must be one of flood, fire, landslide, drought")
            }
            ev = e
        }
        let config = SimulationConfig(seed: seed, satellite: satellite, rows: parts[0], columns: parts[1], size: size,
                                      dates: dates, event: ev)
        do {
            try config.validate()
        } catch let e as SimulationError {
            throw ValidationError(e.description)
        }
        do {
            let files = try Simulator.run(config, outputDirectory: output)
            for f in files { print(f) }
        } catch let e as SimulationError {
            FileHandle.standardError.write(Data("tilepipe: \(e.description)\n".utf8))
            throw ExitCode(2)
        }
    }
}
