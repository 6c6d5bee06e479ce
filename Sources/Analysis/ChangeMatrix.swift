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
    /// `qualityBefore`/`qualityAfter` are ground-station quality codes; pixels whose code is masked
    /// (`LandUse.isMasked`) at either date are not counted either.
    public init(before: [UInt8], beforeGeo: GeoReference?, after: [UInt8], afterGeo: GeoReference?,
                width: Int, height: Int, classes: [UInt8] = LandUse.classes.map(\.code),
                masked: Set<UInt8> = [LandUse.nodata, LandUse.cloud, LandUse.cloudShadow],
                qualityBefore: [UInt8]? = nil, qualityAfter: [UInt8]? = nil) throws(AnalysisError) {
        try Check.size("before", before.count, width * height)
        try Check.size("after", after.count, width * height)
        if let q = qualityBefore { try Check.size("qualityBefore", q.count, width * height) }
        if let q = qualityAfter { try Check.size("qualityAfter", q.count, width * height) }
        try GridPairing.requireSameGrid(beforeGeo, width: width, height: height, afterGeo, width: width, height: height)
        pixelHectares = try PixelArea.hectares(beforeGeo)
        self.classes = classes
        pixels = CrossTabulation.count(before, after, classes: classes) { i in
            masked.contains(before[i]) || masked.contains(after[i])
                || qualityBefore.map { LandUse.isMasked(quality: $0[i]) } ?? false
                || qualityAfter.map { LandUse.isMasked(quality: $0[i]) } ?? false
        }
    }

    /// The classes of `scheme` that are not land and never count as change: 0 (nodata) always, and cloud (6)
    /// and shadow (7) when the scheme is the land-use scheme (`LandUse.classes`). A custom scheme's 6th and 7th
    /// classes are land classes like any other; its cloud and shadow pixels come from the quality masks.
    public static func maskedClasses(of scheme: [ClassDefinition]) -> Set<UInt8> {
        scheme == LandUse.classes ? [LandUse.nodata, LandUse.cloud, LandUse.cloudShadow] : [LandUse.nodata]
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
