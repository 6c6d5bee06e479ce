/// Per-pixel quality from QA layers, nodata, saturation and a spectral test; all pure functions over buffers.
///
/// Every function returns `PixelQuality` raw values, one per input pixel; `combine` merges several such arrays
/// keeping, per pixel, the condition of highest priority (nodata > saturated > cloud > cirrus > shadow > snow).
public enum QualityMask {
    /// Merges quality arrays of equal length: per pixel the highest-priority code wins.
    public static func combine(_ layers: [[UInt8]], count: Int) -> [UInt8] {
        var out = [UInt8](repeating: PixelQuality.valid.rawValue, count: count)
        let rank = PixelQuality.allCases.reduce(into: [Int](repeating: 99, count: 256)) { $0[Int($1.rawValue)] = $1.priority }
        for layer in layers {
            precondition(layer.count == count, "quality layers must have one value per pixel")
            for i in 0..<count where rank[Int(layer[i])] < rank[Int(out[i])] { out[i] = layer[i] }
        }
        return out
    }

    /// `quality[j] = code` wherever `values[j]` is NaN, for j < count; the other codes stay. Four samples at a time:
    /// each lane's NaN test (all ones or zero) keeps its own byte of a 32-bit word, and the lanes' disjoint bytes
    /// add up to the four quality bytes' mask (narrowing the lanes to bytes directly is scalar code on SSE2).
    public static func mark(_ code: UInt8, where values: UnsafePointer<Float>, isNaN quality: UnsafeMutablePointer<UInt8>, count: Int) {
        var j = 0
        let codes = UInt32(code) &* 0x0101_0101
        let byteOfLane = SIMD4<UInt32>(0x0000_00FF, 0x0000_FF00, 0x00FF_0000, 0xFF00_0000)
        let magnitude = SIMD4<UInt32>(repeating: 0x7FFF_FFFF), infinity = SIMD4<UInt32>(repeating: 0x7F80_0000)
        while j + 4 <= count {
            let bits = UnsafeRawPointer(values + j).loadUnaligned(as: SIMD4<UInt32>.self)
            let nan = SIMD4<UInt32>(repeating: 0).replacing(with: byteOfLane, where: (bits & magnitude) .> infinity)
            let m = UInt32(littleEndian: nan.wrappedSum())   // byte k of the word in memory order is lane k's
            let q = UnsafeRawPointer(quality + j).loadUnaligned(as: UInt32.self)
            UnsafeMutableRawPointer(quality + j).storeBytes(of: (codes & m) | (q & ~m), as: UInt32.self)
            j += 4
        }
        for j in j..<count where values[j].isNaN { quality[j] = code }
    }

    /// `values[j] = NaN` wherever `quality[j] != code`, for j < count; the rest stay as they are (bit for bit).
    /// Eight samples at a time (the byte test widened to a 32-bit lane mask), the rest one by one.
    public static func keep(_ values: UnsafeMutablePointer<Float>, where quality: UnsafePointer<UInt8>, is code: UInt8, count: Int) {
        var j = 0
        let codes = SIMD8<UInt8>(repeating: code), nan = SIMD8<UInt32>(repeating: Float.nan.bitPattern)
        while j + 8 <= count {
            let q = UnsafeRawPointer(quality + j).loadUnaligned(as: SIMD8<UInt8>.self)
            let keep = SIMD8<Int8>(repeating: 0).replacing(with: -1, where: q .== codes)
            let mask = SIMD8<UInt32>(truncatingIfNeeded: SIMD8<Int32>(truncatingIfNeeded: keep))   // sign-extended: all ones or 0
            let v = UnsafeRawPointer(values + j).loadUnaligned(as: SIMD8<UInt32>.self)
            UnsafeMutableRawPointer(values + j).storeBytes(of: (v & mask) | (nan & ~mask), as: SIMD8<UInt32>.self)
            j += 8
        }
        for j in j..<count where quality[j] != code { values[j] = .nan }
    }

    /// nodata where the raw value is NaN (declared nodata) or equals `fill`; saturated where ≥ `saturation`.
    public static func fromDN(_ dn: [Float], fill: Double?, saturation: Double?) -> [UInt8] {
        let f = fill.map { Float($0) }, s = saturation.map { Float($0) }
        return dn.map { v in
            if v.isNaN || v == f { return PixelQuality.nodata.rawValue }
            if let s, v >= s { return PixelQuality.saturated.rawValue }
            return PixelQuality.valid.rawValue
        }
    }

    /// Landsat Collection 2 QA_PIXEL: bit 0 fill, 2 cirrus, 3 cloud (bit 1 dilated cloud also counts as
    /// cloud), 4 cloud shadow, 5 snow (USGS Landsat 8-9 Collection 2 Level-1 data format control book).
    public static func landsatC2QAPixel(_ qa: [Float]) -> [UInt8] {
        qa.map { f in
            guard !f.isNaN else { return PixelQuality.nodata.rawValue }
            let v = UInt32(f)
            if v & 1 != 0 { return PixelQuality.nodata.rawValue }
            if v & (1 << 3) != 0 || v & (1 << 1) != 0 { return PixelQuality.cloud.rawValue }
            if v & (1 << 2) != 0 { return PixelQuality.cirrus.rawValue }
            if v & (1 << 4) != 0 { return PixelQuality.shadow.rawValue }
            if v & (1 << 5) != 0 { return PixelQuality.snow.rawValue }
            return PixelQuality.valid.rawValue
        }
    }

