import ArgumentParser

/// The `tilepipe` command: satellite tiles in, analysis products out.
@main
struct TilePipe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tilepipe",
        abstract: "Turn satellite imagery into calibrated indices, land-use maps, disaster products and reports.",
        version: TilePipeVersion.string,
        subcommands: [Run.self, Validate.self, Merge.self, Report.self, ServeCommand.self, Simulate.self, Info.self, Indices.self, Index.self, Calc.self, Toa.self]
    )
}

/// The tool version, recorded in provenance and the run catalog.
enum TilePipeVersion {
    static let string = "0.1.0"
}
