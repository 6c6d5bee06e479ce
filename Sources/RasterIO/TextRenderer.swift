public import RasterCore
internal import CFreeType

/// Renders text into an 8-bit RGBA buffer with FreeType (swift-notes.md §9): antialiased glyphs
/// (`FT_Load_Glyph` with `FT_LOAD_RENDER`), kerning from the font's `kern` table (`FT_Get_Kerning`),
/// straight-alpha "over" blending. Only Swift types cross this API.
///
/// Not thread-safe (one `FT_Library` + `FT_Face` per instance): use one renderer per thread or queue.
public final class TextRenderer {
    /// The font most TilePipe output uses (Debian `fonts-dejavu-core`).
    public static let defaultFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

    /// The font file.
    public let fontPath: String
    /// Pixel size (em height) the face is set to.
    public let pixelSize: Int
    private var library: FT_Library?
    private var face: FT_Face?

    /// Loads `fontPath` at `pixelSize` px. Throws `RasterIOError.cannotOpen` naming the font when it is missing
    /// (with the Debian package to install) or FreeType refuses it (with the FT_Error code).
    public init(fontPath: String = TextRenderer.defaultFontPath, pixelSize: Int) throws {
        self.fontPath = fontPath
        self.pixelSize = pixelSize
        guard pixelSize > 0, pixelSize < 1000 else {
            throw RasterIOError.invalidRequest(path: fontPath, reason: "font pixel size \(pixelSize) out of range")
        }
        guard isRegularFile(fontPath) else {
            throw RasterIOError.cannotOpen(path: fontPath, reason: "font file not found (install the Debian package fonts-dejavu-core)")
        }
        try check(FT_Init_FreeType(&library), "FT_Init_FreeType")      // freed in deinit only (see §9 pitfalls)
        try check(FT_New_Face(library, fontPath, 0, &face), "FT_New_Face")
        try check(FT_Set_Pixel_Sizes(face, 0, FT_UInt(pixelSize)), "FT_Set_Pixel_Sizes")
    }

    deinit {
        if let face { FT_Done_Face(face) }
        if let library { FT_Done_FreeType(library) }
    }

    private func check(_ error: FT_Error, _ call: String) throws {
        if error != 0 {
            throw RasterIOError.cannotOpen(path: fontPath, reason: "\(call) failed with FT_Error 0x\(String(error, radix: 16))")
        }
    }

    /// Ascender above the baseline in pixels (`size.metrics.ascender >> 6`).
    public var ascender: Int { Int(face!.pointee.size.pointee.metrics.ascender >> 6) }
    /// Descender below the baseline in pixels (positive).
    public var descender: Int { -Int(face!.pointee.size.pointee.metrics.descender >> 6) }

    private var hasKerning: Bool { (face!.pointee.face_flags & FT_Long(FT_FACE_FLAG_KERNING)) != 0 }

    /// The advance width of `text` in pixels (sum of advances and kerning; `FT_LOAD_DEFAULT`, nothing rendered).
    public func measure(_ text: String) throws -> Int {
        var pen = 0
        var previous: FT_UInt = 0
        for scalar in text.unicodeScalars {
            let index = FT_Get_Char_Index(face, FT_ULong(scalar.value))
            pen += try kerning(previous, index)
            try check(FT_Load_Glyph(face, index, Int32(FT_LOAD_DEFAULT)), "FT_Load_Glyph")
            pen += Int(face!.pointee.glyph!.pointee.advance.x)
            previous = index
        }
        return pen >> 6
    }

    private func kerning(_ previous: FT_UInt, _ index: FT_UInt) throws -> Int {
        guard hasKerning, previous != 0, index != 0 else { return 0 }
        var d = FT_Vector()
        try check(FT_Get_Kerning(face, previous, index, FT_UInt(FT_KERNING_DEFAULT.rawValue), &d), "FT_Get_Kerning")
        return Int(d.x)
    }

    /// Draws `text` into `pixels` (row-major RGBA, `width` × `height`) with its left edge at `x` and its
    /// baseline at row `baseline`, in `color` (its alpha scales the glyph coverage). Clips at the edges.
    /// Returns the pen position after the text.
    @discardableResult
    public func draw(_ text: String, into pixels: inout [UInt8], width: Int, height: Int, x: Int, baseline: Int,
                     color: RGBA) throws -> Int {
        precondition(pixels.count == width * height * 4, "RGBA buffer must hold width × height × 4 bytes")
        var penX = x << 6
        var previous: FT_UInt = 0
        for scalar in text.unicodeScalars {
            let index = FT_Get_Char_Index(face, FT_ULong(scalar.value))   // 0 = missing → .notdef box
            penX += try kerning(previous, index)
            try check(FT_Load_Glyph(face, index, Int32(FT_LOAD_RENDER)), "FT_Load_Glyph")
            let slot = face!.pointee.glyph!.pointee
            let bm = slot.bitmap
            let left = (penX >> 6) + Int(slot.bitmap_left), top = baseline - Int(slot.bitmap_top)
            let rows = Int(bm.rows), cols = Int(bm.width), pitch = Int(bm.pitch)
            if let buffer = bm.buffer {
                for row in 0..<rows {
                    let py = top + row
                    guard py >= 0, py < height else { continue }
                    let rowStart = pitch >= 0 ? row * pitch : (rows - 1 - row) * -pitch
                    for col in 0..<cols {
                        let px = left + col
                        guard px >= 0, px < width else { continue }
                        let coverage = Int(buffer[rowStart + col]) * Int(color.a) / 255
                        if coverage > 0 { Self.blend(&pixels, at: (py * width + px) * 4, color: color, alpha: coverage) }
                    }
                }
            }
            penX += Int(slot.advance.x)
            previous = index
        }
        return penX >> 6
    }

    /// Straight-alpha "over": outA = a + dA·(1−a); c = (src·a + dst·dA·(1−a)) / outA, in 0…255 integer maths.
    @inlinable
    public static func blend(_ p: inout [UInt8], at i: Int, color: RGBA, alpha a: Int) {
        let dA = Int(p[i + 3])
        let outA255 = a * 255 + dA * (255 - a)              // scaled by 255
        guard outA255 > 0 else { return }
        func ch(_ s: UInt8, _ d: UInt8) -> UInt8 {
            UInt8((Int(s) * a * 255 + Int(d) * dA * (255 - a) + outA255 / 2) / outA255)
        }
        p[i] = ch(color.r, p[i]); p[i + 1] = ch(color.g, p[i + 1]); p[i + 2] = ch(color.b, p[i + 2])
        p[i + 3] = UInt8((outA255 + 127) / 255)
    }
}

/// True when `path` names an existing regular file (`stat`).
private func isRegularFile(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
}

#if canImport(Glibc)
import Glibc
#endif
