import Foundation

/// Which share of the tiles this process runs: shard `index` of `count` (0-based).
///
/// Assignment is deterministic and needs no coordination: a tile belongs to shard
/// `FNV-1a-64(groupKey(tileId)) mod count`. `groupKey` removes date tokens (`YYYYMMDD`, `YYYY-MM-DD`) from the id,
/// so the two dates of a pair (`T50RKS_r1c2_20250101`, `T50RKS_r1c2_20250301`) share a key and a shard.
public struct ShardSpec: Sendable, Equatable, CustomStringConvertible {
    /// 0-based shard index.
    public var index: Int
    /// Number of shards (≥ 1).
    public var count: Int
    /// Where the values came from (`--shard`, `JOB_COMPLETION_INDEX`, ...), for the log.
    public var source: String

    /// All tiles.
    public static let whole = ShardSpec(index: 0, count: 1, source: "default")

    /// A shard; `index` must be in `0..<count`.
    public init(index: Int, count: Int, source: String) {
        self.index = index
        self.count = count
        self.source = source
    }

    /// Parses `I/N`.
    public static func parse(_ text: String, source: String = "--shard") throws -> ShardSpec {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (0..<n).contains(i) else {
            throw PipelineError.badShard("'\(text)' from \(source) is not I/N with 0 ≤ I < N")
        }
        return ShardSpec(index: i, count: n, source: source)
    }

    /// Resolves the shard: `--shard I/N` first; else an index from `TILEPIPE_SHARD_INDEX`, `JOB_COMPLETION_INDEX`
    /// (Kubernetes Indexed Job), `SLURM_ARRAY_TASK_ID` (minus `SLURM_ARRAY_TASK_MIN`) or `AWS_BATCH_JOB_ARRAY_INDEX`,
    /// with the count from `shardCount` (the `--shard-count` flag) or `TILEPIPE_SHARD_COUNT`,
    /// `SLURM_ARRAY_TASK_COUNT`; else the whole run.
    public static func resolve(flag: String?, shardCount: Int?, environment: [String: String]) throws -> ShardSpec {
        if let flag { return try parse(flag) }
        let sources: [(String, String?)] = [("TILEPIPE_SHARD_INDEX", "TILEPIPE_SHARD_COUNT"),
                                            ("JOB_COMPLETION_INDEX", nil),
                                            ("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT"),
                                            ("AWS_BATCH_JOB_ARRAY_INDEX", nil)]
        for (indexVar, countVar) in sources {
            guard let raw = environment[indexVar] else { continue }
            guard var i = Int(raw) else { throw PipelineError.badShard("\(indexVar)='\(raw)' is not an integer") }
            if indexVar == "SLURM_ARRAY_TASK_ID", let m = environment["SLURM_ARRAY_TASK_MIN"].flatMap(Int.init) { i -= m }
            let countText = shardCount.map(String.init) ?? environment["TILEPIPE_SHARD_COUNT"] ?? countVar.flatMap { environment[$0] }
            guard let countText, let n = Int(countText) else {
                throw PipelineError.badShard("\(indexVar)=\(raw) is set but the shard count is not: pass --shard-count N or set TILEPIPE_SHARD_COUNT")
            }
            guard n >= 1, (0..<n).contains(i) else { throw PipelineError.badShard("index \(i) from \(indexVar) is outside 0..<\(n)") }
            return ShardSpec(index: i, count: n, source: indexVar)
        }
        if let shardCount, shardCount != 1 { throw PipelineError.badShard("--shard-count \(shardCount) given without a shard index") }
        return .whole
    }

    /// The key that decides a tile's shard: the id with date tokens removed, so two-date pairs stay together.
    public static func groupKey(_ tileId: String) -> String {
        let patterns = [#"[_\-.]?\d{4}-\d{2}-\d{2}"#, #"[_\-.]?(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(T\d{6})?"#]
        var key = tileId
        for p in patterns { key = key.replacingOccurrences(of: p, with: "", options: .regularExpression) }
        return key
    }

    /// The shard a tile belongs to among `count`.
    public static func shard(of tileId: String, count: Int) -> Int {
        Int(Fingerprint.of(groupKey(tileId)) % UInt64(max(1, count)))
    }

    /// True when this shard runs `tileId`.
    public func contains(_ tileId: String) -> Bool { count == 1 || ShardSpec.shard(of: tileId, count: count) == index }

    /// `I/N`.
    public var description: String { "\(index)/\(count)" }
}
