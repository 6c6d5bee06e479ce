import Foundation

/// The sensor profiles TilePipe knows, as Swift literals.
///
/// Sources of the real sensors' figures:
/// - Landsat 8/9 OLI/TIRS: USGS Landsat 8-9 Data Users Handbook (band centres/widths, 30/15/100 m, 16-bit DN
///   with QUANTIZE_CAL_MAX 65535, fill 0, reflectance 2.0e-5·DN − 0.1 for Level-1).
/// - Sentinel-2 MSI: ESA Sentinel-2 User Handbook, S2A spectral response centres (B2 492.4 nm, ...);
///   S2B/S2C differ by a few nm, which this catalogue does not model. DN 0 is NO_DATA, QUANTIFICATION_VALUE 10000.
/// - MODIS: MOD09 user guide (bands 1–7, Int16, scale 1e-4, fill −28672); MCD43A4 (nodata 32767);
///   MYD13A1 reflectance layers (Int16, scale 1e-4, nodata −1000).
///
/// The Anxi Tieguanyin-1/-2 and Huaxiangyuan-1 entries are **this project's models** of the station's
/// satellites (`isModel == true`), chosen to be plausible for small Earth-observation satellites; they are
/// not published specifications. ESUN for the model bands is taken from the Landsat 7 ETM+ values of
/// Chander et al. 2009 (Remote Sens. Environ. 113:893) and the Sentinel-2A B5 solar irradiance.
public enum SensorCatalog {
    /// Landsat 8 and 9 OLI/TIRS.
    public static let landsatOLI = SensorProfile(
        id: "landsat-oli-tirs", satellites: ["Landsat 8", "Landsat 9"], sensor: "OLI_TIRS", dnType: .uint16,
        saturation: 65535, fill: 0, defaultScale: 2.0e-5, defaultOffset: -0.1, qualityBand: .landsatC2QAPixel,
        bands: [
            SensorBand("B1", "coastal", 0.443, 0.016, 30), SensorBand("B2", "blue", 0.482, 0.060, 30),
            SensorBand("B3", "green", 0.561, 0.057, 30), SensorBand("B4", "red", 0.655, 0.037, 30),
            SensorBand("B5", "nir", 0.865, 0.028, 30), SensorBand("B6", "swir16", 1.609, 0.085, 30),
            SensorBand("B7", "swir22", 2.201, 0.187, 30), SensorBand("B8", "pan", 0.590, 0.172, 15),
            SensorBand("B9", "cirrus", 1.373, 0.020, 30), SensorBand("B10", "thermal", 10.895, 0.590, 100),
            SensorBand("B11", "thermal2", 12.005, 1.010, 100), SensorBand("BQA", "qa", 0, 0, 30),
        ])

    /// Sentinel-2A/B/C MSI (S2A band centres).
    public static let sentinel2MSI = SensorProfile(
        id: "sentinel2-msi", satellites: ["Sentinel-2A", "Sentinel-2B", "Sentinel-2C"], sensor: "MSI", dnType: .uint16,
        saturation: 65535, fill: 0, defaultScale: 1.0e-4, defaultOffset: 0, qualityBand: .sentinel2SCL,
        bands: [
            SensorBand("B1", "coastal", 0.4427, 0.021, 60), SensorBand("B2", "blue", 0.4924, 0.066, 10),
            SensorBand("B3", "green", 0.5598, 0.036, 10), SensorBand("B4", "red", 0.6646, 0.031, 10),
            SensorBand("B5", "rededge1", 0.7041, 0.015, 20), SensorBand("B6", "rededge2", 0.7405, 0.015, 20),
            SensorBand("B7", "rededge3", 0.7828, 0.020, 20), SensorBand("B8", "nir", 0.8328, 0.106, 10),
            SensorBand("B8A", "nir08", 0.8647, 0.021, 20), SensorBand("B9", "nir09", 0.9451, 0.020, 60),
            SensorBand("B10", "cirrus", 1.3735, 0.031, 60), SensorBand("B11", "swir16", 1.6137, 0.091, 20),
            SensorBand("B12", "swir22", 2.2024, 0.175, 20), SensorBand("SCL", "qa", 0, 0, 20),
        ])

    /// MODIS surface reflectance MOD09/MYD09 (bands 1–7; bands 1–2 at 250 m, the rest 500 m).
    public static let modisMOD09 = SensorProfile(
        id: "modis-mod09", satellites: ["Terra", "Aqua"], sensor: "MODIS", dnType: .int16, saturation: nil,
        fill: -28672, defaultScale: 1.0e-4, defaultOffset: 0, qualityBand: .none,
        bands: [
            SensorBand("B1", "red", 0.645, 0.050, 250), SensorBand("B2", "nir", 0.8585, 0.035, 250),
            SensorBand("B3", "blue", 0.469, 0.020, 500), SensorBand("B4", "green", 0.555, 0.020, 500),
            SensorBand("B5", "nir12", 1.240, 0.020, 500), SensorBand("B6", "swir16", 1.640, 0.024, 500),
            SensorBand("B7", "swir22", 2.130, 0.050, 500),
        ])

