/// A rectangle of pixels: columns `x..<x+width`, rows `y..<y+height`.
public struct Window: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    public var x: Int, y: Int, width: Int, height: Int
    /// A window from its origin and size.
    public init(x: Int, y: Int, width: Int, height: Int) { self.x = x; self.y = y; self.width = width; self.height = height }
    /// The whole of a width × height raster.
    public static func full(width: Int, height: Int) -> Window { Window(x: 0, y: 0, width: width, height: height) }
    /// Number of pixels.
    public var pixelCount: Int { width * height }
    /// True when this window lies inside a width × height raster and is not empty.
    public func fits(width w: Int, height h: Int) -> Bool { x >= 0 && y >= 0 && width > 0 && height > 0 && x + width <= w && y + height <= h }
    /// The overlap of two windows, or nil.
    public func intersection(_ o: Window) -> Window? {
        let x0 = max(x, o.x), y0 = max(y, o.y), x1 = min(x + width, o.x + o.width), y1 = min(y + height, o.y + o.height)
        return x1 > x0 && y1 > y0 ? Window(x: x0, y: y0, width: x1 - x0, height: y1 - y0) : nil
    }
    public var description: String { "\(width)x\(height)+\(x)+\(y)" }
}
