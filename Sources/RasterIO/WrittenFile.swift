/// A file TilePipe wrote: where, how many bytes, and the XXH64 of those bytes (16 lower-case hex digits),
/// computed from the bytes as they were written, so nobody has to read the file back to record it.
public struct WrittenFile: Sendable, Hashable, Codable {
    /// The path the file was published at.
    public let path: String
    /// Its size in bytes.
    public let bytes: Int
    /// XXH64 (seed 0) of its bytes, as `Fingerprint.file` would compute it from the file.
    public let hash: String

    /// A record of a written file.
    public init(path: String, bytes: Int, hash: String) {
        self.path = path
        self.bytes = bytes
        self.hash = hash
    }
}
