import Foundation

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

    /// XXH64 state (the xxHash specification, seed 0): four 64-bit lanes over 32-byte stripes, then the tail
    /// and the avalanche. Streaming: bytes may arrive in pieces of any size.
    public struct XXH64: Sendable {
        static let p1: UInt64 = 0x9E37_79B1_85EB_CA87, p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
        static let p3: UInt64 = 0x1656_67B1_9E37_79F9, p4: UInt64 = 0x85EB_CA77_C2B2_AE63
        static let p5: UInt64 = 0x27D4_EB2F_1656_67C5
        var v1 = p1 &+ p2, v2 = p2, v3: UInt64 = 0, v4 = 0 &- p1
        var total: UInt64 = 0
        var pending: [UInt8] = []   // < 32 bytes not yet part of a stripe

        /// A fresh hash (seed 0).
        public init() {}

        @inline(__always) static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
            rotl(acc &+ input &* p2, 31) &* p1
        }
        @inline(__always) static func mergeRound(_ acc: UInt64, _ v: UInt64) -> UInt64 {
            (acc ^ round(0, v)) &* p1 &+ p4
        }
        @inline(__always) static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

        mutating func stripes(_ raw: UnsafeRawBufferPointer) {
            var (a, b, c, d) = (v1, v2, v3, v4)
            var i = 0
            while i + 32 <= raw.count {
                a = Self.round(a, UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                b = Self.round(b, UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)))
                c = Self.round(c, UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)))
                d = Self.round(d, UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)))
                i += 32
            }
            (v1, v2, v3, v4) = (a, b, c, d)
        }

        /// Mixes raw memory in.
        public mutating func add(_ raw: UnsafeRawBufferPointer) {
            total &+= UInt64(raw.count)
            var rest = raw
            if !pending.isEmpty {
                let take = min(32 - pending.count, rest.count)
                pending.append(contentsOf: rest.prefix(take))
                rest = UnsafeRawBufferPointer(rebasing: rest.dropFirst(take))
                guard pending.count == 32 else { return }
                pending.withUnsafeBytes { stripes($0) }
                pending.removeAll(keepingCapacity: true)
            }
            let whole = rest.count / 32 * 32
            stripes(UnsafeRawBufferPointer(rebasing: rest.prefix(whole)))
            pending.append(contentsOf: rest.dropFirst(whole))
        }

        /// The hash of everything added so far.
        public var value: UInt64 {
            var h: UInt64
            if total >= 32 {
                h = Self.rotl(v1, 1) &+ Self.rotl(v2, 7) &+ Self.rotl(v3, 12) &+ Self.rotl(v4, 18)
                h = Self.mergeRound(h, v1); h = Self.mergeRound(h, v2)
                h = Self.mergeRound(h, v3); h = Self.mergeRound(h, v4)
            } else {
                h = Self.p5
            }
            h &+= total
            pending.withUnsafeBytes { tail in
                var i = 0
                while i + 8 <= tail.count {
                    h ^= Self.round(0, UInt64(littleEndian: tail.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                    h = Self.rotl(h, 27) &* Self.p1 &+ Self.p4
                    i += 8
                }
                if i + 4 <= tail.count {
                    h ^= UInt64(UInt32(littleEndian: tail.loadUnaligned(fromByteOffset: i, as: UInt32.self))) &* Self.p1
                    h = Self.rotl(h, 23) &* Self.p2 &+ Self.p3
                    i += 4
                }
                while i < tail.count {
                    h ^= UInt64(tail[i]) &* Self.p5
                    h = Self.rotl(h, 11) &* Self.p1
                    i += 1
                }
            }
            h ^= h >> 33; h &*= Self.p2
            h ^= h >> 29; h &*= Self.p3
            h ^= h >> 32
            return h
        }

        /// 16 hex digits.
        public var hex: String { Fingerprint.hex(value) }
    }

    /// A 64-bit hash as 16 lower-case hex digits.
    static func hex(_ v: UInt64) -> String { let s = String(v, radix: 16); return String(repeating: "0", count: 16 - s.count) + s }

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
            var st = stat()
            guard stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
            guard let attrs = try? FileManager.default.attributesOfItem(atPath: path),
                  let size = (attrs[.size] as? NSNumber)?.uint64Value,
                  let mtime = attrs[.modificationDate] as? Date,
                  let fh = FileHandle(forReadingAtPath: path) else { return nil }
            defer { try? fh.close() }
            h.add((path as NSString).lastPathComponent)
            h.add(size)
            h.add(UInt64(bitPattern: Int64((mtime.timeIntervalSince1970 * 1e9).rounded())))
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
