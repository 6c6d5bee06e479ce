public import RasterCore

/// The rule that pairs two dates of a tile: same CRS, same transform, same size.
public enum GridPairing {
    /// Throws `gridMismatch` listing every difference (size, CRS, each transform coefficient) unless the two
    /// grids are identical (transform coefficients equal within a relative 1e-9, as `GeoReference.sameGrid`).
    public static func requireSameGrid(_ a: GeoReference?, width aw: Int, height ah: Int,
                                       _ b: GeoReference?, width bw: Int, height bh: Int,
                                       names: (String, String) = ("before", "after")) throws(AnalysisError) {
        var diffs: [String] = []
        if aw != bw || ah != bh { diffs.append("size \(aw)×\(ah) (\(names.0)) vs \(bw)×\(bh) (\(names.1))") }
        switch (a, b) {
        case (nil, nil): break
        case (nil, _), (_, nil):
            diffs.append("\(a == nil ? names.0 : names.1) has no georeference")
        case let (ga?, gb?):
            if !ga.sameGrid(as: gb) {
                if ga.crs?.epsg != gb.crs?.epsg || ga.crs?.projDefinition != gb.crs?.projDefinition {
                    diffs.append("CRS \(ga.crs?.summary ?? "none") (\(names.0)) vs \(gb.crs?.summary ?? "none") (\(names.1))")
                }
                let labels = ["originX", "pixelWidth", "rowRotation", "originY", "columnRotation", "pixelHeight"]
                for k in 0..<6 {
                    let x = ga.transform.coefficients[k], y = gb.transform.coefficients[k]
                    if abs(x - y) > 1e-9 * max(1, abs(x), abs(y)) {
                        diffs.append("\(labels[k]) \(x) (\(names.0)) vs \(y) (\(names.1))")
                    }
                }
            }
        }
        if !diffs.isEmpty { throw .gridMismatch(differences: diffs) }
    }
}
