/// The state of a tile in the run catalog.
public enum TileStatus: String, Sendable, Codable, CaseIterable {
    /// Every product written and recorded; skipped by a rerun while inputs, config and version are unchanged.
    case done
    /// A stage failed; retried by the next run.
    case failed
}
