import Foundation

/// The XYZ tiling of Web Mercator (EPSG:3857, WebMercatorQuad): tile (0, 0) of zoom z is the north-west corner,
/// tiles are `size` pixels square, zoom 0 is one tile covering ±20037508.342789244 m (±85.0511° latitude).
public struct WebMercatorTile: Sendable, Hashable, CustomStringConvertible {
    /// Half the width of the Web Mercator world in metres (π × 6378137).
    public static let halfWorld = 20037508.342789244
    /// The deepest zoom served (at z 24 a pixel is ≈ 9 mm at the equator).
    public static let maxZoom = 24

    /// Zoom level.
    public let z: Int
    /// Column, 0 at the antimeridian west.
    public let x: Int
    /// Row, 0 at the north.
    public let y: Int

    /// A tile; nil when z is outside 0…`maxZoom` or x, y outside 0..<2^z.
    public init?(z: Int, x: Int, y: Int) {
        guard (0...Self.maxZoom).contains(z) else { return nil }
        let n = 1 << z
        guard (0..<n).contains(x), (0..<n).contains(y) else { return nil }
        self.z = z; self.x = x; self.y = y
    }

    /// Parses the three path components of `/{z}/{x}/{y}.png` (the `.png` already removed): plain decimal digits
    /// only (no signs, spaces or exponents), in range. Nil for anything else.
    public init?(z: Substring, x: Substring, y: Substring) {
        func number(_ s: Substring) -> Int? {
            guard !s.isEmpty, s.count <= 9, s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return Int(s)
        }
        guard let z = number(z), let x = number(x), let y = number(y) else { return nil }
        self.init(z: z, x: x, y: y)
    }

    /// The size of one tile pixel in metres of EPSG:3857 for `size`-pixel tiles.
    public func resolution(size: Int = 256) -> Double { 2 * Self.halfWorld / Double(size << z) }

    /// The tile's bounds in EPSG:3857 metres.
    public func bounds(size: Int = 256) -> (minX: Double, minY: Double, maxX: Double, maxY: Double) {
        let span = 2 * Self.halfWorld / Double(1 << z)
        let minX = -Self.halfWorld + Double(x) * span
        let maxY = Self.halfWorld - Double(y) * span
        return (minX, maxY - span, minX + span, maxY)
    }

    /// The tile that holds a WGS84 longitude/latitude at zoom `z`.
    public static func containing(lon: Double, lat: Double, z: Int) -> WebMercatorTile? {
        let n = Double(1 << z)
        let clampedLat = max(-85.05112878, min(85.05112878, lat))
        let x = Int(((lon + 180) / 360 * n).rounded(.down))
        let r = clampedLat * .pi / 180
        let y = Int(((1 - log(tan(r) + 1 / cos(r)) / .pi) / 2 * n).rounded(.down))
        return WebMercatorTile(z: z, x: min(max(x, 0), Int(n) - 1), y: min(max(y, 0), Int(n) - 1))
    }

    /// `z/x/y`.
    public var description: String { "\(z)/\(x)/\(y)" }
}
