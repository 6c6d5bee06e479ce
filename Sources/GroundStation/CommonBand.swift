/// The common band names TilePipe speaks (STAC `eo:common_name` vocabulary), in spectral order.
public enum CommonBand {
    /// Every common name, shortest wavelength first.
    public static let all: [String] = [
        "coastal", "blue", "green", "red", "rededge1", "rededge2", "rededge3", "nir", "nir08", "nir09", "nir12",
        "cirrus", "swir16", "swir22", "pan", "thermal", "thermal2", "qa",
    ]

    /// `names` sorted by spectral order; names outside the vocabulary come last, alphabetically.
    public static func sorted(_ names: [String]) -> [String] {
        names.sorted { a, b in
            let ia = all.firstIndex(of: a) ?? Int.max, ib = all.firstIndex(of: b) ?? Int.max
            return ia != ib ? ia < ib : a < b
        }
    }

    /// Normalises user spellings (`NIR`, `swir1`, `rededge`, `lwir11`) to the vocabulary; nil when unknown.
    public static func normalise(_ name: String) -> String? {
        let n = name.lowercased().replacingOccurrences(of: "_", with: "").replacingOccurrences(of: "-", with: "")
        if all.contains(n) { return n }
        switch n {
        case "aerosol", "coastalaerosol": return "coastal"
        case "rededge", "re1": return "rededge1"
        case "re2": return "rededge2"
        case "re3": return "rededge3"
        case "nirnarrow", "nir2", "nir8a": return "nir08"
        case "swir1", "swir": return "swir16"
        case "swir2": return "swir22"
        case "lwir", "lwir11", "tir", "tirs1": return "thermal"
        case "lwir12", "tirs2": return "thermal2"
        case "panchromatic": return "pan"
        default: return nil
        }
    }
}
