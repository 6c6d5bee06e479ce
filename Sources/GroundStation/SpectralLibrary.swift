/// Typical surface reflectance spectra of the Anxi landscape, per common band name, for the simulator.
///
/// Values are representative band-averaged reflectances read off published library spectra, rounded:
/// - vegetation (tea shrubs, evergreen broadleaf/conifer forest, green rice): USGS Spectral Library
///   Version 7 (Kokaly et al. 2017, USGS Data Series 1035) vegetation chapter, e.g. "Oak Oak-Leaf",
///   "Rice_Paddy" and "Lawn_Grass" field spectra; the ECOSTRESS/ASTER spectral library
///   (Baldridge et al. 2009; Meerdink et al. 2019) green-vegetation class;
/// - red lateritic soil (Fujian's typical red earth), burn scar ash/char: ECOSTRESS soil spectra
///   (e.g. "Red-brown sandy loam", Alfisol/Ultisol entries) and the USGS "Ash" / burned-area chapters;
/// - built-up (concrete, asphalt, tile roofs): ECOSTRESS man-made materials ("Construction concrete",
///   "Asphaltic concrete", "Terra cotta roofing tile") mixed 40/40/20;
/// - water (clear and turbid): USGS "Water+Montmorillonite" turbid and open-ocean spectra;
/// - cloud: typical TOA cloud-top reflectance of thick cumulus (Kokhanovsky 2004, Fig. 3), nearly flat
///   in the visible and falling in the SWIR.
/// The simulator then adds terrain illumination, a small path radiance, noise and quantisation.
public enum SpectralLibrary {
    /// A surface material.
    public enum Material: Int, Sendable, CaseIterable {
        /// Clear water, turbid (flood) water, built-up mix, red lateritic soil, flooded paddy, green crop, tea,
        /// evergreen forest, burn scar, fresh landslide scar, thick cloud.
        case water, turbidWater, builtUp, redSoil, paddyFlooded, greenCrop, tea, forest, burnScar, landslideScar, cloud
    }

    /// Band order of the table below.
    public static let bandNames = ["blue", "green", "red", "rededge1", "nir", "swir16", "swir22"]

    /// Reflectance of `material` per band (order of `bandNames`).
    public static func spectrum(_ m: Material) -> [Double] {
        switch m {
        case .water: [0.060, 0.055, 0.035, 0.025, 0.015, 0.008, 0.005]
        case .turbidWater: [0.085, 0.100, 0.090, 0.070, 0.045, 0.020, 0.012]
        case .builtUp: [0.140, 0.150, 0.160, 0.170, 0.200, 0.250, 0.220]
        case .redSoil: [0.070, 0.100, 0.170, 0.200, 0.240, 0.340, 0.300]
        case .paddyFlooded: [0.060, 0.075, 0.065, 0.090, 0.130, 0.090, 0.060]
        case .greenCrop: [0.045, 0.080, 0.070, 0.140, 0.250, 0.220, 0.130]
        case .tea: [0.040, 0.075, 0.045, 0.140, 0.340, 0.180, 0.085]
        case .forest: [0.030, 0.060, 0.030, 0.120, 0.320, 0.150, 0.065]
        case .burnScar: [0.050, 0.060, 0.080, 0.090, 0.110, 0.200, 0.190]
        case .landslideScar: [0.090, 0.120, 0.180, 0.210, 0.250, 0.330, 0.290]
        case .cloud: [0.560, 0.560, 0.570, 0.575, 0.580, 0.450, 0.340]
        }
    }

    /// Additive path reflectance (haze) per band, added after terrain illumination.
    public static let pathReflectance: [Double] = [0.030, 0.020, 0.010, 0.008, 0.005, 0.002, 0.001]

    /// Crop phenology for the double-rice calendar of southern Fujian: green fraction in [0, 1] on day of
    /// year `doy` (early rice peaks about DOY 165, late rice about DOY 275; fields are flooded or bare between).
    public static func cropGreenFraction(doy: Double) -> Double {
        func bump(_ c: Double, _ w: Double) -> Double { let z = (doy - c) / w; return exp(-z * z) }
        return min(1, 0.85 * bump(165, 35) + 0.85 * bump(275, 35) + 0.1)
    }

    /// Tea flush: a small spring NIR gain in [0, 1] (new leaves, DOY 90–130).
    public static func teaFlush(doy: Double) -> Double {
        let z = (doy - 110) / 25
        return exp(-z * z)
    }
}

import Foundation
