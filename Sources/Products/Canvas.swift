public import RasterCore
public import RasterIO

/// A row-major 8-bit RGBA drawing surface (straight alpha) for quicklooks and legends.
public struct Canvas: Sendable, Equatable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// RGBA bytes, `(y·width + x)·4`.
    public var pixels: [UInt8]

    /// A canvas filled with `background`.
    public init(width: Int, height: Int, background: RGBA = RGBA(0, 0, 0, 0)) {
        self.width = width
        self.height = height
        let n = width * height
        // One pass of the pixel's four bytes, no zero fill first.
        let word = background.memoryWord
        pixels = [UInt8](unsafeUninitializedCapacity: n * 4) { bytes, initialized in
            if let base = bytes.baseAddress {
                let raw = UnsafeMutableRawPointer(base)
                for i in 0..<n { raw.storeBytes(of: word, toByteOffset: 4 * i, as: UInt32.self) }
            }
            initialized = n * 4
        }
    }

    /// The colour at (x, y).
    public func pixel(_ x: Int, _ y: Int) -> RGBA {
        let i = (y * width + x) * 4
        return RGBA(pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3])
    }

    /// Sets (x, y) to `c` (no blending); ignores points outside.
    public mutating func set(_ x: Int, _ y: Int, _ c: RGBA) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = (y * width + x) * 4
        pixels[i] = c.r; pixels[i + 1] = c.g; pixels[i + 2] = c.b; pixels[i + 3] = c.a
    }

    /// Blends `c` over (x, y) using `c.a` as coverage; ignores points outside.
    public mutating func blend(_ x: Int, _ y: Int, _ c: RGBA) {
        guard x >= 0, y >= 0, x < width, y < height, c.a > 0 else { return }
        TextRenderer.blend(&pixels, at: (y * width + x) * 4, color: c, alpha: Int(c.a))
    }

    /// Fills the rectangle [x, x+w) × [y, y+h), clipped, blending when `c` is translucent.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ c: RGBA) {
        let xs = max(0, x), xe = min(width, x + w), ys = max(0, y), ye = min(height, y + h)
        guard xs < xe, ys < ye else { return }
        for yy in ys..<ye {
            for xx in xs..<xe {
                if c.a == 255 { set(xx, yy, c) } else { blend(xx, yy, c) }
            }
        }
    }

    /// Strokes the outline of a rectangle with 1-px lines.
    public mutating func stroke(x: Int, y: Int, width w: Int, height h: Int, _ c: RGBA) {
        fill(x: x, y: y, width: w, height: 1, c)
        fill(x: x, y: y + h - 1, width: w, height: 1, c)
        fill(x: x, y: y, width: 1, height: h, c)
        fill(x: x + w - 1, y: y, width: 1, height: h, c)
    }

    /// Fills a triangle (pixel centres inside the three edges; 4×4 supersampling for smooth edges).
    public mutating func fillTriangle(_ a: (Double, Double), _ b: (Double, Double), _ c: (Double, Double), _ color: RGBA) {
        func edge(_ p: (Double, Double), _ q: (Double, Double), _ x: Double, _ y: Double) -> Double {
            (q.0 - p.0) * (y - p.1) - (q.1 - p.1) * (x - p.0)
        }
        let area = edge(a, b, c.0, c.1)
        guard area != 0 else { return }
        let x0 = max(0, Int(min(a.0, b.0, c.0).rounded(.down))), x1 = min(width - 1, Int(max(a.0, b.0, c.0).rounded(.up)))
        let y0 = max(0, Int(min(a.1, b.1, c.1).rounded(.down))), y1 = min(height - 1, Int(max(a.1, b.1, c.1).rounded(.up)))
        guard x0 <= x1, y0 <= y1 else { return }
        for y in y0...y1 {
            for x in x0...x1 {
                var inside = 0
                for sy in 0..<4 {
                    for sx in 0..<4 {
                        let px = Double(x) + (Double(sx) + 0.5) / 4, py = Double(y) + (Double(sy) + 0.5) / 4
                        let w0 = edge(b, c, px, py), w1 = edge(c, a, px, py), w2 = edge(a, b, px, py)
                        if (w0 >= 0 && w1 >= 0 && w2 >= 0 && area > 0) || (w0 <= 0 && w1 <= 0 && w2 <= 0 && area < 0) { inside += 1 }
                    }
                }
                if inside > 0 { blend(x, y, RGBA(color.r, color.g, color.b, UInt8(Int(color.a) * inside / 16))) }
            }
        }
    }

    /// Draws `text` with its left edge at `x` and baseline at `baseline`; returns the pen position after it.
    @discardableResult
    public mutating func text(_ s: String, x: Int, baseline: Int, font: TextRenderer, color: RGBA = RGBA(0, 0, 0)) throws -> Int {
        try font.draw(s, into: &pixels, width: width, height: height, x: x, baseline: baseline, color: color)
    }

    /// The canvas as an 8-bit RGBA PNG image, with optional tEXt chunks.
    public func pngImage(text: [(key: String, value: String)] = []) -> PNGImage.Image {
        PNGImage.Image(width: width, height: height, channels: 4, pixels: pixels, text: text)
    }
}
