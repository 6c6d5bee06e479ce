/// An ordered list of rules that turns index and band buffers into a UInt8 class map (first match wins).
///
/// A rule holds conditions `variable → interval` that must all hold (logical AND). Variables name the
/// buffers passed to `classify` (`ndvi`, `mndwi`, `nir`, ...), matched case-insensitively. A rule that mentions a variable absent from
/// the inputs is skipped for the whole scene (so one scheme serves sensors with and without SWIR); a NaN
/// sample never satisfies a condition. Pixels matched by no rule get `defaultClass` (0, nodata, by default).
///
/// When a quality buffer is given, pixels whose quality code is masked (`LandUse.isMasked`) get a class before
/// any rule is tried (`forcedClass(quality:)`): the land-use scheme's own nodata, cloud, shadow and snow classes
/// (0/6/7/8) for the land-use scheme, and `maskedClass` (0, nodata, by default) for any other scheme, whose
/// codes 6 to 8 are classes of its own.
///
/// `tilepipe run` builds a scheme from `classification.classes` (one interval on one index per class, codes 1…n,
/// masked pixels 0; docs/pipeline.md); rules, `autoWater` and `maskedClass` are set through this API only.
public struct ClassificationScheme: Sendable, Equatable, Codable {
    /// One rule: all `when` conditions hold → `class`.
    public struct Rule: Sendable, Equatable, Codable {
        /// The class code assigned when the rule matches.
        public var `class`: UInt8
        /// Conditions on named buffers; all must hold.
        public var when: [String: ValueInterval]
        /// A rule from its parts.
        public init(class code: UInt8, when: [String: ValueInterval]) {
            self.class = code
            self.when = when
        }
    }

    /// Per-scene automatic water threshold: Otsu on `index` replaces the condition on `index` in every rule
    /// of class `class` with `index > t`, where t is clamped to [`minimum`, `maximum`].
    public struct AutoThreshold: Sendable, Equatable, Codable {
        /// Index buffer to threshold (`mndwi` or `ndwi`).
        public var index: String
        /// Class code whose rules get the threshold (water).
        public var `class`: UInt8
        /// Lowest threshold accepted (default −0.3).
        public var minimum: Float?
        /// Highest threshold accepted (default 0.5).
        public var maximum: Float?
        /// An automatic threshold on `index` for rules of class `code`.
        public init(index: String, class code: UInt8, minimum: Float? = nil, maximum: Float? = nil) {
            self.index = index
            self.class = code
            self.minimum = minimum
            self.maximum = maximum
        }
    }

    /// The classes the scheme can produce (codes, names, colours).
    public var classes: [ClassDefinition]
    /// The ordered rules.
    public var rules: [Rule]
    /// Class of pixels no rule matches (default 0).
    public var defaultClass: UInt8?
    /// Optional Otsu water threshold.
    public var autoWater: AutoThreshold?
    /// Optional minimum mapping unit in pixels (8-connected regions smaller than this are absorbed).
    public var minimumMappingUnit: Int?
    /// The code of quality-masked pixels in a scheme other than the land-use scheme (nil: 0, nodata). It must
    /// not be a code any rule assigns: a masked pixel is never one of the scheme's classes.
    public var maskedClass: UInt8?

    /// A scheme from its parts.
    public init(classes: [ClassDefinition], rules: [Rule], defaultClass: UInt8? = nil,
                autoWater: AutoThreshold? = nil, minimumMappingUnit: Int? = nil, maskedClass: UInt8? = nil) {
        self.classes = classes
        self.maskedClass = maskedClass
        self.rules = rules
        self.defaultClass = defaultClass
        self.autoWater = autoWater
        self.minimumMappingUnit = minimumMappingUnit
    }

