import Analysis
import GroundStation
import RasterIO
public import Products

/// A unit of work the executor schedules: one tile (or one two-date pair), named by a stable id.
public protocol TileItem: Sendable {
    /// Stable tile id (sorting by it gives the canonical order).
    var id: String { get }
    /// The input path named in failures.
    var path: String { get }
}

/// The three steps of one tile. Stages are plain values: they know nothing about queues or concurrency;
/// the executor runs `ingest` and `write` on serial I/O queues and `compute` on the compute queue.
public protocol TileStage: Sendable {
    /// What is scheduled.
    associatedtype Item: TileItem
    /// What `ingest` reads.
    associatedtype Loaded: Sendable
    /// What `compute` produces.
    associatedtype Computed: Sendable
    /// What `write` reports (e.g. output paths and hashes).
    associatedtype Output: Sendable

    /// Reads the tile (blocking I/O allowed).
    func ingest(_ item: Item) throws -> Loaded
    /// Pure CPU work on the loaded tile.
    func compute(_ loaded: Loaded, item: Item) throws -> Computed
    /// Writes the products (blocking I/O allowed), atomically.
    func write(_ computed: Computed, item: Item) throws -> Output
}

/// A stage that can also process a tile in windows: `plan` opens the tile (reads its header, opens the output
/// writers) and says how many windows it has; the executor runs `window` for each (in parallel, a bounded number
/// in flight) and `finish` after the last (statistics, quicklooks, STAC item), or `abort` when any window failed.
/// `plan` returns nil for a tile that must be processed whole (then `ingest`/`compute`/`write` run as usual).
/// Like every stage, it knows nothing about queues; `window` must be safe to call for several windows at once.
public protocol WindowedTileStage: TileStage {
    /// An opened tile: its windows and open writers.
    associatedtype Plan: Sendable
    /// The figures of one window.
    associatedtype Part: Sendable

    /// Opens `item` for windowed processing, or returns nil when it must be processed whole.
    func plan(_ item: Item) throws -> Plan?
    /// The number of windows of an opened tile.
    func windowCount(_ plan: Plan) -> Int
    /// Reads, computes and writes window `index`. Throw a `TileFailure` to name the step (ingest, compute, write).
    /// Independent pieces of the window's work (one per product block written, say) may go through `fanOut`, which
    /// runs them at once where the executor has cores free (the run's last windows).
    func window(_ index: Int, of plan: Plan, item: Item, fanOut: FanOut) throws -> Part
    /// Completes the tile from the parts of every window (in window order). Independent pieces of the work (one
    /// per output file, say) may go through `fanOut`, which runs them at once where the executor has cores free.
    func finish(_ plan: Plan, parts: [Part], item: Item, fanOut: FanOut) throws -> Output
    /// Drops an opened tile: nothing partial is left. Called at most once, instead of a successful `finish`.
    func abort(_ plan: Plan)
}

/// The step of the pipeline a tile failed in.
public enum StageName: String, Sendable, Codable, CaseIterable {
    case discover, ingest, compute, write, record
}

/// A tile that failed: a value recorded in the catalog and the summary; the run goes on.
public struct TileFailure: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// The class of cause (Products' `FailureKind`, so the catalog, run.json and the reports share one type).
    public typealias Kind = FailureKind

    /// Tile id.
    public var tileId: String
    /// The input path.
    public var path: String
    /// Where it failed.
    public var stage: StageName
    /// The cause, naming the file.
    public var cause: String
    /// The class of cause.
    public var kind: Kind

    /// A failure.
    public init(tileId: String, path: String, stage: StageName, cause: String, kind: Kind) {
        self.tileId = tileId
        self.path = path
        self.stage = stage
        self.cause = cause
        self.kind = kind
    }

    /// Classifies a thrown error: `RasterIOError.io`/`cannotOpen` → io; other raster errors → corrupt;
    /// `ConfigError`, missing bands and two dates on grids that cannot be aligned (set `grid:`) → config;
    /// anything else → corrupt.
    public init(tileId: String, path: String, stage: StageName, error: any Error) {
        let kind: Kind
        switch error {
        case let e as TileFailure: self = e; return
        case let e as RasterIOError:
            switch e {
            case .io, .cannotOpen: kind = .io
            default: kind = .corrupt
            }
        case is ConfigError: kind = .config
        case let e as ManifestError:
            switch e {
            case .missingBand: kind = .config
            case .calibration: kind = .calibration
            case .unreadable: kind = .io
            default: kind = .corrupt
            }
        case let e as PipelineError:
            switch e {
            case .missingBand, .unknownIndex: kind = .config
            case .outputUnwritable, .inputUnreadable, .catalog: kind = .io
            default: kind = .corrupt
            }
        case let e as AnalysisError:
            switch e {
            case .gridMismatch, .badScheme, .badJobInput: kind = .config
            default: kind = .corrupt
            }
        default: kind = .corrupt
        }
        self.init(tileId: tileId, path: path, stage: stage, cause: "\(error)", kind: kind)
    }

    /// The failure as the catalog, run.json and the reports list it.
    public var entry: FailureEntry { FailureEntry(tile: tileId, path: path, stage: stage.rawValue, cause: cause, kind: kind) }

    /// `path: stage: cause [kind]`.
    public var description: String { "\(path): \(stage.rawValue): \(cause) [\(kind.rawValue)]" }
}
