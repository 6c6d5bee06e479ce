import ArgumentParser
import Foundation
import Logging
import Pipeline

/// `tilepipe run [PIPELINE] …`: the batch job of pipeline.yaml over every tile, bounded, resumable, shardable.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run pipeline.yaml over every tile: indices per tile, a run catalog, resume, shards.",
        discussion: """
        Exit status: 0 all tiles done; 1 some tiles failed (the rest are done and listed); 2 the run could not start \
        (bad config, unreadable input folder, unwritable output); 64 usage error.
        The shard index may also come from JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID or AWS_BATCH_JOB_ARRAY_INDEX \
        (or TILEPIPE_SHARD_INDEX), with the count from --shard-count, TILEPIPE_SHARD_COUNT or SLURM_ARRAY_TASK_COUNT.
        """)

    @Argument(help: "The pipeline file.") var pipeline: String = "pipeline.yaml"
    @Option(help: "Replace the first input's path.") var input: String?
    @Option(help: "Replace the output folder.") var output: String?
    @Option(help: "Tiles computed at once (default: active cores; at most 1024).") var jobs: Int?
    @Option(name: .customLong("max-in-flight"), help: "Tiles between read and write at once; bounds memory (default 2 × jobs).") var maxInFlight: Int?
    @Option(help: "Run shard I of N (0-based), e.g. 0/3.") var shard: String?
    @Option(name: .customLong("shard-count"), help: "Shard count when the index comes from the environment.") var shardCount: Int?
    @Flag(help: "Start over: forget the run catalog and previous outputs.") var fresh = false
    @Flag(name: .customLong("dry-run"), help: "Print the plan (tiles, stages, outputs, peak memory) and write nothing.") var dryRun = false
    @Option(help: "Progress on stderr: auto, always or never.") var progress: ProgressMode = .auto
    @Option(name: .customLong("log-format"), help: "Log format on stderr: text or json.") var logFormat: LogFormat?
    @Option(name: .customLong("set"), help: "Override a config key: KEY.PATH=VALUE (repeatable).") var overrides: [String] = []

    enum ProgressMode: String, ExpressibleByArgument, CaseIterable { case auto, always, never }
    enum LogFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    func validate() throws {
        if let jobs, !(1...1024).contains(jobs) { throw ValidationError("--jobs must be from 1 to 1024") }
        if let maxInFlight, !(1...4096).contains(maxInFlight) { throw ValidationError("--max-in-flight must be from 1 to 4096") }
        if let shard { do { _ = try ShardSpec.parse(shard) } catch { throw ValidationError("--shard: \(error)") } }
        for o in overrides where !o.contains("=") { throw ValidationError("--set expects KEY.PATH=VALUE, got '\(o.prefix(80))\(o.count > 80 ? "…" : "")'") }
    }

    func run() throws {
        MemoryTuning.fixThresholds()   // peak RSS = max_in_flight × working set; window buffers reused (see MemoryTuning)
        JSONLogValue.stderrIsJSON = logFormat == .json   // every stderr line one JSON record (harden)
        var config: PipelineConfig
        do {
            config = try PipelineConfig.load(path: pipeline, overrides: overrides)
        } catch let e as ConfigError {
            failConfig(e)
        }
        if let input { config.inputs[0].path = input }
        if let output { config.outputs.directory = output }
        let shardSpec: ShardSpec
        do {
            shardSpec = try ShardSpec.resolve(flag: shard, shardCount: shardCount, environment: ProcessInfo.processInfo.environment)
        } catch { fail("\(error)", code: 64) }
        let format = logFormat?.rawValue ?? config.logging?.format ?? "text"
        JSONLogValue.stderrIsJSON = format == "json"
        var logger = Logger(label: "tilepipe") { label in
            format == "json" ? AnyLogHandler(JSONLogHandler(label: label)) : AnyLogHandler(TextLogHandler())
        }
        logger.logLevel = config.logging?.level.flatMap(Logger.Level.init(rawValue:)) ?? (format == "json" ? .info : .notice)
        let options = RunOptions(jobs: jobs, maxInFlight: maxInFlight, shard: shardSpec, fresh: fresh,
                                 progress: format == "json" ? .never : ProgressReporter.Mode(rawValue: progress.rawValue) ?? .auto,
                                 toolVersion: TilePipeVersion.string)
        do {
            if dryRun {
                print(try PipelineRunner.plan(config: config, options: options).text, terminator: "")
                return
            }
            RunInterruption.install()   // SIGINT/SIGTERM: finish tiles in flight, mark the run interrupted, exit 130/143
            let summary = try PipelineRunner.run(config: config, options: options, logger: logger)
            StderrLine.summary(summary)
            if let late = RunInterruption.lateSignal { fail(late.description, code: late.exitCode) }   // signal after the tiles
            if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
        } catch let e as PipelineError {
            fail("\(e)", code: 2)
        } catch let e as RunInterrupted {
            fail(e.description, code: e.exitCode)
        }
    }
}

/// Prints every problem of a config, one `tilepipe: file:line:column: …` line each, and exits 2.
func failConfig(_ error: ConfigError) -> Never {
    let all = error.all
    for problem in all { StderrLine.write("\(problem)", fields: ["exit_code": .stringConvertible(2)]) }   // JSON with --log-format json
    if all.count > 1 { StderrLine.write("\(all.count) problems in \(error.file)", fields: ["exit_code": .stringConvertible(2)]) }
    Foundation.exit(2)
}

/// Prints `tilepipe: message` on stderr and exits with `code`.
func fail(_ message: String, code: Int32) -> Never {
    StderrLine.write(message, fields: ["exit_code": .stringConvertible(code)])
    Foundation.exit(code)
}

/// A type-erased handler so the factory can choose the format at run time.
struct AnyLogHandler: LogHandler {
    var base: any LogHandler
    init(_ base: any LogHandler) { self.base = base }
    var metadata: Logger.Metadata { get { base.metadata } set { base.metadata = newValue } }
    var logLevel: Logger.Level { get { base.logLevel } set { base.logLevel = newValue } }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { base[metadataKey: key] }
        set { base[metadataKey: key] = newValue }
    }
    func log(event: LogEvent) { base.log(event: event) }
}
