internal import CShims
internal import CTIFF
#if canImport(Glibc)
import Glibc
#endif

/// A TIFF "file" that lives in memory, for libtiff's client I/O (`rs_tiff_client_open`). It serves two writers:
///
/// - `TIFFTileEncoder` lets libtiff compress a tile and keeps only the compressed bytes (`.capture`);
/// - `GeoTIFFTileWriter` lets libtiff lay out a whole file — IFDs, strile arrays, and tiles appended with
///   `TIFFWriteRawTile` — while the tiles' bytes stay where they are (`.place` records only where each tile goes).
///   Everything else libtiff writes (header, IFDs, arrays, including in-place rewrites) is kept as `segments`,
///   and reads are served from them (libtiff re-reads IFDs when it selects a directory).
///
/// The finished file is then emitted front to back (`emit`), so its hash is computed while it is written.
final class VirtualTIFFFile {
    /// What a write call means.
    enum Mode { case record, capture, place }
    var mode: Mode = .record
    private(set) var position: UInt64 = 0
    private(set) var size: UInt64 = 0
    /// Writes made in `.record` mode, in order (later ones win where they overlap).
    private(set) var segments: [(offset: UInt64, bytes: [UInt8])] = []
    /// Bytes written in `.capture` mode.
    var captured: [UInt8] = []
    /// Ranges written in `.place` mode, each with the `placing` key current at the time.
    private(set) var placements: [(offset: UInt64, length: UInt64, key: Int)] = []
    /// The key recorded with `.place` writes.
    var placing = 0

    /// Opens a libtiff handle on this file (`mode` "w" or "w8"); the file must outlive the handle.
    func open(name: String, mode: String) throws -> TIFFHandle {
        let diag = UnsafeMutablePointer<rs_tiff_diag>.allocate(capacity: 1)
        diag.initialize(to: rs_tiff_diag())
        let me = Unmanaged.passUnretained(self).toOpaque()
        guard let t = rs_tiff_client_open(name, mode, diag, me, Self.readProc, Self.writeProc, Self.seekProc,
                                          Self.closeProc, Self.sizeProc) else {
            let message = TIFFHandle.text(of: diag.pointee.first_error)
            diag.deallocate()
            throw RasterIOError.io(path: name, reason: message.isEmpty ? "cannot start a TIFF in memory" : message)
        }
        return TIFFHandle(path: name, tif: t, diag: diag)
    }

    func read(_ dst: UnsafeMutableRawPointer, _ count: Int) -> Int {
        let end = min(size, position + UInt64(count))
        guard end > position else { return 0 }
        let n = Int(end - position)
        dst.initializeMemory(as: UInt8.self, repeating: 0, count: n)
        for s in segments where s.offset < end && s.offset + UInt64(s.bytes.count) > position {
            let from = max(s.offset, position), to = min(end, s.offset + UInt64(s.bytes.count))
            s.bytes.withUnsafeBytes { src in
                (dst + Int(from - position)).copyMemory(from: src.baseAddress! + Int(from - s.offset), byteCount: Int(to - from))
            }
        }
        position = end
        return n
    }

    func write(_ src: UnsafeRawPointer, _ count: Int) -> Int {
        switch mode {
        case .record: segments.append((position, Array(UnsafeRawBufferPointer(start: src, count: count))))
        case .capture: captured.append(contentsOf: UnsafeRawBufferPointer(start: src, count: count))
        case .place: placements.append((position, UInt64(count), placing))
        }
        position += UInt64(count)
        size = max(size, position)
        return count
    }

    func seek(_ offset: UInt64, _ whence: Int32) -> UInt64 {
        switch whence {
        case SEEK_SET: position = offset
        case SEEK_CUR: position = UInt64(bitPattern: Int64(bitPattern: position) &+ Int64(bitPattern: offset))
        case SEEK_END: position = UInt64(bitPattern: Int64(bitPattern: size) &+ Int64(bitPattern: offset))
        default: return UInt64.max
        }
        return position
    }

    /// The file front to back: `segments` where nothing was placed (zeros in gaps), and `body(key, length)` for
    /// each placed range, in file order. Throws when a recorded write overlaps a placed range (libtiff wrote
    /// metadata over tile data: a layout this emitter does not reproduce).
    func emit(_ sink: (UnsafeRawBufferPointer) throws -> Void, placed body: (Int, Int) throws -> Void) throws {
        let placed = placements.sorted { $0.offset < $1.offset }
        for s in segments {
            let a = s.offset, b = s.offset + UInt64(s.bytes.count)
            // Only a few segments lie past the first tile (strile arrays are reserved before the tiles).
            if let first = placed.first, b <= first.offset { continue }
            var lo = 0, hi = placed.count
            while lo < hi { let m = (lo + hi) / 2; if placed[m].offset + placed[m].length <= a { lo = m + 1 } else { hi = m } }
            if lo < placed.count, placed[lo].offset < b {
                throw RasterIOError.io(path: "", reason: "TIFF layout: metadata written over tile data at offset \(a)")
            }
        }
        var pos: UInt64 = 0
        func gap(to end: UInt64) throws {
            guard end > pos else { return }
            var buf = [UInt8](repeating: 0, count: Int(end - pos))
            for s in segments where s.offset < end && s.offset + UInt64(s.bytes.count) > pos {
                let from = max(s.offset, pos), to = min(end, s.offset + UInt64(s.bytes.count))
                buf.withUnsafeMutableBytes { dst in
                    s.bytes.withUnsafeBytes { src in
                        (dst.baseAddress! + Int(from - pos)).copyMemory(from: src.baseAddress! + Int(from - s.offset), byteCount: Int(to - from))
                    }
                }
            }
            try buf.withUnsafeBytes { try sink($0) }
            pos = end
        }
        for p in placed {
            try gap(to: p.offset)
            try body(p.key, Int(p.length))
            pos = p.offset + p.length
        }
        try gap(to: size)
    }

    private static func file(_ h: thandle_t?) -> VirtualTIFFFile { Unmanaged<VirtualTIFFFile>.fromOpaque(h!).takeUnretainedValue() }
    private static let readProc: TIFFReadWriteProc = { h, buf, n in tmsize_t(file(h).read(buf!, Int(n))) }
    private static let writeProc: TIFFReadWriteProc = { h, buf, n in tmsize_t(file(h).write(buf!, Int(n))) }
    private static let seekProc: TIFFSeekProc = { h, off, whence in file(h).seek(off, whence) }
    private static let closeProc: TIFFCloseProc = { _ in 0 }
    private static let sizeProc: TIFFSizeProc = { h in file(h).size }
}