    /// The default land-use scheme (codes in `LandUse`); rules, thresholds and references in docs/land-cover.md:
    /// 1. snow: `ndsi ≥ 0.4`, `nir > 0.11` and `green > 0.10` (SNOMAP, Hall et al. 1995; brightness tests of
    ///    Fmask, Zhu & Woodcock 2012), first since MNDWI ≡ NDSI — and only where `ClassificationContext` says
    ///    snow is physically plausible (date/latitude prior, `SnowPrior`);
    /// 2. cloud: `blue ≥ 0.25` (TOA reflectance; a spectral fallback dropped when the product's quality band
    ///    masks clouds, `ClassificationContext.cloudsFromQuality`);
    /// 3. cloud shadow: `blue < 0.05` and `nir < 0.2` (dark in every band, unlike water's NIR ≈ 0.02 with
    ///    blue ≈ 0.09); both before water, since cloud and shadow can have MNDWI > 0; dropped with the cloud rule;
    /// 4. water: `mndwi > 0`, or `ndwi > 0` (McFeeters) for sensors without SWIR;
    /// 5. dense vegetation (tea, forest): `ndvi ≥ 0.6`;
    /// 6. cropland / sparse vegetation: `0.2 ≤ ndvi < 0.6` (shrub and grassland from about 0.2);
    /// 7. burn scar → bare soil: `ndvi < 0.2` and `nbr < −0.1` (char and ash reflect less in NIR than in SWIR2,
    ///    Key & Benson 2006; impervious surfaces keep NBR near 0 or above), before built-up so that a fresh scar
    ///    is never "built-up";
    /// 8. bare soil: `ndvi < 0.2` and `bsi ≥ 0.1`;
    /// 9. built-up: `ndvi < 0.2` and `ndbi > −0.1`;
    /// 10. any remaining `ndvi < 0.2`: bare soil.
    /// Rules mentioning an absent buffer are skipped, so an NDVI-only scene still gets vegetation and bare soil.
    public static let `default`: ClassificationScheme = {
        func r(_ c: UInt8, _ w: [String: String]) -> Rule {
            Rule(class: c, when: w.mapValues { try! ValueInterval(parsing: $0) })
        }
        return ClassificationScheme(classes: LandUse.classes, rules: [
            r(LandUse.snow, ["ndsi": ">=0.4", "nir": ">0.11", "green": ">0.10"]),
            r(LandUse.cloud, ["blue": ">=0.25"]),
            r(LandUse.cloudShadow, ["blue": "<0.05", "nir": "<0.2"]),
            r(LandUse.water, ["mndwi": ">0"]),
            r(LandUse.water, ["ndwi": ">0"]),
            r(LandUse.denseVegetation, ["ndvi": ">=0.6"]),
            r(LandUse.cropland, ["ndvi": "[0.2,0.6)"]),
            r(LandUse.bareSoil, ["ndvi": "<0.2", "nbr": "<-0.1"]),
            r(LandUse.bareSoil, ["ndvi": "<0.2", "bsi": ">=0.1"]),
            r(LandUse.builtUp, ["ndvi": "<0.2", "ndbi": ">-0.1"]),
            r(LandUse.bareSoil, ["ndvi": "<0.2"]),
        ], defaultClass: LandUse.nodata)
    }()

    /// The buffer names the rules read (lower-cased), so a caller computes only these indices and bands.
    public var variables: Set<String> {
        var v = Set(rules.flatMap { $0.when.keys.map { $0.lowercased() } })
        if let a = autoWater { v.insert(a.index.lowercased()) }
        return v
    }

    /// Checks that every rule's class is declared and every rule has at least one condition.
    public func validate() throws(AnalysisError) {
        guard !rules.isEmpty else { throw .badScheme(key: "rules", reason: "no rules") }
        let codes = Set(classes.map(\.code))
        for (i, rule) in rules.enumerated() {
            if !codes.isEmpty && !codes.contains(rule.class) {
                throw .badScheme(key: "rules[\(i)].class", reason: "class \(rule.class) is not declared in classes")
            }
            if rule.when.isEmpty { throw .badScheme(key: "rules[\(i)].when", reason: "a rule needs at least one condition") }
        }
        if let m = minimumMappingUnit, m < 1 { throw .badScheme(key: "minimumMappingUnit", reason: "must be ≥ 1, got \(m)") }
        if let m = maskedClass, rules.contains(where: { $0.class == m }) {
            throw .badScheme(key: "maskedClass", reason: "class \(m) is assigned by a rule; masked pixels need a code of their own")
        }
    }

