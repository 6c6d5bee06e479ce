/// The spectral index catalogue: formulas from Awesome Spectral Indices (spectral-indices-dict.json,
/// snapshot 926973262d11) and the original papers, each with its own constants.
///
/// Band names are the common names of design.md §3: blue, green, red, rededge1, nir, swir16 (~1.6 µm),
/// swir22 (~2.2 µm). Sentinel-2: nir = B8 (or B8A), swir16 = B11, swir22 = B12; Landsat 8/9: nir = B5,
/// swir16 = B6, swir22 = B7.
public enum IndexCatalog {
    /// Every index, in a stable order (vegetation, water, moisture/fire, built-up/soil, snow).
    public static let all: [SpectralIndex] = [
        SpectralIndex(name: "NDVI", longName: "Normalized Difference Vegetation Index",
                      formula: "(nir - red) / (nir + red)", requiredBands: ["nir", "red"],
                      outputDomain: "[-1, 1]",
                      reference: "Rouse et al. 1974, NASA NTRS 19740022614",
                      kernel: .normalizedDifference),
        SpectralIndex(name: "EVI", longName: "Enhanced Vegetation Index",
                      formula: "2.5 * (nir - red) / (nir + 6 * red - 7.5 * blue + 1)",
                      requiredBands: ["nir", "red", "blue"],
                      constants: ["G": 2.5, "C1": 6, "C2": 7.5, "L": 1],
                      outputDomain: "about [-1, 1] for valid reflectance; unbounded near a zero denominator",
                      reference: "Huete et al. 1997/2002, doi:10.1016/S0034-4257(96)00112-5, doi:10.1016/S0034-4257(02)00096-2",
                      notes: "L = 1 here, not SAVI's 0.5. Needs reflectance (0..1): pass --scale for integer products.",
                      kernel: .evi(g: 2.5, c1: 6, c2: 7.5, l: 1)),
        SpectralIndex(name: "EVI2", longName: "Two-band Enhanced Vegetation Index",
                      formula: "2.5 * (nir - red) / (nir + 2.4 * red + 1)", requiredBands: ["nir", "red"],
                      constants: ["G": 2.5, "C": 2.4, "L": 1],
                      outputDomain: "about [-1, 1] for valid reflectance",
                      reference: "Jiang et al. 2008, doi:10.1016/j.rse.2008.06.006",
                      notes: "MODIS MOD13/MYD13 use EVI2 as the backup algorithm where blue is unreliable.",
                      kernel: .evi2(g: 2.5, c: 2.4, l: 1)),
        SpectralIndex(name: "SAVI", longName: "Soil-Adjusted Vegetation Index",
                      formula: "1.5 * (nir - red) / (nir + red + 0.5)", requiredBands: ["nir", "red"],
                      constants: ["L": 0.5],
                      outputDomain: "[-1.5, 1.5]",
                      reference: "Huete 1988, doi:10.1016/0034-4257(88)90106-X",
                      notes: "L = 0.5 (Huete's standard), its own constant: spyndex's shared L = 1 is a known trap.",
                      kernel: .savi(l: 0.5)),
        SpectralIndex(name: "MSAVI", longName: "Modified Soil-Adjusted Vegetation Index", aliases: ["MSAVI2"],
                      formula: "0.5 * (2 * nir + 1 - sqrt((2 * nir + 1) ^ 2 - 8 * (nir - red)))",
                      requiredBands: ["nir", "red"],
                      outputDomain: "[-1, 1] for reflectance in [0, 1]; NaN where the radicand is negative",
                      reference: "Qi et al. 1994, doi:10.1016/0034-4257(94)90134-1",
                      kernel: .msavi),
        SpectralIndex(name: "OSAVI", longName: "Optimized Soil-Adjusted Vegetation Index",
                      formula: "(nir - red) / (nir + red + 0.16)", requiredBands: ["nir", "red"],
                      constants: ["X": 0.16],
                      outputDomain: "[-1, 1]",
                      reference: "Rondeaux et al. 1996, doi:10.1016/0034-4257(95)00186-7",
                      kernel: .osavi(x: 0.16)),
        SpectralIndex(name: "GNDVI", longName: "Green Normalized Difference Vegetation Index",
                      formula: "(nir - green) / (nir + green)", requiredBands: ["nir", "green"],
                      outputDomain: "[-1, 1]",
                      reference: "Gitelson et al. 1996, doi:10.1016/S0034-4257(96)00072-7",
                      kernel: .normalizedDifference),
        SpectralIndex(name: "NDRE", longName: "Normalized Difference Red Edge", aliases: ["NDREI"],
                      formula: "(nir - rededge1) / (nir + rededge1)", requiredBands: ["nir", "rededge1"],
                      outputDomain: "[-1, 1]",
                      reference: "Gitelson & Merzlyak 1994, doi:10.1016/S0176-1617(11)81633-0",
                      notes: "Sentinel-2: rededge1 = B5.",
                      kernel: .normalizedDifference),
        SpectralIndex(name: "WDRVI", longName: "Wide Dynamic Range Vegetation Index",
                      formula: "(0.1 * nir - red) / (0.1 * nir + red)", requiredBands: ["nir", "red"],
                      constants: ["alpha": 0.1],
                      outputDomain: "[-1, 1]",
                      reference: "Gitelson 2004, doi:10.1078/0176-1617-01176",
                      kernel: .wdrvi(a: 0.1)),
        SpectralIndex(name: "GCI", longName: "Green Chlorophyll Index", aliases: ["CIgreen", "CIG"],
                      formula: "nir / green - 1", requiredBands: ["nir", "green"],
                      outputDomain: "[-1, +inf); NaN where green == 0",
                      reference: "Gitelson et al. 2003, doi:10.1078/0176-1617-00887",
                      kernel: .ratioMinusOne),
        SpectralIndex(name: "NDWI", longName: "Normalized Difference Water Index (McFeeters)",
                      aliases: ["NDWI_McFeeters", "NDWI2"],
                      formula: "(green - nir) / (green + nir)", requiredBands: ["green", "nir"],
                      outputDomain: "[-1, 1]",
                      reference: "McFeeters 1996, doi:10.1080/01431169608948714",
                      notes: "Open water (green − NIR). Gao's NIR − SWIR 'NDWI' is NDMI here; OTB calls McFeeters 'NDWI2'.",
                      kernel: .normalizedDifference),
        SpectralIndex(name: "MNDWI", longName: "Modified Normalized Difference Water Index",
                      formula: "(green - swir16) / (green + swir16)", requiredBands: ["green", "swir16"],
                      outputDomain: "[-1, 1]",
                      reference: "Xu 2006, doi:10.1080/01431160600589179",
                      kernel: .normalizedDifference),
        SpectralIndex(name: "AWEInsh", longName: "Automated Water Extraction Index (no shadows)",
                      formula: "4 * (green - swir16) - (0.25 * nir + 2.75 * swir22)",
                      requiredBands: ["green", "swir16", "nir", "swir22"],
                      outputDomain: "unbounded (reflectance units); water > 0",
                      reference: "Feyisa et al. 2014, doi:10.1016/j.rse.2013.08.029",
                      notes: "Feyisa's equation: 4(G − S1) − (0.25 N + 2.75 S2). ASI writes '− 0.25 N + 2.75 S2'; we follow the paper.",
                      kernel: .aweinsh),
        SpectralIndex(name: "AWEIsh", longName: "Automated Water Extraction Index (shadows)",
                      formula: "blue + 2.5 * green - 1.5 * (nir + swir16) - 0.25 * swir22",
                      requiredBands: ["blue", "green", "nir", "swir16", "swir22"],
                      outputDomain: "unbounded (reflectance units); water > 0",
                      reference: "Feyisa et al. 2014, doi:10.1016/j.rse.2013.08.029",
                      kernel: .aweish),
        SpectralIndex(name: "NDMI", longName: "Normalized Difference Moisture Index (Gao's NDWI)",
                      aliases: ["NDWI_Gao", "GaoNDWI", "LSWI"],
                      formula: "(nir - swir16) / (nir + swir16)", requiredBands: ["nir", "swir16"],
                      outputDomain: "[-1, 1]",
                      reference: "Gao 1996, doi:10.1016/S0034-4257(96)00067-3; Wilson & Sader 2002, doi:10.1016/S0034-4257(01)00318-2",
                      notes: "This is the index Gao (1996) named NDWI; named NDMI here to avoid the clash with McFeeters' NDWI.",
                      kernel: .normalizedDifference),
        SpectralIndex(name: "NDDI", longName: "Normalized Difference Drought Index",
                      formula: "((nir - red) / (nir + red) - (green - nir) / (green + nir)) / ((nir - red) / (nir + red) + (green - nir) / (green + nir))",
                      requiredBands: ["nir", "red", "green"],
                      outputDomain: "unbounded; NaN where NDVI + NDWI == 0",
                      reference: "Gu et al. 2007, doi:10.1029/2006GL029127",
                      notes: "NDWI here is McFeeters' (green − NIR), as in the catalogue.",
                      kernel: .nddi),
        SpectralIndex(name: "NBR", longName: "Normalized Burn Ratio",
                      formula: "(nir - swir22) / (nir + swir22)", requiredBands: ["nir", "swir22"],
                      outputDomain: "[-1, 1]",
                      reference: "Key & Benson 2006, USGS RMRS-GTR-164-CD (FIREMON LA)",
                      notes: "dNBR = NBR_pre − NBR_post (×1000 for the USGS severity table). Sentinel-2 often uses B8A + B12.",
                      kernel: .normalizedDifference),
        SpectralIndex(name: "NBR2", longName: "Normalized Burn Ratio 2",
                      formula: "(swir16 - swir22) / (swir16 + swir22)", requiredBands: ["swir16", "swir22"],
                      outputDomain: "[-1, 1]",
                      reference: "USGS Landsat Surface Reflectance-derived Spectral Indices product guide (NBR2)",
                      kernel: .normalizedDifference),
        SpectralIndex(name: "MIRBI", longName: "Mid-Infrared Burn Index",
                      formula: "10 * swir22 - 9.8 * swir16 + 2", requiredBands: ["swir22", "swir16"],
                      outputDomain: "unbounded (reflectance units)",
                      reference: "Trigg & Flasse 2001, doi:10.1080/01431160110053185",
                      kernel: .mirbi),
        SpectralIndex(name: "BAI", longName: "Burned Area Index",
                      formula: "1 / ((0.1 - red) ^ 2 + (0.06 - nir) ^ 2)", requiredBands: ["red", "nir"],
                      outputDomain: "(0, +inf); NaN where red = 0.1 and nir = 0.06 exactly",
                      reference: "Chuvieco et al. 2002, Int. J. Remote Sensing 23(23):5103-5110, doi:10.1080/01431160210153129",
                      notes: "Needs reflectance (0..1), not scaled integers.",
                      kernel: .bai),
        SpectralIndex(name: "NDBI", longName: "Normalized Difference Built-up Index",
                      formula: "(swir16 - nir) / (swir16 + nir)", requiredBands: ["swir16", "nir"],
                      outputDomain: "[-1, 1]",
                      reference: "Zha et al. 2003, doi:10.1080/01431160304987",
                      kernel: .normalizedDifference),
        SpectralIndex(name: "BSI", longName: "Bare Soil Index", aliases: ["BI"],
                      formula: "((swir16 + red) - (nir + blue)) / ((swir16 + red) + (nir + blue))",
                      requiredBands: ["swir16", "red", "nir", "blue"],
                      outputDomain: "[-1, 1]",
                      reference: "Rikimaru et al. 2002, Tropical Ecology 43(1):39-47 (ASI 'BI')",
                      kernel: .bsi),
        SpectralIndex(name: "NDSI", longName: "Normalized Difference Snow Index",
                      formula: "(green - swir16) / (green + swir16)", requiredBands: ["green", "swir16"],
                      outputDomain: "[-1, 1]",
                      reference: "Hall et al. 1995 (Riggs 1994), doi:10.1109/IGARSS.1994.399618",
                      notes: "Same arithmetic as MNDWI; thresholds differ (snow: NDSI > 0.4).",
                      kernel: .normalizedDifference),
    ]

