import Foundation

/// The reflectance sanity check run after calibration: if most valid pixels of a reflective band lie outside
/// the range reflectance can take, the calibration is wrong (digital numbers read as reflectance, a missing
/// `calibration.scale`), and the tile fails with `ManifestError.calibration` instead of yielding a class map of
/// "cloud" (every DN ≥ 0.25 passes the cloud test).
///
/// Plausible range: [−0.2, 1.6], the range the USGS Landsat Collection 2 surface-reflectance encoding spans
/// (ρ = 2.75e-5·DN − 0.2 over DN 1…65535): dark targets go slightly negative after atmospheric correction, and
/// TOA reflectance of fresh snow and bright cloud tops reaches 1.0–1.4 at low sun.
/// "Most" is more than half of the valid pixels, so a scene with some saturated cloud passes.
/// Checked bands: the reflective common names (not thermal, QA or unnamed bands).
public enum ReflectanceSanity {
    /// The plausible reflectance range.
    public static let plausible: ClosedRange<Float> = -0.2...1.6
    /// Common names holding reflectance.
    public static let reflective: Set<String> = ["coastal", "blue", "green", "red", "rededge1", "rededge2", "rededge3", "nir",
                                                  "nir08", "nir09", "cirrus", "swir16", "swir22", "pan"]

    /// Throws `ManifestError.calibration` naming `file`, the band, the observed range and the likely fix when
    /// more than half of a reflective band's valid (finite) pixels lie outside `plausible`.
    public static func check(_ bands: [String: [Float]], file: String) throws {
        var tally = Tally()
        tally.add(bands)
        try tally.check(file: file)
    }

    /// The counts the check judges, gathered window by window (`add`, `merge`) and judged once for the whole tile.
    public struct Tally: Sendable, Equatable {
        /// Per reflective band: valid samples, those outside `plausible`, and the observed range.
        struct Band: Sendable, Equatable {
            var valid = 0, outside = 0
            var lo = Float.infinity, hi = -Float.infinity
            mutating func merge(_ b: Band) {
                valid += b.valid; outside += b.outside
                lo = min(lo, b.lo); hi = max(hi, b.hi)
            }
        }
        var bands: [String: Band] = [:]

        /// No samples yet.
        public init() {}

        /// Counts the reflective bands of `planes`.
        public mutating func add(_ planes: [String: [Float]]) {
            for (name, v) in planes where reflective.contains(name) {
                var b = bands[name] ?? Band()
                b.merge(Self.count(v))
                bands[name] = b
            }
        }

        /// The counts of one plane, in local variables and without branches on the data (the compiler can keep
        /// them in registers; a loop updating the captured `Band` went through memory, 2 % of the full job).
        /// NaN and ±infinity are not valid: `isFinite` as a bit test; the range test of a NaN is false anyway.
        static func count(_ v: [Float]) -> Band {
            var valid = 0, outside = 0
            var lo = Float.infinity, hi = -Float.infinity
            let pLo = plausible.lowerBound, pHi = plausible.upperBound
            v.withUnsafeBufferPointer { p in
                // Eight lanes at a time (SIMD8: the scalar loop did not vectorise), then the rest one by one; counts
                // and extremes do not depend on the order.
                var i = 0
                if let base = p.baseAddress, p.count >= 8 {
                    let exponent = SIMD8<UInt32>(repeating: 0x7F80_0000)
                    let vLo = SIMD8<Float>(repeating: pLo), vHi = SIMD8<Float>(repeating: pHi)
                    var nValid = SIMD8<Int32>(repeating: 0), nOutside = SIMD8<Int32>(repeating: 0)
                    var mins = SIMD8<Float>(repeating: .infinity), maxs = SIMD8<Float>(repeating: -.infinity)
                    let one = SIMD8<Int32>(repeating: 1), zero = SIMD8<Int32>(repeating: 0)
                    while i + 8 <= p.count {
                        let x = UnsafeRawPointer(base + i).loadUnaligned(as: SIMD8<Float>.self)
                        let bits = UnsafeRawPointer(base + i).loadUnaligned(as: SIMD8<UInt32>.self)
                        let finite = (bits & exponent) .!= exponent
                        let inside = (x .>= vLo) .& (x .<= vHi)
                        nValid &+= zero.replacing(with: one, where: finite)
                        nOutside &+= zero.replacing(with: one, where: finite .& .!inside)
                        mins.replace(with: x, where: finite .& (x .< mins))
                        maxs.replace(with: x, where: finite .& (x .>= maxs))
                        i += 8
                    }
                    valid = Int(nValid.wrappedSum()); outside = Int(nOutside.wrappedSum())
                    lo = mins.min(); hi = maxs.max()
                }
                for x in p[i...] {
                    let finite = x.bitPattern & 0x7F80_0000 != 0x7F80_0000
                    valid &+= finite ? 1 : 0
                    outside &+= finite && !(x >= pLo && x <= pHi) ? 1 : 0
                    lo = finite && x < lo ? x : lo    // Swift.min(lo, x)
                    hi = finite && x >= hi ? x : hi   // Swift.max(hi, x)
                }
            }
            return Band(valid: valid, outside: outside, lo: lo, hi: hi)
        }

        /// Adds another part of the same tile.
        public mutating func merge(_ o: Tally) {
            for (name, b) in o.bands {
                var m = bands[name] ?? Band()
                m.merge(b)
                bands[name] = m
            }
        }

        /// True when `check` must throw whatever the `pixelsLeft` samples per band not counted yet hold: for some band
        /// `outside × 2 > valid + pixelsLeft` (even if every sample left were valid and plausible, more than half would
        /// still lie outside). Lets a tile read window by window fail as soon as its verdict is certain.
        public func failsWhatever(pixelsLeft: Int) -> Bool {
            bands.values.contains { $0.outside * 2 > $0.valid + pixelsLeft }
        }

        /// Throws `ManifestError.calibration` for the first band (spectral order) failing the check.
        public func check(file: String) throws {
            for name in CommonBand.sorted(Array(bands.keys)) {
                let b = bands[name]!
                guard b.valid > 0, b.outside * 2 > b.valid else { continue }
                let pct = Int((Double(b.outside) / Double(b.valid) * 100).rounded())
                throw ManifestError.calibration(file: file, reason: "band '\(name)': \(pct) % of the valid pixels lie outside the plausible reflectance range \(plausible.lowerBound)…\(plausible.upperBound) (observed \(format(b.lo))…\(format(b.hi))); \(advice(max: b.hi, min: b.lo))")
            }
        }
    }

    /// The likely fix for values in `min...max`.
    static func advice(max hi: Float, min lo: Float) -> String {
        if hi <= 255, lo >= 0 {
            return "these look like 8-bit digital numbers: set `calibration: {mode: scale, scale: 0.00392156862745098}` (1/255) if 0–255 spans reflectance 0–1, or the product's own scale"
        }
        if hi <= 65535, lo >= -2000 {
            return "these look like 16-bit digital numbers: set `calibration: {mode: scale, scale: 0.0001}` for Sentinel-2 L1C/L2A DN (add `offset: -0.1` for processing baseline 04.00 and later), `scale: 0.0000275, offset: -0.2` for Landsat Collection 2 surface reflectance, or add the scene's manifest (MTL, STAC item) next to the files"
        }
        return "check `calibration.scale` and `calibration.offset` (reflectance = DN × scale + offset)"
    }

    static func format(_ x: Float) -> String {
        abs(x) >= 100 || x == x.rounded() ? String(Int(x)) : String(format: "%.3g", Double(x))
    }
}