    /// True for the default land-use scheme's classes (`LandUse.classes`), whose codes 6/7/8 are cloud, shadow, snow.
    public var isLandUse: Bool { classes == LandUse.classes }

    /// The class a quality code forces, or nil when the pixel is classified by the rules: `LandUse.forcedClass`
    /// for the land-use scheme; for any other scheme, `maskedClass` (0 by default) for every masked code.
    public func forcedClass(quality q: UInt8) -> UInt8? {
        LandUse.forcedClass(quality: q).map { isLandUse ? $0 : maskedClass ?? LandUse.nodata }
    }

    /// Classifies a scene.
    ///
    /// - Parameters:
    ///   - inputs: named Float32 buffers of `width × height` samples each; NaN marks invalid samples.
    ///   - quality: optional ground-station quality codes (1 nodata, 3 cloud, 4 shadow, 5 snow; `forcedClass(quality:)`).
    /// - Returns: the class map plus the Otsu threshold actually used (if `autoWater` is set).
    public func classify(inputs inputsByName: [String: [Float]], quality: [UInt8]? = nil, width: Int, height: Int,
                         context: ClassificationContext = ClassificationContext()) throws(AnalysisError) -> ClassificationResult {
        try validate()
        let n = width * height
        for (k, v) in inputsByName { try Check.size(k, v.count, n) }
        if let quality { try Check.size("quality", quality.count, n) }
        // Names match case-insensitively (`NDVI` from the index catalogue matches a rule on `ndvi`).
        var inputs = [String: [Float]]()
        for (k, v) in inputsByName { inputs[k.lowercased()] = v }

        var rules = self.rules.filter { context.allows($0.class) }
        var usedThreshold: Float?
        if let auto = autoWater, let idx = inputs[auto.index.lowercased()] {
            var sample = [Float]()
            sample.reserveCapacity(n)
            for i in 0..<n where !idx[i].isNaN && (quality.map { !LandUse.isMasked(quality: $0[i]) } ?? true) { sample.append(idx[i]) }
            if let t = Otsu.threshold(sample, lower: -1, upper: 1) {
                let tc = min(max(t, auto.minimum ?? -0.3), auto.maximum ?? 0.5)
                usedThreshold = tc
                for i in rules.indices where rules[i].class == auto.class {
                    for key in rules[i].when.keys where key.lowercased() == auto.index.lowercased() { rules[i].when[key] = .greater(than: tc) }
                }
            }
        }
        // Rules whose variables are all present, with buffers resolved once.
        let active: [(code: UInt8, conds: [([Float], ValueInterval)])] = rules.compactMap { rule in
            var conds: [([Float], ValueInterval)] = []
            for (k, iv) in rule.when.sorted(by: { $0.key < $1.key }) {
                guard let buf = inputs[k.lowercased()] else { return nil }
                conds.append((buf, iv))
            }
            return (rule.class, conds)
        }
        let fallback = defaultClass ?? LandUse.nodata
        var out = [UInt8](repeating: fallback, count: n)
        // Rule-major evaluation with branch-free per-condition loops over 0/1 flags: `open[i]` is 1 while no rule
        // has claimed i; a rule claims the open pixels where every one of its conditions holds.
        var open = [UInt8](repeating: 1, count: n)
        if let quality {
            // `forcedClass(quality:)` with the scheme test hoisted out of the loop.
            let landUse = isLandUse, masked = maskedClass ?? LandUse.nodata
            for i in 0..<n {
                guard let forced = LandUse.forcedClass(quality: quality[i]) else { continue }
                out[i] = landUse ? forced : masked
                open[i] = 0
            }
        }
        var match = [UInt8](repeating: 0, count: n)
        for rule in active {
            match = open
            match.withUnsafeMutableBufferPointer { m in
                for (buf, iv) in rule.conds { buf.withUnsafeBufferPointer { iv.intersect($0, into: m) } }
                out.withUnsafeMutableBufferPointer { o in
                    open.withUnsafeMutableBufferPointer { op in
                        Self.claim(code: rule.code, match: UnsafeBufferPointer(m), classes: o, open: op)
                    }
                }
            }
        }
        if let mmu = minimumMappingUnit, mmu > 1 {
            out = MinimumMappingUnit.apply(out, width: width, height: height, minimumPixels: mmu)
        }
        return ClassificationResult(classes: out, width: width, height: height, waterThreshold: usedThreshold)
    }
}

