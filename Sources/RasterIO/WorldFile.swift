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
