@testable import Kernels

/// One pixel's inputs by common band name (unused bands may hold anything).
struct Pixel {
    var blue: Float = .nan, green: Float = .nan, red: Float = .nan, rededge1: Float = .nan
    var nir: Float = .nan, swir16: Float = .nan, swir22: Float = .nan
}

/// Per-pixel reference formulas, written from domain.md §4.1 independently of the kernels and of
/// the catalogue's band order. NaN inputs propagate through the arithmetic; a zero denominator is NaN.
enum ScalarReference {
    static func nd(_ a: Float, _ b: Float) -> Float { a + b == 0 ? .nan : (a - b) / (a + b) }
    static func div(_ a: Float, _ b: Float) -> Float { b == 0 ? .nan : a / b }

    /// The reference formula of index `name`.
    static func formula(_ name: String) -> (Pixel) -> Float {
        switch name {
        case "NDVI": return { p in nd(p.nir, p.red) }
        case "EVI": return { p in div(2.5 * (p.nir - p.red), p.nir + 6 * p.red - 7.5 * p.blue + 1) }
        case "EVI2": return { p in div(2.5 * (p.nir - p.red), p.nir + 2.4 * p.red + 1) }
        case "SAVI": return { p in div(1.5 * (p.nir - p.red), p.nir + p.red + 0.5) }
        case "MSAVI": return { p in
            let t = 2 * p.nir + 1
            return 0.5 * (t - (t * t - 8 * (p.nir - p.red)).squareRoot()) }
        case "OSAVI": return { p in div(p.nir - p.red, p.nir + p.red + 0.16) }
        case "GNDVI": return { p in nd(p.nir, p.green) }
        case "NDRE": return { p in nd(p.nir, p.rededge1) }
        case "WDRVI": return { p in nd(0.1 * p.nir, p.red) }
        case "GCI": return { p in div(p.nir, p.green) - 1 }
        case "NDWI": return { p in nd(p.green, p.nir) }
        case "MNDWI", "NDSI": return { p in nd(p.green, p.swir16) }
        case "AWEInsh": return { p in 4 * (p.green - p.swir16) - (0.25 * p.nir + 2.75 * p.swir22) }
        case "AWEIsh": return { p in p.blue + 2.5 * p.green - 1.5 * (p.nir + p.swir16) - 0.25 * p.swir22 }
        case "NDMI": return { p in nd(p.nir, p.swir16) }
        case "NDDI": return { p in nd(nd(p.nir, p.red), nd(p.green, p.nir)) }
        case "NBR": return { p in nd(p.nir, p.swir22) }
        case "NBR2": return { p in nd(p.swir16, p.swir22) }
        case "MIRBI": return { p in 10 * p.swir22 - 9.8 * p.swir16 + 2 }
        case "BAI": return { p in
            let a = 0.1 - p.red, b = 0.06 - p.nir
            return div(1, a * a + b * b) }
        case "NDBI": return { p in nd(p.swir16, p.nir) }
        case "BSI": return { p in nd(p.swir16 + p.red, p.nir + p.blue) }
        default: fatalError("no scalar reference for \(name): add one")
        }
    }
}
