/// The GeoTIFF GeoKey directory (tag 34735) with its parameter tags, parsed in pure Swift.
///
/// Layout: a 4-short header `[version=1, revision=1, minor, count]`, then `count` entries of
/// `[keyID, location, count, valueOrOffset]`; location 0 holds the value inline, 34736 indexes
/// GeoDoubleParams, 34737 indexes GeoAsciiParams (strings end with `|`).
public struct GeoKeyDirectory: Sendable, Equatable {
    /// Well-known GeoKey ids (GeoTIFF 1.1, OGC 19-008r4).
    public enum Key {
        public static let modelType: UInt16 = 1024
        public static let rasterType: UInt16 = 1025
        public static let gtCitation: UInt16 = 1026
        public static let geographicType: UInt16 = 2048
        public static let geogCitation: UInt16 = 2049
        public static let geogGeodeticDatum: UInt16 = 2050
        public static let geogAngularUnits: UInt16 = 2054
        public static let geogEllipsoid: UInt16 = 2056
        public static let geogSemiMajorAxis: UInt16 = 2057
        public static let geogSemiMinorAxis: UInt16 = 2058
        public static let geogInvFlattening: UInt16 = 2059
        public static let projectedCSType: UInt16 = 3072
        public static let pcsCitation: UInt16 = 3073
        public static let projection: UInt16 = 3074
        public static let projCoordTrans: UInt16 = 3075
        public static let projLinearUnits: UInt16 = 3076
        public static let projStdParallel1: UInt16 = 3078
        public static let projStdParallel2: UInt16 = 3079
        public static let projNatOriginLong: UInt16 = 3080
        public static let projNatOriginLat: UInt16 = 3081
        public static let projFalseEasting: UInt16 = 3082
        public static let projFalseNorthing: UInt16 = 3083
        public static let projCenterLong: UInt16 = 3088
        public static let projCenterLat: UInt16 = 3089
        public static let projScaleAtNatOrigin: UInt16 = 3092
    }

    /// One key's value: a short, doubles, or text.
    public enum Value: Sendable, Equatable {
        case short(UInt16)
        case doubles([Double])
        case ascii(String)
    }

    /// Keys in file order.
    public var entries: [(id: UInt16, value: Value)]

    public static func == (a: GeoKeyDirectory, b: GeoKeyDirectory) -> Bool {
        a.entries.count == b.entries.count && zip(a.entries, b.entries).allSatisfy { $0.id == $1.id && $0.value == $1.value }
    }

    /// Parses the directory; malformed entries (offsets past the parameter arrays) are skipped, never trapped on.
    public init(encoded: [UInt16], doubles: [Double] = [], ascii: String = "") {
        entries = []
        guard encoded.count >= 4 else { return }
        let count = Int(encoded[3])
        let asciiBytes = Array(ascii.utf8)
        for k in 0..<count {
            let base = 4 + 4 * k
            guard base + 3 < encoded.count else { break }
            let id = encoded[base], loc = encoded[base + 1], n = Int(encoded[base + 2]), v = Int(encoded[base + 3])
            switch loc {
            case 0: entries.append((id, .short(encoded[base + 3])))
            case 34736:
                guard n >= 0, v >= 0, v + n <= doubles.count else { continue }
                entries.append((id, .doubles(Array(doubles[v..<(v + n)]))))
            case 34737:
                guard n >= 0, v >= 0, v + n <= asciiBytes.count else { continue }
                var s = String(decoding: asciiBytes[v..<(v + n)], as: UTF8.self)
                while s.hasSuffix("|") || s.hasSuffix("\0") { s.removeLast() }
                entries.append((id, .ascii(s)))
            case 34735:
                guard v >= 0, v < encoded.count else { continue }
                entries.append((id, .short(encoded[v])))
            default: continue
            }
        }
    }

    /// A directory from explicit entries.
    public init(entries: [(id: UInt16, value: Value)]) { self.entries = entries }

    /// The directory GDAL writes for an EPSG code: projected (3072) for codes outside 4000–4999, geographic otherwise.
    public static func forEPSG(_ code: Int, pixelIsPoint: Bool = false) -> GeoKeyDirectory {
        let geographic = (4000..<5000).contains(code)
        var e: [(id: UInt16, value: Value)] = [
            (Key.modelType, .short(geographic ? 2 : 1)),
            (Key.rasterType, .short(pixelIsPoint ? 2 : 1)),
        ]
        if geographic {
            e.append((Key.geographicType, .short(UInt16(code))))
            e.append((Key.geogAngularUnits, .short(9102)))
        } else {
            e.append((Key.projectedCSType, .short(UInt16(clamping: code))))
            e.append((Key.projLinearUnits, .short(9001)))
        }
        return GeoKeyDirectory(entries: e)
    }

