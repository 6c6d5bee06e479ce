@testable import Kernels

/// Per-pixel reference formulas, written from domain.md §4.1 independently of the kernels.
/// `ScalarReference.formula(name)` takes the pixel's inputs in the index's `requiredBands` order.
/// NaN when any input is NaN or a denominator is zero.
enum ScalarReference {
    static func nd(_ a: Float, _ b: Float) -> Float { a + b == 0 ? .nan : (a - b) / (a + b) }
    static func div(_ a: Float, _ b: Float) -> Float { b == 0 ? .nan : a / b }

    /// The reference of index `name`, as a function of its inputs (in `requiredBands` order).
    static func formula(_ name: String) -> ([Float]) -> Float {
        let order = IndexCatalog.lookup(name)!.requiredBands
        let f: ((String) -> Float) -> Float
        switch name {
        case "NDVI": f = { v in nd(v("nir"), v("red")) }
        case "EVI": f = { v in div(2.5 * (v("nir") - v("red")), v("nir") + 6 * v("red") - 7.5 * v("blue") + 1) }
        case "EVI2": f = { v in div(2.5 * (v("nir") - v("red")), v("nir") + 2.4 * v("red") + 1) }
        case "SAVI": f = { v in div(1.5 * (v("nir") - v("red")), v("nir") + v("red") + 0.5) }
        case "MSAVI": f = { v in
            let t = 2 * v("nir") + 1
            return 0.5 * (t - (t * t - 8 * (v("nir") - v("red"))).squareRoot()) }
        case "OSAVI": f = { v in div(v("nir") - v("red"), v("nir") + v("red") + 0.16) }
        case "GNDVI": f = { v in nd(v("nir"), v("green")) }
        case "NDRE": f = { v in nd(v("nir"), v("rededge1")) }
        case "WDRVI": f = { v in nd(0.1 * v("nir"), v("red")) }
        case "GCI": f = { v in div(v("nir"), v("green")) - 1 }
        case "NDWI": f = { v in nd(v("green"), v("nir")) }
        case "MNDWI", "NDSI": f = { v in nd(v("green"), v("swir16")) }
        case "AWEInsh": f = { v in 4 * (v("green") - v("swir16")) - (0.25 * v("nir") + 2.75 * v("swir22")) }
        case "AWEIsh": f = { v in v("blue") + 2.5 * v("green") - 1.5 * (v("nir") + v("swir16")) - 0.25 * v("swir22") }
        case "NDMI": f = { v in nd(v("nir"), v("swir16")) }
        case "NDDI": f = { v in
            let a = nd(v("nir"), v("red")), b = nd(v("green"), v("nir"))
            return a.isNaN || b.isNaN ? .nan : nd(a, b) }
        case "NBR": f = { v in nd(v("nir"), v("swir22")) }
        case "NBR2": f = { v in nd(v("swir16"), v("swir22")) }
        case "MIRBI": f = { v in 10 * v("swir22") - 9.8 * v("swir16") + 2 }
        case "BAI": f = { v in
            let a = 0.1 - v("red"), b = 0.06 - v("nir")
            return div(1, a * a + b * b) }
        case "NDBI": f = { v in nd(v("swir16"), v("nir")) }
        case "BSI": f = { v in nd(v("swir16") + v("red"), v("nir") + v("blue")) }
        default: fatalError("no scalar reference for \(name): add one")
        }
        return { inputs in
            if inputs.contains(where: \.isNaN) { return .nan }
            return f { band in inputs[order.firstIndex(of: band)!] }
        }
    }
}
