import Foundation
public import RasterCore

/// Stable 64-bit hashes for resume and shard assignment (never Swift's `Hasher`, which is seeded per process).
///
/// Keys, configs and input samples are hashed with FNV-1a 64 (offset basis 0xcbf29ce484222325, prime
/// 0x100000001b3); whole output files with XXH64 (seed 0), which reads 32 bytes per step instead of one (FNV-1a
/// over every output was 5 % of a full job's CPU time, docs/performance.md). Both are written as 16 lower-case
/// hex digits. Neither is cryptographic: they detect changed files and damaged outputs, not tampering.
public enum Fingerprint {
    /// FNV-1a 64 state.
    public struct FNV1a: Sendable {
        /// Current value.
        public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
        /// A fresh hash.
        public init() {}
        /// Mixes bytes in.
        public mutating func add<C: Collection>(_ bytes: C) where C.Element == UInt8 {
            var h = value
            for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
            value = h
        }
        /// Mixes raw memory in.
        public mutating func add(_ raw: UnsafeRawBufferPointer) {
            var h = value
            for b in raw { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
            value = h
        }
        /// Mixes a string (UTF-8) and a separator in.
        public mutating func add(_ s: String) { add(Array(s.utf8)); add([0]) }
        /// Mixes a 64-bit integer in (little-endian).
        public mutating func add(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { add($0) } }
        /// 16 hex digits.
        public var hex: String { Fingerprint.hex(value) }
    }

    /// XXH64 state (RasterCore's `XXH64`, seed 0), kept under this name for callers that hash outputs.
    public typealias XXH64 = RasterCore.XXH64

    /// A 64-bit hash as 16 lower-case hex digits.
    static func hex(_ v: UInt64) -> String { XXH64.hex(v) }

    /// FNV-1a 64 of a string's UTF-8 bytes.
    public static func of(_ s: String) -> UInt64 { var h = FNV1a(); h.add(Array(s.utf8)); return h.value }

    /// XXH64 over a whole file's bytes (read in 1 MiB chunks), or nil when it cannot be read.
    public static func file(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }   // never open a FIFO or device
        guard let fh = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? fh.close() }
        var h = XXH64()
        while true {
            let chunk: Data?
            do { chunk = try fh.read(upToCount: 1 << 20) } catch { return nil }
            guard let chunk, !chunk.isEmpty else { break }
            chunk.withUnsafeBytes { h.add($0) }
        }
        return h.hex
    }

    /// The input fingerprint used for resume: FNV-1a 64 over the file's size, its modification time (ns),
    /// its first 64 KiB and its last 64 KiB. This costs two small reads per file instead of a second full read of
    /// every input; a change that keeps size and mtime and touches only the middle of a file goes unnoticed (the
    /// same trade-off as Nextflow's default cache mode). Outputs, by contrast, are hashed in full.
    public static func input(_ paths: [String]) -> String? {
        var h = FNV1a()
        for path in paths.sorted() {
            // Only regular files are opened: open() on a FIFO blocks until a writer appears (a hang of the
            // whole run), and a device never ends. Anything else is "unreadable"; the reader then names it.
            // Size and mtime from this stat(): FileManager's attributes would also look the owner and group up
            // (reading /etc/passwd and /etc/group once per input, on the thread every tile waits for).
            var st = stat()
            guard stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG,
                  let fh = FileHandle(forReadingAtPath: path) else { return nil }
            defer { try? fh.close() }
            let size = UInt64(st.st_size)
            let mtime = Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9   // as Foundation's modificationDate
            h.add((path as NSString).lastPathComponent)
            h.add(size)
            h.add(UInt64(bitPattern: Int64((mtime * 1e9).rounded())))
            let sample = 64 << 10
            let head: Data?
            do { head = try fh.read(upToCount: sample) } catch { return nil }
            head?.withUnsafeBytes { h.add($0) }
            if size > UInt64(sample) {
                guard (try? fh.seek(toOffset: max(UInt64(sample), size - UInt64(sample)))) != nil,
                      let tail = try? fh.readToEnd() else { return nil }
                tail.withUnsafeBytes { h.add($0) }
            }
        }
        return h.hex
    }
}
