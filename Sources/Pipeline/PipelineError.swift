/// Errors of the pipeline module other than config errors. Each names the file or key and the cause.
public enum PipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An index name the registry does not know.
    case unknownIndex(String)
    /// An index needs a band the tile does not provide.
    case missingBand(index: String, band: String)
    /// The input folder cannot be listed.
    case inputUnreadable(path: String, reason: String)
    /// The output folder cannot be created or written.
    case outputUnwritable(path: String, reason: String)
    /// A tile's bands do not fit the band map.
    case badTile(path: String, reason: String)
    /// The run catalog failed.
    case catalog(path: String, reason: String)
    /// A `--shard` value or shard environment variable is malformed.
    case badShard(String)
    /// Merging shard folders failed.
    case merge(path: String, reason: String)

    /// The message, naming the file or key and the cause.
    public var description: String {
        switch self {
        case .unknownIndex(let n): "unknown index '\(n)' (valid: \(IndexRegistry.names.joined(separator: ", ")))"
        case .missingBand(let i, let b): "index \(i) needs band '\(b)', which the input does not provide"
        case .inputUnreadable(let p, let r): "\(p): cannot read input: \(r)"
        case .outputUnwritable(let p, let r): "\(p): cannot write output: \(r)"
        case .badTile(let p, let r): "\(p): \(r)"
        case .catalog(let p, let r): "\(p): run catalog: \(r)"
        case .badShard(let r): "shard: \(r)"
        case .merge(let p, let r): "\(p): merge: \(r)"
        }
    }
}
