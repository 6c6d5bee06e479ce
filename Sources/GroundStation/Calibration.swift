public import Foundation

/// DN → reflectance conversions: pure functions over buffers. NaN in gives NaN out; nothing is clipped.
public enum Calibration {
    /// Landsat TOA reflectance: ρ = (M_ρ·DN + A_ρ) / sin(θ_SE), θ_SE the sun elevation in degrees
    /// (USGS Landsat 8 product guide; rio-toa). With `sunElevation` nil the division is skipped
    /// (Collection 2 Level-2 surface reflectance, already sun-corrected). Computed in Double, stored as Float.
    public static func reflectance(dn: [Float], mult: Double, add: Double, sunElevation: Double?) -> [Float] {
        let s = sunElevation.map { sin($0 * .pi / 180) } ?? 1
        return dn.map { v in v.isNaN ? .nan : Float((mult * Double(v) + add) / s) }
    }

    /// Radiance L = gain·DN + offset (W/m²/sr/µm).
    public static func radiance(dn: [Float], gain: Double, offset: Double) -> [Float] {
        dn.map { v in v.isNaN ? .nan : Float(gain * Double(v) + offset) }
    }

    /// TOA reflectance from radiance: ρ = π·L·d² / (ESUN·cos θ_s), θ_s = 90° − sun elevation, d in AU
    /// (python-fmask landsatTOA; Chander et al. 2009 eq. 2).
    public static func reflectance(radiance: [Float], esun: Double, earthSunDistance d: Double, sunElevation: Double) -> [Float] {
        let k = Double.pi * d * d / (esun * sin(sunElevation * .pi / 180))
        return radiance.map { v in v.isNaN ? .nan : Float(Double(v) * k) }
    }

    /// At-sensor brightness temperature T = K2 / ln(K1/L + 1) (kelvin) from radiance L, with the MTL's
    /// K1_CONSTANT_BAND_n / K2_CONSTANT_BAND_n. L ≤ 0 gives NaN.
    public static func brightnessTemperature(radiance: [Float], k1: Double, k2: Double) -> [Float] {
        radiance.map { l in (l.isNaN || l <= 0) ? .nan : Float(k2 / log(k1 / Double(l) + 1)) }
    }

    /// Generic ρ = DN·scale + offset (MODIS scale 1e-4; Sentinel-2 scale 1/QV, offset BOA_ADD_OFFSET/QV).
    public static func scaled(dn: [Float], scale: Double, offset: Double) -> [Float] {
        dn.map { v in v.isNaN ? .nan : Float(Double(v) * scale + offset) }
    }

    /// Sentinel-2 reflectance = (DN + offset) / QUANTIFICATION_VALUE, where offset is −1000 for processing
    /// baseline ≥ 04.00 (since 25 Jan 2022) and 0 before, unless `offset` is given explicitly. DN 0 is
    /// NO_DATA and becomes NaN.
    public static func sentinel2(dn: [Float], processingBaseline: String?, offset: Double? = nil,
                                 quantification: Double = 10000) -> [Float] {
        let add = offset ?? sentinel2Offset(processingBaseline: processingBaseline)
        return dn.map { v in (v.isNaN || v == 0) ? .nan : Float((Double(v) + add) / quantification) }
    }

    /// −1000 when the baseline (`"04.00"`, `"N0400"`, `"5.09"`) is 4.0 or later, otherwise 0.
    public static func sentinel2Offset(processingBaseline: String?) -> Double {
        guard let b = processingBaseline.flatMap(parseBaseline) else { return 0 }
        return b >= 4.0 ? -1000 : 0
    }

    /// `"04.00"` -> 4.0, `"N0214"` -> 2.14; nil when unparseable.
    static func parseBaseline(_ s: String) -> Double? {
        var t = s.trimmingCharacters(in: .whitespaces)
        if t.uppercased().hasPrefix("N"), t.count == 5, let v = Double(t.dropFirst()) { return v / 100 }
        if t.hasPrefix("PB") { t = String(t.dropFirst(2)) }
        return Double(t)
    }

    /// Applies a band's calibration. `sunElevation` is required for `.reflectance(sunCorrected: true)` and
    /// `.radiance`; when nil those throw `ManifestError.missingKey` naming `SUN_ELEVATION` in `file`.
    public static func apply(_ cal: BandCalibration, dn: [Float], sunElevation: Double?, earthSunDistance: Double,
                             file: String) throws -> [Float] {
        switch cal {
        case .reflectance(let m, let a, let corrected):
            if corrected && sunElevation == nil { throw ManifestError.missingKey(file: file, key: "sun_elevation") }
            return reflectance(dn: dn, mult: m, add: a, sunElevation: corrected ? sunElevation : nil)
        case .radiance(let g, let o, let esun):
            guard let e = sunElevation else { throw ManifestError.missingKey(file: file, key: "sun_elevation") }
            return reflectance(radiance: radiance(dn: dn, gain: g, offset: o), esun: esun, earthSunDistance: earthSunDistance, sunElevation: e)
        case .scaleOffset(let s, let o):
            return scaled(dn: dn, scale: s, offset: o)
        case .brightnessTemperature(let g, let o, let k1, let k2):
            return brightnessTemperature(radiance: radiance(dn: dn, gain: g, offset: o), k1: k1, k2: k2)
        case .none:
            return dn
        }
    }

    /// Earth–Sun distance in AU for a date: d = 1 − 0.01672·cos(0.9856°·(DOY − 4)) (the usual first-order
    /// formula; within 1e-4 AU of the ephemeris).
    public static func earthSunDistance(on date: Date) -> Double {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let doy = Double(cal.ordinality(of: .day, in: .year, for: date) ?? 1)
        return 1 - 0.01672 * cos(0.9856 * (doy - 4) * .pi / 180)
    }

    /// Solar elevation and azimuth (degrees) at a place and time, from the NOAA low-accuracy solar position
    /// equations (declination and equation of time from the fractional year); good to about 0.5°. Used for
    /// the simulator's sun and for optional per-pixel sun angles.
    public static func solarPosition(latitude: Double, longitude: Double, date: Date) -> (elevation: Double, azimuth: Double) {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let c = cal.dateComponents([.year, .hour, .minute, .second], from: date)
        let doy = Double(cal.ordinality(of: .day, in: .year, for: date) ?? 1)
        let hour = Double(c.hour ?? 0) + Double(c.minute ?? 0) / 60 + Double(c.second ?? 0) / 3600
        let g = 2 * Double.pi / 365 * (doy - 1 + (hour - 12) / 24)
        let eqtime = 229.18 * (0.000075 + 0.001868 * cos(g) - 0.032077 * sin(g) - 0.014615 * cos(2 * g) - 0.040849 * sin(2 * g))
        let decl = 0.006918 - 0.399912 * cos(g) + 0.070257 * sin(g) - 0.006758 * cos(2 * g) + 0.000907 * sin(2 * g)
            - 0.002697 * cos(3 * g) + 0.00148 * sin(3 * g)
        let tst = hour * 60 + eqtime + 4 * longitude
        let ha = (tst / 4 - 180) * .pi / 180
        let lat = latitude * .pi / 180
        let cosZen = sin(lat) * sin(decl) + cos(lat) * cos(decl) * cos(ha)
        let zen = acos(max(-1, min(1, cosZen)))
        var az = atan2(sin(ha), cos(ha) * sin(lat) - tan(decl) * cos(lat)) * 180 / .pi + 180
        az = az.truncatingRemainder(dividingBy: 360)
        return (90 - zen * 180 / .pi, az)
    }
}
