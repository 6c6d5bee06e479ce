internal import CShims
internal import CTIFF
#if canImport(Glibc)
import Glibc
#endif

/// One open libtiff handle with its own diagnostics (no global error state; safe across threads
/// as long as each handle stays on one thread at a time). Calls `rs_tiff_open` / `TIFFClose`.
final class TIFFHandle {
    let path: String
    let tif: OpaquePointer
    let diag: UnsafeMutablePointer<rs_tiff_diag>

    /// Opens `path` in `mode` ("r", "w", "w8"); `maxAlloc` caps any single libtiff allocation.
    init(path: String, mode: String, maxAlloc: Int) throws {
        self.path = path
        diag = .allocate(capacity: 1)
        diag.initialize(to: rs_tiff_diag())
        guard let t = rs_tiff_open(path, mode, diag, Int64(maxAlloc)) else {
            let message = Self.text(of: diag.pointee.first_error)
            diag.deallocate()
            throw mode.hasPrefix("r")
                ? RasterIOError.corrupt(path: path, reason: message.isEmpty ? "not a TIFF file" : "not a readable TIFF: \(message)")
                : RasterIOError.io(path: path, reason: message.isEmpty ? "cannot create" : message)
        }
        tif = t
    }

    /// Wraps a handle opened elsewhere (`VirtualTIFFFile.open`), taking ownership of `tif` and `diag`.
    init(path: String, tif: OpaquePointer, diag: UnsafeMutablePointer<rs_tiff_diag>) {
        self.path = path
        self.tif = tif
        self.diag = diag
    }

    deinit {
        TIFFClose(tif)
        diag.deallocate()
    }

    /// The first error libtiff reported on this handle, or `fallback`.
    func firstError(or fallback: String) -> String {
        let s = Self.text(of: diag.pointee.first_error)
        return s.isEmpty ? fallback : s
    }

    /// The latest error libtiff reported, or `fallback`.
    func lastError(or fallback: String) -> String {
        let s = Self.text(of: diag.pointee.last_error)
        return s.isEmpty ? fallback : s
    }

    var errorCount: Int { Int(diag.pointee.error_count) }

    func u16(_ tag: UInt32) -> UInt16? { var v: UInt16 = 0; return rs_tiff_get_u16(tif, tag, &v) == 1 ? v : nil }
    func u32(_ tag: UInt32) -> UInt32? { var v: UInt32 = 0; return rs_tiff_get_u32(tif, tag, &v) == 1 ? v : nil }
    func ascii(_ tag: UInt32) -> String? {
        var p: UnsafePointer<CChar>?
        guard rs_tiff_get_ascii(tif, tag, &p) == 1, let p else { return nil }
        return String(cString: p)
    }
    func doubles(_ tag: UInt32) -> [Double]? {
        var n: UInt32 = 0
        var p: UnsafePointer<Double>?
        guard rs_tiff_get_doubles(tif, tag, &n, &p) == 1, let p else { return nil }
        return Array(UnsafeBufferPointer(start: p, count: Int(n)))
    }
    func shorts(_ tag: UInt32) -> [UInt16]? {
        var n: UInt32 = 0
        var p: UnsafePointer<UInt16>?
        guard rs_tiff_get_shorts(tif, tag, &n, &p) == 1, let p else { return nil }
        return Array(UnsafeBufferPointer(start: p, count: Int(n)))
    }

    func set(_ tag: UInt32, u16 v: UInt16) throws { try check(rs_tiff_set_u16(tif, tag, v), tag) }
    func set(_ tag: UInt32, u32 v: UInt32) throws { try check(rs_tiff_set_u32(tif, tag, v), tag) }
    func set(_ tag: UInt32, int v: Int32) throws { try check(rs_tiff_set_int(tif, tag, v), tag) }
    func set(_ tag: UInt32, ascii v: String) throws { try check(rs_tiff_set_ascii(tif, tag, v), tag) }
    func set(_ tag: UInt32, doubles v: [Double]) throws {
        try check(v.withUnsafeBufferPointer { rs_tiff_set_doubles(tif, tag, UInt32($0.count), $0.baseAddress) }, tag)
    }
    func set(_ tag: UInt32, shorts v: [UInt16]) throws {
        try check(v.withUnsafeBufferPointer { rs_tiff_set_shorts(tif, tag, UInt32($0.count), $0.baseAddress) }, tag)
    }

    private func check(_ rc: Int32, _ tag: UInt32) throws {
        if rc != 1 { throw RasterIOError.io(path: path, reason: lastError(or: "cannot set TIFF tag \(tag)")) }
    }

    static func text<T>(of tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}

/// Checks that `path` names a regular, readable file before any library touches it
/// (FIFOs would block, devices never end, directories named `.tif` are not files).
func requireRegularFile(_ path: String) throws {
    var st = stat()
    guard stat(path, &st) == 0 else {
        let e = errno
        if e == ELOOP { throw RasterIOError.cannotOpen(path: path, reason: "symbolic link loop") }
        throw RasterIOError.cannotOpen(path: path, reason: String(cString: strerror(e)))
    }
    let kind = st.st_mode & S_IFMT
    if kind == S_IFDIR { throw RasterIOError.cannotOpen(path: path, reason: "is a directory, not a file") }
    if kind != S_IFREG {
        let what = kind == S_IFIFO ? "a FIFO" : kind == S_IFCHR ? "a character device" : kind == S_IFBLK ? "a block device"
            : kind == S_IFSOCK ? "a socket" : "not a regular file"
        throw RasterIOError.cannotOpen(path: path, reason: "is \(what), not a regular file")
    }
    if st.st_size == 0 { throw RasterIOError.corrupt(path: path, reason: "empty file (0 bytes)") }
    guard access(path, R_OK) == 0 else { throw RasterIOError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
}
