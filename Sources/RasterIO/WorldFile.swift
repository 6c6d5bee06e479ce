public import RasterCore
import Foundation

/// ESRI world files (`.pgw`, `.wld`, `.tfw`): six lines A, D, B, E, C, F where C/F are the
/// centre of the top-left pixel (not its corner, unlike GDAL's geotransform).
public enum WorldFile {
    /// The world-file text for a transform.
    public static func text(for t: GeoTransform) -> String {
        let (cx, cy) = t.apply(column: 0.5, row: 0.5)
        return [t.pixelWidth, t.columnRotation, t.rowRotation, t.pixelHeight, cx, cy]
            .map { String(format: "%.10f", $0) }.joined(separator: "\n") + "\n"
    }

    /// Parses world-file text; nil when it does not hold six numbers.
    public static func parse(_ text: String) -> GeoTransform? {
        let v = text.split(whereSeparator: \.isNewline).compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard v.count >= 6, v.allSatisfy(\.isFinite) else { return nil }
        let (a, d, b, e, c, f) = (v[0], v[1], v[2], v[3], v[4], v[5])
        // corner = centre − half a pixel along both axes
        return GeoTransform([c - 0.5 * a - 0.5 * b, a, b, f - 0.5 * d - 0.5 * e, d, e])
    }

    /// Writes the world file beside `imagePath` with `ext` (default: `.pgw` for .png, `.wld` otherwise).
    @discardableResult
    public static func write(_ t: GeoTransform, besideImage imagePath: String, ext: String? = nil) throws -> String {
        let path = sidecarPath(for: imagePath, ext: ext)
        try AtomicFile.write(text: text(for: t), to: path)
        return path
    }

    /// Where `write` puts the world file of `imagePath` (`.pgw` for .png, `.wld` otherwise).
    public static func path(besideImage imagePath: String) -> String { sidecarPath(for: imagePath, ext: nil) }

    /// Reads the world file beside `imagePath` (`.pgw`, `.pngw`, `.wld`, `.tfw`), or nil when there is none.
    public static func read(besideImage imagePath: String) throws -> GeoTransform? {
        let base = (imagePath as NSString).deletingPathExtension
        for ext in ["pgw", "pngw", "wld", "tfw", "PGW", "WLD"] {
            let p = base + "." + ext
            if let data = FileManager.default.contents(atPath: p) {
                guard let t = parse(String(decoding: data, as: UTF8.self)) else {
                    throw RasterIOError.corrupt(path: p, reason: "world file does not hold six finite numbers")
                }
                return t
            }
        }
        return nil
    }

    static func sidecarPath(for imagePath: String, ext: String?) -> String {
        let ns = imagePath as NSString
        let e = ext ?? (ns.pathExtension.lowercased() == "png" ? "pgw" : "wld")
        return ns.deletingPathExtension + "." + e
    }
}

/// The CRS of an image without GeoKeys (a PNG with a world file), from its sidecars.
public enum SidecarCRS {
    /// The CRS from `<image>.aux.xml` (`<SRS>` element, as GDAL writes it) or `<stem>.prj` (WKT), or nil when
    /// neither exists or neither names an EPSG code. The EPSG code is the WKT's top-level authority: the last
    /// `AUTHORITY["EPSG","n"]` (WKT1) or `ID["EPSG",n]` (WKT2) of the text, or a UTM/WGS84 name (ESRI .prj files
    /// carry no authority: `WGS_1984_UTM_Zone_29N` → 32629).
    public static func read(besideImage imagePath: String) -> CRS? {
        let base = (imagePath as NSString).deletingPathExtension
        var texts: [String] = []
        if let d = FileManager.default.contents(atPath: imagePath + ".aux.xml") {
            let xml = String(decoding: d, as: UTF8.self)
            if let a = xml.range(of: "<SRS"), let gt = xml[a.upperBound...].firstIndex(of: ">"),
               let b = xml.range(of: "</SRS>", range: gt..<xml.endIndex) {
                texts.append(String(xml[xml.index(after: gt)..<b.lowerBound])
                    .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&"))
            }
        }
        for ext in ["prj", "PRJ"] {
            if let d = FileManager.default.contents(atPath: base + "." + ext) { texts.append(String(decoding: d, as: UTF8.self)) }
        }
        for t in texts { if let code = epsg(fromWKT: t) { return .epsg(code) } }
        return nil
    }

    /// The EPSG code a WKT (or `EPSG:n` text) names at its top level, or nil.
    public static func epsg(fromWKT wkt: String) -> Int? {
        let t = wkt.trimmingCharacters(in: .whitespacesAndNewlines)
        if t.uppercased().hasPrefix("EPSG:"), let n = Int(t.dropFirst(5)) { return n }
        let patterns = [#"AUTHORITY\[\s*"EPSG"\s*,\s*"?(\d+)"?\s*\]"#, #"ID\[\s*"EPSG"\s*,\s*(\d+)\s*\]"#]
        for p in patterns {
            guard let re = try? NSRegularExpression(pattern: p, options: [.caseInsensitive]) else { continue }
            let ns = t as NSString
            if let m = re.matches(in: t, range: NSRange(location: 0, length: ns.length)).last, let n = Int(ns.substring(with: m.range(at: 1))) {
                return n
            }
        }
        let u = t.uppercased()
        if let re = try? NSRegularExpression(pattern: #"WGS[ _]?(19)?84[ _/]+UTM[ _]ZONE[ _](\d{1,2})([NS])"#),
           let m = re.firstMatch(in: u, range: NSRange(location: 0, length: (u as NSString).length)),
           let zone = Int((u as NSString).substring(with: m.range(at: 2))), (1...60).contains(zone) {
            return ((u as NSString).substring(with: m.range(at: 3)) == "N" ? 32600 : 32700) + zone
        }
        if u.hasPrefix("GEOGCS[\"GCS_WGS_1984\"") || u.hasPrefix("GEOGCS[\"WGS 84\"") { return 4326 }
        return nil
    }
}