    /// Canonical names, in catalogue order.
    public static var names: [String] { all.map(\.name) }

    /// Every accepted spelling: each name and alias as listed, and in lower case (the pipeline.yaml convention)
    /// and upper case.
    private static let table: [String: SpectralIndex] = {
        var t: [String: SpectralIndex] = [:]
        for index in all {
            for key in [index.name] + index.aliases {
                for spelling in [key, key.lowercased(), key.uppercased()] where t[spelling] == nil { t[spelling] = index }
            }
        }
        return t
    }()

    /// The index called `name` or one of its aliases, written as listed, all lower case or all upper case
    /// (surrounding spaces ignored), or nil. A mixed spelling such as `BaI` is not a name: `require` explains it.
    public static func lookup(_ name: String) -> SpectralIndex? {
        table[name.trimmingCharacters(in: .whitespaces)]
    }

    /// Like `lookup`, but throws `KernelError.unknownIndex` listing the valid names, or `.ambiguousIndex` naming
    /// the spellings a name could mean when only its case differs from them.
    public static func require(_ name: String) throws(KernelError) -> SpectralIndex {
        if let index = lookup(name) { return index }
        let folded = name.trimmingCharacters(in: .whitespaces).lowercased()
        let candidates = all.flatMap { [$0.name] + $0.aliases }.filter { $0.lowercased() == folded }
        if !candidates.isEmpty { throw .ambiguousIndex(name: name, candidates: candidates) }
        throw .unknownIndex(name: name, valid: names)
    }
}
