import ArgumentParser
import Foundation
import Pipeline

/// `tilepipe validate [PIPELINE]`: checks a pipeline.yaml (keys, types, index names, bands) without running it.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a pipeline.yaml: unknown keys, wrong types, unknown indices (file:line:column); exit 2 when invalid.",
        discussion: "Every problem of the file is reported, one line each, not only the first.")

    @Argument(help: "The pipeline file.") var pipeline: String = "pipeline.yaml"
    @Option(name: .customLong("set"), help: "Override a config key: KEY.PATH=VALUE (repeatable).") var overrides: [String] = []

    func run() throws {
        do {
            let c = try PipelineConfig.load(path: pipeline, overrides: overrides)
            print("\(pipeline): valid: \(c.inputs.count) input(s), indices [\(c.indices.joined(separator: ", "))], output \(c.outputs.directory)")
        } catch let e as ConfigError {
            failConfig(e)
        }
    }
}
