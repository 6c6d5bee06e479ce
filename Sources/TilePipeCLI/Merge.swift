import ArgumentParser
import Foundation
import Pipeline

/// `tilepipe merge DIR... --output DIR`: combines shard output folders and catalogs into one run.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the output folders of shards (run --shard I/N) into one run folder with one catalog and run.json.")

    @Argument(help: "Shard output folders.") var shards: [String]
    @Option(help: "The merged output folder.") var output: String

    func validate() throws {
        if shards.isEmpty { throw ValidationError("give at least one shard folder") }
    }

    func run() throws {
        do {
            let summary = try ShardMerge.merge(shards: shards, output: output, toolVersion: TilePipeVersion.string)
            FileHandle.standardError.write(Data(summary.text.utf8))
            if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
        } catch let e as PipelineError {
            fail("\(e)", code: 2)
        }
    }
}