    /// The first short value of a key.
    public func value(_ id: UInt16) -> UInt16? {
        for e in entries where e.id == id { if case .short(let v) = e.value { return v } }
        return nil
    }

    /// The first double of a key.
    public func double(_ id: UInt16) -> Double? {
        for e in entries where e.id == id { if case .doubles(let v) = e.value { return v.first } }
        return nil
    }

    /// The text of a key.
    public func ascii(_ id: UInt16) -> String? {
        for e in entries where e.id == id { if case .ascii(let v) = e.value { return v } }
        return nil
    }

    /// Encodes as the three tags, keys sorted by id as the spec requires.
    public var encodedTags: (keys: [UInt16], doubles: [Double], ascii: String) {
        var keys: [UInt16] = [1, 1, 0, UInt16(entries.count)]
        var doubles: [Double] = []
        var ascii = ""
        for e in entries.sorted(by: { $0.id < $1.id }) {
            switch e.value {
            case .short(let v): keys += [e.id, 0, 1, v]
            case .doubles(let d):
                keys += [e.id, 34736, UInt16(d.count), UInt16(doubles.count)]
                doubles += d
            case .ascii(let s):
                let text = s + "|"
                keys += [e.id, 34737, UInt16(text.utf8.count), UInt16(ascii.utf8.count)]
                ascii += text
            }
        }
        return (keys, doubles, ascii)
    }

    /// The encoded key array alone.
    public var encoded: [UInt16] { encodedTags.keys }

    /// The EPSG code the keys name (projected first, then geographic), excluding user-defined 32767.
    public var epsg: Int? {
        if let p = value(Key.projectedCSType), p != 0, p != 32767 { return Int(p) }
        if value(Key.modelType) != 1, let g = value(Key.geographicType), g != 0, g != 32767 { return Int(g) }
        return nil
    }

    /// A PROJ string for user-defined projected CRSs whose transformation GeoTIFF names
    /// (sinusoidal, transverse Mercator, Albers, Lambert conformal conic, LAEA, equirectangular).
    public var projString: String? {
        guard value(Key.modelType) == 1, let ct = value(Key.projCoordTrans) else {
            if value(Key.modelType) == 2 { return "+proj=longlat" + ellipsoidTerms + " +no_defs" }
            return nil
        }
        let fe = double(Key.projFalseEasting) ?? 0, fn = double(Key.projFalseNorthing) ?? 0
        let lon0 = double(Key.projCenterLong) ?? double(Key.projNatOriginLong) ?? 0
        let lat0 = double(Key.projCenterLat) ?? double(Key.projNatOriginLat) ?? 0
        let common = " +x_0=\(fe) +y_0=\(fn)" + ellipsoidTerms + " +units=m +no_defs"
        switch ct {
        case 24: return "+proj=sinu +lon_0=\(lon0)" + common
        case 1: return "+proj=tmerc +lat_0=\(lat0) +lon_0=\(lon0) +k=\(double(Key.projScaleAtNatOrigin) ?? 1)" + common
        case 11: return "+proj=aea +lat_1=\(double(Key.projStdParallel1) ?? 0) +lat_2=\(double(Key.projStdParallel2) ?? 0) +lat_0=\(lat0) +lon_0=\(lon0)" + common
        case 8: return "+proj=lcc +lat_1=\(double(Key.projStdParallel1) ?? 0) +lat_2=\(double(Key.projStdParallel2) ?? 0) +lat_0=\(lat0) +lon_0=\(lon0)" + common
        case 10: return "+proj=laea +lat_0=\(lat0) +lon_0=\(lon0)" + common
        case 17: return "+proj=eqc +lat_ts=\(double(Key.projStdParallel1) ?? 0) +lon_0=\(lon0)" + common
        default: return nil
        }
    }

    private var ellipsoidTerms: String {
        if let a = double(Key.geogSemiMajorAxis) {
            if let b = double(Key.geogSemiMinorAxis) { return " +a=\(a) +b=\(b)" }
            if let f = double(Key.geogInvFlattening), f != 0 { return " +a=\(a) +rf=\(f)" }
            return " +R=\(a)"
        }
        return " +datum=WGS84"
    }
}