    /// Landsat 8 Collection 1 BQA: bit 0 designated fill, bit 4 cloud, bits 5–6 cloud confidence,
    /// 7–8 cloud-shadow confidence, 9–10 snow/ice confidence, 11–12 cirrus confidence. A condition is set
    /// when its confidence is high (binary 11); cloud also when bit 4 is set.
    public static func landsatC1BQA(_ qa: [Float]) -> [UInt8] {
        qa.map { f in
            guard !f.isNaN else { return PixelQuality.nodata.rawValue }
            let v = UInt32(f)
            func conf(_ bit: UInt32) -> UInt32 { (v >> bit) & 3 }
            if v & 1 != 0 { return PixelQuality.nodata.rawValue }
            if v & (1 << 4) != 0 || conf(5) == 3 { return PixelQuality.cloud.rawValue }
            if conf(11) == 3 { return PixelQuality.cirrus.rawValue }
            if conf(7) == 3 { return PixelQuality.shadow.rawValue }
            if conf(9) == 3 { return PixelQuality.snow.rawValue }
            return PixelQuality.valid.rawValue
        }
    }

    /// Landsat 8 pre-collection BQA: bit 0 designated fill, bits 10–11 snow/ice, 12–13 cirrus,
    /// 14–15 cloud confidence; a condition is set when its confidence is high (binary 11).
    public static func landsatPreCollectionBQA(_ qa: [Float]) -> [UInt8] {
        qa.map { f in
            guard !f.isNaN else { return PixelQuality.nodata.rawValue }
            let v = UInt32(f)
            func conf(_ bit: UInt32) -> UInt32 { (v >> bit) & 3 }
            if v & 1 != 0 { return PixelQuality.nodata.rawValue }
            if conf(14) == 3 { return PixelQuality.cloud.rawValue }
            if conf(12) == 3 { return PixelQuality.cirrus.rawValue }
            if conf(10) == 3 { return PixelQuality.snow.rawValue }
            return PixelQuality.valid.rawValue
        }
    }

    /// Sentinel-2 Sen2Cor scene classification: 0 no data, 1 saturated/defective, 3 cloud shadow,
    /// 8 and 9 cloud (medium/high probability), 10 thin cirrus, 11 snow; other classes are valid.
    public static func sentinel2SCL(_ scl: [Float]) -> [UInt8] {
        scl.map { f in
            guard !f.isNaN else { return PixelQuality.nodata.rawValue }
            switch Int(f) {
            case 0: return PixelQuality.nodata.rawValue
            case 1: return PixelQuality.saturated.rawValue
            case 3: return PixelQuality.shadow.rawValue
            case 8, 9: return PixelQuality.cloud.rawValue
            case 10: return PixelQuality.cirrus.rawValue
            case 11: return PixelQuality.snow.rawValue
            default: return PixelQuality.valid.rawValue
            }
        }
    }

    /// Dispatches on the layer kind.
    public static func decode(_ kind: QualityBandKind, _ values: [Float]) -> [UInt8] {
        switch kind {
        case .landsatPreBQA: landsatPreCollectionBQA(values)
        case .landsatC1BQA: landsatC1BQA(values)
        case .landsatC2QAPixel: landsatC2QAPixel(values)
        case .sentinel2SCL: sentinel2SCL(values)
        case .none: [UInt8](repeating: PixelQuality.valid.rawValue, count: values.count)
        }
    }
}

/// A spectral cloud, shadow and snow test on TOA reflectance for sensors without a QA band.
///
/// Per pixel, with b, g, r, n the blue, green, red and nir reflectances, v = (b+g+r)/3 and
/// s the swir16 reflectance when present:
/// - **cloud**: b > 0.20 and v > 0.25 and whiteness max(|b−v|,|g−v|,|r−v|)/v < 0.25, and, when swir16 is
///   present, NDSI = (g−s)/(g+s) ≤ 0.4 (bright, white, not snow);
/// - **snow**: the same brightness and whiteness with NDSI > 0.4 and n > 0.11 (MOD10_L2 rule);
/// - **shadow**: (b+g+r+n)/4 < 0.06 and n > g (dark, but not the NIR-absorbing dark of water).
/// Pixels with any NaN input are left alone (nodata comes from elsewhere). The thresholds suit the
/// station's own products; on real scenes they are a fallback, not a replacement for Fmask.
public enum SpectralCloudTest {
    /// Runs the test; returns nil when blue, green, red or nir is missing.
    public static func run(_ bands: [String: [Float]], count: Int) -> [UInt8]? {
        guard let b = bands["blue"], let g = bands["green"], let r = bands["red"], let n = bands["nir"] else { return nil }
        let s = bands["swir16"]
        var out = [UInt8](repeating: PixelQuality.valid.rawValue, count: count)
        for i in 0..<count {
            let bi = b[i], gi = g[i], ri = r[i], ni = n[i]
            if bi.isNaN || gi.isNaN || ri.isNaN || ni.isNaN { continue }
            let v = (bi + gi + ri) / 3
            let white = max(abs(bi - v), abs(gi - v), abs(ri - v)) / max(v, 1e-6)
            if bi > 0.20 && v > 0.25 && white < 0.25 {
                if let s, !s[i].isNaN, (gi - s[i]) / (gi + s[i]) > 0.4 {
                    if ni > 0.11 { out[i] = PixelQuality.snow.rawValue }
                } else {
                    out[i] = PixelQuality.cloud.rawValue
                }
            } else if (bi + gi + ri + ni) / 4 < 0.06 && ni > gi {
                out[i] = PixelQuality.shadow.rawValue
            }
        }
        return out
    }
}
