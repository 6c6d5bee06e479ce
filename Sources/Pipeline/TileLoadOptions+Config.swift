import GroundStation

extension TileLoadOptions {
    /// The load options pipeline.yaml's `calibration:` and `masks:` ask for (absent sections: the defaults —
    /// product calibration, every mask on). `calibration.mode: scale` without `scale` means scale 1.
    ///
    /// The reflectance sanity check runs when the outputs depend on absolute reflectance: a classification is
    /// configured (thresholds such as `blue ≥ 0.25`), or an index that is not a pure band ratio (EVI, SAVI,
    /// MIRBI, BAI, AWEI… have additive constants). Ratio indices alone (NDVI, NBR, …) are the same from DNs, so an
    /// index-only run on uncalibrated DNs (a benchmark, `classification.scheme: none`) is not refused.
    public static func from(calibration c: CalibrationSpec?, masks m: MaskSpec?, indices: [String] = [], classifies: Bool = true) -> TileLoadOptions {
        var o = TileLoadOptions()
        o.checkReflectance = classifies || indices.contains { !scaleInvariantIndices.contains($0.lowercased()) }
        switch c?.mode ?? "auto" {
        case "scale": o.calibration = .scale(c?.scale ?? 1, c?.offset ?? 0)
        case "none": o.calibration = .none
        case "toa": o.calibration = .toa
        default: o.calibration = .auto
        }
        o.sunElevationCorrection = c?.sunElevationCorrection
        if let m {
            o.nodata = m.nodata ?? true
            o.clouds = m.clouds ?? true
            o.shadows = m.shadows ?? true
            o.saturated = m.saturated ?? true
            o.minReflectance = m.minReflectance
            o.maxReflectance = m.maxReflectance
        }
        return o
    }

    /// Catalogue indices that are pure ratios of band sums/differences: unchanged by a common scale of the bands.
    public static let scaleInvariantIndices: Set<String> = ["ndvi", "gndvi", "ndre", "ndrei", "wdrvi", "gci", "cigreen", "cig", "ndwi",
                                                            "mndwi", "ndmi", "nddi", "nbr", "nbr2", "ndbi", "bsi", "bi", "ndsi"]
}