/// What the scene says about which classes are possible, beyond its pixels: rules of impossible classes are
/// dropped before classifying.
public struct ClassificationContext: Sendable, Equatable {
    /// False when snow is physically implausible at this place and date (`SnowPrior`): snow rules are dropped.
    /// Snow flagged by the product's quality band still forces the snow class.
    public var snowPlausible: Bool
    /// True when the product's own quality band (Landsat QA_PIXEL/BQA, Sentinel-2 SCL, a simulator mask) already
    /// masks clouds and shadows: the spectral cloud and shadow rules are dropped, so bright soil, roofs or snow
    /// are not called cloud where the product says they are clear.
    public var cloudsFromQuality: Bool

    /// A context; the default drops nothing.
    public init(snowPlausible: Bool = true, cloudsFromQuality: Bool = false) {
        self.snowPlausible = snowPlausible
        self.cloudsFromQuality = cloudsFromQuality
    }

    /// Whether rules of the default scheme's class `code` may run.
    func allows(_ code: UInt8) -> Bool {
        if code == LandUse.snow { return snowPlausible }
        if code == LandUse.cloud || code == LandUse.cloudShadow { return !cloudsFromQuality }
        return true
    }
}

/// The output of `ClassificationScheme.classify`.
public struct ClassificationResult: Sendable, Equatable {
    /// Class codes, row-major, `width × height`.
    public var classes: [UInt8]
    /// Columns.
    public var width: Int
    /// Rows.
    public var height: Int
    /// The per-scene Otsu water threshold that was applied, when `autoWater` was set.
    public var waterThreshold: Float?

    /// Pixel count per class code.
    public var counts: [UInt8: Int] {
        var c = [Int](repeating: 0, count: 256)
        for v in classes { c[Int(v)] += 1 }
        var d: [UInt8: Int] = [:]
        for (k, v) in c.enumerated() where v > 0 { d[UInt8(k)] = v }
        return d
    }
}

extension ClassificationScheme {
    /// Where `match` is 1, sets the class to `code` and closes the pixel (`open` 0); elsewhere leaves both (match,
    /// open: 0/1 flags; the three buffers have the same length). Sixteen pixels at a time: the buffers could alias
    /// as far as the compiler knows, so the byte loop was not vectorised (half of `classify`'s time).
    @inline(__always) static func claim(code: UInt8, match m: UnsafeBufferPointer<UInt8>, classes o: UnsafeMutableBufferPointer<UInt8>,
                                        open op: UnsafeMutableBufferPointer<UInt8>) {
        let n = m.count
        precondition(o.count == n && op.count == n, "claim: \(n) flags for \(o.count) classes and \(op.count) open flags")
        var i = 0
        if n >= 16, let mb = m.baseAddress, let ob = o.baseAddress, let pb = op.baseAddress {
            let codes = SIMD16<UInt8>(repeating: code), ones = SIMD16<UInt8>(repeating: 1)
            while i + 16 <= n {
                let mv = UnsafeRawPointer(mb + i).loadUnaligned(as: SIMD16<UInt8>.self)
                let ov = UnsafeRawPointer(ob + i).loadUnaligned(as: SIMD16<UInt8>.self)
                let pv = UnsafeRawPointer(pb + i).loadUnaligned(as: SIMD16<UInt8>.self)
                UnsafeMutableRawPointer(ob + i).storeBytes(of: ov.replacing(with: codes, where: mv .!= .zero), as: SIMD16<UInt8>.self)
                UnsafeMutableRawPointer(pb + i).storeBytes(of: pv & (ones &- mv), as: SIMD16<UInt8>.self)
                i += 16
            }
        }
        while i < n {
            o[i] = m[i] != 0 ? code : o[i]
            op[i] &= 1 &- m[i]
            i += 1
        }
    }
}
