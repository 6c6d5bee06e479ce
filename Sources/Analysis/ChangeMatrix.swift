public import RasterCore

/// From-class × to-class change between two dates of the same grid, in pixels and hectares.
///
/// `pixels[i][j]` counts pixels of class `classes[i]` at the first date and `classes[j]` at the second.
/// Pixels that are 0 (nodata) or in `masked` (cloud 6, shadow 7 by default) at either date are not counted,
/// so masked pixels never show as change. Hectares = pixels × |det(transform)| / 10 000.
public struct ChangeMatrix: Sendable, Equatable, Codable {
    /// Class codes, in row/column order.
    public let classes: [UInt8]
    /// Pixel counts `[from][to]`.
    public let pixels: [[Int]]
    /// Hectares per pixel.
    public let pixelHectares: Double

    /// Builds the matrix. Throws `gridMismatch` when the two maps are not on one grid and `noPixelArea` when the
    /// grid has no metric pixel area.
    public init(before: [UInt8], beforeGeo: GeoReference?, after: [UInt8], afterGeo: GeoReference?,
                width: Int, height: Int, classes: [UInt8] = LandUse.classes.map(\.code),
                masked: Set<UInt8> = [LandUse.nodata, LandUse.cloud, LandUse.cloudShadow]) throws(AnalysisError) {
        try Check.size("before", before.count, width * height)
        try Check.size("after", after.count, width * height)
        try GridPairing.requireSameGrid(beforeGeo, width: width, height: height, afterGeo, width: width, height: height)
        pixelHectares = try PixelArea.hectares(beforeGeo)
        self.classes = classes
        var index = [Int](repeating: -1, count: 256)
        for (k, c) in classes.enumerated() { index[Int(c)] = k }
        var m = [[Int]](repeating: [Int](repeating: 0, count: classes.count), count: classes.count)
        for i in 0..<before.count {
            let a = before[i], b = after[i]
            if masked.contains(a) || masked.contains(b) { continue }
            let ai = index[Int(a)], bi = index[Int(b)]
            if ai >= 0 && bi >= 0 { m[ai][bi] += 1 }
        }
        pixels = m
    }

    /// Hectares `[from][to]`.
    public var hectares: [[Double]] { pixels.map { $0.map { Double($0) * pixelHectares } } }

    /// Hectares that changed class (off-diagonal sum).
    public var changedHectares: Double {
        var s = 0
        for i in classes.indices { for j in classes.indices where i != j { s += pixels[i][j] } }
        return Double(s) * pixelHectares
    }

    /// Hectares from class `a` to class `b`.
    public func hectares(from a: UInt8, to b: UInt8) -> Double {
        guard let i = classes.firstIndex(of: a), let j = classes.firstIndex(of: b) else { return 0 }
        return Double(pixels[i][j]) * pixelHectares
    }
}
