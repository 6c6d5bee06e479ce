import GroundStation

extension TileLoadOptions {
    /// The load options pipeline.yaml's `calibration:` and `masks:` ask for (absent sections: the defaults —
    /// product calibration, every mask on). `calibration.mode: scale` without `scale` means scale 1.
    public static func from(calibration c: CalibrationSpec?, masks m: MaskSpec?) -> TileLoadOptions {
        var o = TileLoadOptions()
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
}
