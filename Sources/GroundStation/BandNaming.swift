import Foundation

/// Recognises sensor band names (`B04`, `B8A`, `SR_B5`, `red`, `NIR`) as common names, without a band map.
///
/// Vocabularies (case-insensitive; `_`, `-`, spaces and a `band` prefix are ignored):
/// - common names (STAC `eo:common_name`, `CommonBand.normalise`): `red`, `nir`, `swir16`, `SWIR1`, ...;
/// - Sentinel-2 MSI: `B01`…`B12` and `B8A`, with or without the `B0` padding (ESA band numbering):
///   B1 coastal, B2 blue, B3 green, B4 red, B5–B7 rededge1–3, B8 nir, B8A nir08, B9 nir09, B10 cirrus,
///   B11 swir16, B12 swir22;
/// - Landsat 8/9 OLI/TIRS: `B1`…`B11`, `SR_B1`…`SR_B7`, `ST_B10` (USGS numbering): B1 coastal, B2 blue,
///   B3 green, B4 red, B5 nir, B6 swir16, B7 swir22, B8 pan, B9 cirrus, B10 thermal, B11 thermal2;
/// - Landsat 4/5 TM and 7 ETM+: B1 blue, B2 green, B3 red, B4 nir, B5 swir16, B6 thermal, B7 swir22, B8 pan.
///
/// A bare `Bn` means different bands on different sensors (B5 is Sentinel-2 red edge, Landsat 8 NIR and TM
/// SWIR), so it is read only when the family is known: from the names themselves (`B8A` or a zero-padded
/// `B0n` is Sentinel-2, `SR_`/`ST_` prefixes are Landsat Collection 2) or from hints (file name, satellite
/// metadata: `S2A`, `Sentinel-2`, `LC08`, `LT05`, `LE07`, ...). Otherwise the band is reported as ambiguous.
public enum BandNaming {
    /// A family of band numbering.
    public enum Family: String, Sendable, CaseIterable {
        /// Sentinel-2 MSI.
        case sentinel2 = "Sentinel-2 MSI"
        /// Landsat 8/9 OLI/TIRS.
        case landsatOLI = "Landsat 8/9 OLI"
        /// Landsat 4/5 TM, Landsat 7 ETM+.
        case landsatTM = "Landsat TM/ETM+"

        /// Band number (as written after `B`, `B8A` as "8A") → common name.
        var table: [String: String] {
            switch self {
            case .sentinel2:
                ["1": "coastal", "2": "blue", "3": "green", "4": "red", "5": "rededge1", "6": "rededge2", "7": "rededge3",
                 "8": "nir", "8A": "nir08", "9": "nir09", "10": "cirrus", "11": "swir16", "12": "swir22"]
            case .landsatOLI:
                ["1": "coastal", "2": "blue", "3": "green", "4": "red", "5": "nir", "6": "swir16", "7": "swir22", "8": "pan",
                 "9": "cirrus", "10": "thermal", "11": "thermal2"]
            case .landsatTM:
                ["1": "blue", "2": "green", "3": "red", "4": "nir", "5": "swir16", "6": "thermal", "7": "swir22", "8": "pan"]
            }
        }
    }

    /// What a name means.
    public enum Meaning: Equatable, Sendable {
        /// A common name.
        case common(String)
        /// A sensor band number whose meaning depends on the sensor family (the candidates, by family).
        case ambiguous(String)
        /// Not a band name.
        case unknown
    }

    /// The band-number token of a name (`B04` → "4", `b8a` → "8A", `SR_B5` → "5"), with whether it was
    /// zero-padded and its Collection 2 prefix; nil when the name is not a `B<n>` token.
    static func numberToken(_ name: String) -> (number: String, padded: Bool, c2: Bool)? {
        var n = name.uppercased().replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "-", with: "_")
        var c2 = false
        for p in ["SR_", "ST_", "TOA_"] where n.hasPrefix(p) { n.removeFirst(p.count); c2 = true }
        if n.hasPrefix("BAND") { n.removeFirst(4) } else if n.hasPrefix("B") { n.removeFirst() } else { return nil }
        if n.hasPrefix("_") { n.removeFirst() }
        guard !n.isEmpty, n.first!.isNumber else { return nil }
        let padded = n.count >= 2 && n.hasPrefix("0")
        while n.count > 1 && n.hasPrefix("0") { n.removeFirst() }
        let valid = n == "8A" || (Int(n).map { (1...12).contains($0) } ?? false)
        return valid ? (n, padded, c2) : nil
    }

    /// The family that `names` (band names of one file) and `hints` (file name, satellite metadata) point to.
    public static func family(names: [String], hints: [String]) -> Family? {
        let tokens = names.compactMap(numberToken)
        if tokens.contains(where: { $0.number == "8A" || $0.padded }) { return .sentinel2 }
        func matches(_ h: String, _ pattern: String) -> Bool { h.range(of: pattern, options: .regularExpression) != nil }
        for h in hints.map({ $0.uppercased() }) {
            if matches(h, #"SENTINEL[-_ ]?2|(^|[^A-Z0-9])S2[ABC]?([^A-Z0-9]|$)|MSIL1C|MSIL2A"#) { return .sentinel2 }
            if matches(h, #"LANDSAT[-_ ]?[89]|(^|[^A-Z0-9])L[CO]0?[89]"#) { return .landsatOLI }
            if matches(h, #"LANDSAT[-_ ]?[457]|(^|[^A-Z0-9])L[TE]0?[457]"#) { return .landsatTM }
        }
        if tokens.contains(where: { $0.c2 }) {
            // Collection 2 names without a sensor hint: OLI numbering is the only one with SR_B6 = swir16 and no B8 in SR.
            return tokens.contains(where: { $0.number == "1" }) && tokens.count >= 7 ? .landsatOLI : nil
        }
        return nil
    }

    /// The meaning of one band name under `family` (nil = unknown family).
    public static func meaning(_ name: String, family: Family?) -> Meaning {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        if let c = CommonBand.normalise(trimmed) { return .common(c) }
        let u = trimmed.uppercased()
        if u == "QA" || u == "BQA" || u == "QA_PIXEL" || u == "SCL" || u == "FMASK" { return .common("qa") }
        guard let t = numberToken(trimmed) else { return .unknown }
        if let family { return family.table[t.number].map { .common($0) } ?? .unknown }
        let candidates = Family.allCases.compactMap { f in f.table[t.number].map { "\(f.rawValue): \($0)" } }
        return .ambiguous(candidates.joined(separator: "; "))
    }
}
