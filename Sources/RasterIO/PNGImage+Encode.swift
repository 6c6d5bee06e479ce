import RasterCore
internal import CShims
#if canImport(Glibc)
import Glibc
#endif

extension PNGImage {
    /// Encodes an 8-bit image (gray, gray+alpha, RGB or RGBA; no palette, no text chunks) as PNG bytes in memory,
    /// for servers that answer with a picture rather than write a file (`rs_png_encode`: libpng through a write
    /// callback into a growing buffer). `zlibLevel` 0…9 (default 1: fast, as for quicklooks).
    public static func encode(_ image: Image, zlibLevel: Int = 1) throws -> [UInt8] {
        guard image.width > 0, image.height > 0, (1...4).contains(image.channels), image.bitDepth == 8,
              image.pixels8.count == image.width * image.height * image.channels else {
            throw RasterIOError.invalidRequest(path: "<memory>", reason: "cannot encode a \(image.width)x\(image.height)x\(image.channels) \(image.bitDepth)-bit PNG")
        }
        var err = [CChar](repeating: 0, count: 512)
        var out: UnsafeMutablePointer<UInt8>?
        var length = 0
        let rc = image.pixels8.withUnsafeBufferPointer { px in
            rs_png_encode(px.baseAddress, UInt32(image.width), UInt32(image.height), UInt32(image.channels),
                          Int32(zlibLevel), &out, &length, &err, err.count)
        }
        guard rc == 0, let out else {
            let message = String(decoding: err.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)
            throw RasterIOError.io(path: "<memory>", reason: "PNG: \(message)")
        }
        defer { free(out) }
        return Array(UnsafeBufferPointer(start: out, count: length))
    }
}