    /// MODIS MCD43A4 nadir BRDF-adjusted reflectance (files `…_B01.TIF` … `_B07.TIF`, nodata 32767).
    public static let modisMCD43A4 = SensorProfile(
        id: "modis-mcd43a4", satellites: ["Terra+Aqua"], sensor: "MODIS", dnType: .int16, saturation: nil,
        fill: 32767, defaultScale: 1.0e-4, defaultOffset: 0, qualityBand: .none,
        bands: [
            SensorBand("B01", "red", 0.645, 0.050, 500), SensorBand("B02", "nir", 0.8585, 0.035, 500),
            SensorBand("B03", "blue", 0.469, 0.020, 500), SensorBand("B04", "green", 0.555, 0.020, 500),
            SensorBand("B05", "nir12", 1.240, 0.020, 500), SensorBand("B06", "swir16", 1.640, 0.024, 500),
            SensorBand("B07", "swir22", 2.130, 0.050, 500),
        ])

    /// MODIS MYD13A1/MOD13A1 vegetation-index product reflectance layers (nodata −1000).
    public static let modisMYD13 = SensorProfile(
        id: "modis-myd13", satellites: ["Aqua", "Terra"], sensor: "MODIS", dnType: .int16, saturation: nil,
        fill: -1000, defaultScale: 1.0e-4, defaultOffset: 0, qualityBand: .none,
        bands: [
            SensorBand("RR", "red", 0.645, 0.050, 500), SensorBand("NIRR", "nir", 0.8585, 0.035, 500),
            SensorBand("BR", "blue", 0.469, 0.020, 500), SensorBand("MIRR", "swir22", 2.130, 0.050, 500),
        ])

    /// MODEL (not a published specification): Anxi Tieguanyin-1 and -2, high-resolution
    /// blue/green/red/nir at 4 m plus a 1 m panchromatic band, 12-bit DN in UInt16, fill 0.
    public static let anxiTieguanyin = SensorProfile(
        id: "anxi-tgy", satellites: ["Anxi Tieguanyin-1", "Anxi Tieguanyin-2"], sensor: "TGY-PMS", isModel: true,
        dnType: .uint16, saturation: 4095, fill: 0, defaultScale: 2.5e-4, defaultOffset: 0, qualityBand: .none,
        bands: [
            SensorBand("B1", "blue", 0.485, 0.070, 4), SensorBand("B2", "green", 0.555, 0.070, 4),
            SensorBand("B3", "red", 0.660, 0.060, 4), SensorBand("B4", "nir", 0.830, 0.120, 4),
            SensorBand("PAN", "pan", 0.650, 0.300, 1),
        ])

    /// MODEL (not a published specification): Huaxiangyuan-1, a monitoring satellite with blue, green,
    /// red, red edge, nir and two SWIR bands, all delivered at 16 m, 14-bit DN in UInt16, fill 0.
    public static let huaxiangyuan = SensorProfile(
        id: "huaxiangyuan", satellites: ["Huaxiangyuan-1"], sensor: "HXY-MSI", isModel: true,
        dnType: .uint16, saturation: 16383, fill: 0, defaultScale: 6.25e-5, defaultOffset: 0, qualityBand: .none,
        bands: [
            SensorBand("B1", "blue", 0.485, 0.065, 16), SensorBand("B2", "green", 0.560, 0.035, 16),
            SensorBand("B3", "red", 0.665, 0.030, 16), SensorBand("B4", "rededge1", 0.705, 0.015, 16),
            SensorBand("B5", "nir", 0.842, 0.115, 16), SensorBand("B6", "swir16", 1.610, 0.090, 16),
            SensorBand("B7", "swir22", 2.190, 0.180, 16),
        ])

    /// Every profile.
    public static let all: [SensorProfile] = [landsatOLI, sentinel2MSI, modisMOD09, modisMCD43A4, modisMYD13,
                                              anxiTieguanyin, huaxiangyuan]

    /// Mean exo-atmospheric solar irradiance (W/m²/µm) used for the model satellites' bands, by common name.
    public static let modelESUN: [String: Double] = [
        "blue": 1997, "green": 1812, "red": 1533, "rededge1": 1425, "nir": 1039, "swir16": 230.8, "swir22": 84.9,
        "pan": 1362,
    ]

    /// The profile of a satellite name as manifests spell it (`LANDSAT_8`, `sentinel-2a`, `Huaxiangyuan-1`,
    /// `AXTGY-2`), or nil when unknown.
    public static func profile(forSatellite name: String) -> SensorProfile? {
        let n = name.lowercased().replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "-", with: " ")
        if n.hasPrefix("landsat 8") || n.hasPrefix("landsat 9") || n == "landsat8" || n == "landsat9" { return landsatOLI }
        if n.hasPrefix("sentinel 2") || n.hasPrefix("sentinel2") || n == "s2a" || n == "s2b" || n == "s2c" { return sentinel2MSI }
        if n.hasPrefix("anxi tieguanyin") || n.hasPrefix("axtgy") || n.hasPrefix("tieguanyin") || n.hasPrefix("tgy") { return anxiTieguanyin }
        if n.hasPrefix("huaxiangyuan") || n.hasPrefix("hxy") { return huaxiangyuan }
        if n == "terra" || n == "aqua" || n == "modis" { return modisMOD09 }
        return all.first { $0.id == name.lowercased() }
    }

    /// The display name of a satellite spelling (`LANDSAT_8` -> `Landsat 8`, `sentinel-2a` -> `Sentinel-2A`).
    public static func displayName(forSatellite name: String) -> String {
        let n = name.lowercased().replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "-", with: " ")
        if n.hasPrefix("landsat") { return "Landsat " + n.dropFirst(7).trimmingCharacters(in: .whitespaces) }
        if n.hasPrefix("sentinel 2") { return "Sentinel-2" + n.dropFirst(10).trimmingCharacters(in: .whitespaces).uppercased() }
        return name
    }
}
