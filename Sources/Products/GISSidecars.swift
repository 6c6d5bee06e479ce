import Foundation
public import RasterCore
public import RasterIO

/// Files beside products that GIS tools read for what the product itself cannot carry:
/// - a class map's GDAL PAM `.aux.xml` (category names and a thematic raster attribute table: value, class name,
///   red, green, blue, alpha), so `gdalinfo` and QGIS's identify tool name the classes;
/// - a class map's QGIS `.qml` (a paletted renderer with the class colours and labels), which QGIS applies when
///   it opens the file;
/// - a georeferenced PNG's `.aux.xml` holding its CRS (a world file has none).
public enum GISSidecars {
    /// Writes `<raster>.aux.xml` and `<raster minus extension>.qml` for a class map coloured by `ramp` (atomically)
    /// and returns both records (with the hashes of the bytes written).
    @discardableResult
    public static func writeClassMap(ramp: ColorRamp, besideRaster path: String) throws -> [WrittenFile] {
        [try AtomicFile.write(text: classMapAuxXML(ramp), to: path + ".aux.xml"),
         try AtomicFile.write(text: qgisStyle(ramp), to: (path as NSString).deletingPathExtension + ".qml")]
    }

    /// The sidecars TilePipe may write beside the product at `path`: `<path>.aux.xml` and `<path minus extension>.qml`
    /// (which of them exist depends on the product). A run records each as an output of its tile or pair.
    public static func paths(beside path: String) -> [String] {
        [path + ".aux.xml", (path as NSString).deletingPathExtension + ".qml"]
    }

    /// Writes `<image>.aux.xml` with the CRS of a PNG georeferenced by its world file (atomically) and returns its
    /// record (with the hash of the bytes written).
    @discardableResult
    public static func writeImageCRS(_ crs: String, besideImage path: String) throws -> WrittenFile {
        try AtomicFile.write(text: "<PAMDataset>\n  <SRS dataAxisToSRSAxisMapping=\"1,2\">\(xml(crs))</SRS>\n</PAMDataset>\n", to: path + ".aux.xml")
    }

    /// The PAM document of a class map: `CategoryNames` indexed by code (nodata and unused codes empty, as GDAL
    /// lists them) and a thematic `GDALRasterAttributeTable` with one row per class.
    public static func classMapAuxXML(_ ramp: ColorRamp) -> String {
        let classes = ramp.classNames
        let table = ramp.colorTable.entries
        var s = "<PAMDataset>\n  <PAMRasterBand band=\"1\">\n"
        if let last = classes.map(\.code).max(), last < 256 {
            let names = Dictionary(classes.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
            s += "    <CategoryNames>\n"
            for code in 0...last { s += "      <Category>\(xml(names[code] ?? ""))</Category>\n" }
            s += "    </CategoryNames>\n"
        }
        // Field types: 0 integer, 2 string; usages: 5 min-max (the value), 2 name, 6–9 red, green, blue, alpha.
        s += "    <GDALRasterAttributeTable tableType=\"thematic\">\n"
        let fields: [(String, Int, Int)] = [("Value", 0, 5), ("Class", 2, 2), ("Red", 0, 6), ("Green", 0, 7), ("Blue", 0, 8), ("Alpha", 0, 9)]
        for (i, f) in fields.enumerated() {
            s += "      <FieldDefn index=\"\(i)\">\n        <Name>\(f.0)</Name>\n        <Type>\(f.1)</Type>\n        <Usage>\(f.2)</Usage>\n      </FieldDefn>\n"
        }
        for (row, c) in classes.enumerated() {
            let rgba = c.code >= 0 && c.code < table.count ? table[c.code] : RGBA(0, 0, 0, 0)
            s += "      <Row index=\"\(row)\">\n"
            for v in ["\(c.code)", xml(c.name), "\(rgba.r)", "\(rgba.g)", "\(rgba.b)", "\(rgba.a)"] { s += "        <F>\(v)</F>\n" }
            s += "      </Row>\n"
        }
        s += "    </GDALRasterAttributeTable>\n  </PAMRasterBand>\n</PAMDataset>\n"
        return s
    }

    /// A QGIS layer style (`.qml`): paletted renderer on band 1 with one entry per class (nodata left out).
    public static func qgisStyle(_ ramp: ColorRamp) -> String {
        let table = ramp.colorTable.entries
        var s = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        s += "<qgis version=\"3.28.0\" styleCategories=\"Symbology\">\n  <pipe>\n"
        s += "    <rasterrenderer type=\"paletted\" band=\"1\" opacity=\"1\" alphaBand=\"-1\" nodataColor=\"\">\n"
        s += "      <rasterTransparency/>\n      <colorPalette>\n"
        for c in ramp.classNames where c.code >= 0 && c.code < table.count {
            let e = table[c.code]
            let hex = String(format: "#%02x%02x%02x", e.r, e.g, e.b)
            s += "        <paletteEntry value=\"\(c.code)\" color=\"\(hex)\" alpha=\"\(e.a)\" label=\"\(xml(c.name))\"/>\n"
        }
        s += "      </colorPalette>\n      <colorramp type=\"randomcolors\" name=\"[source]\"/>\n    </rasterrenderer>\n"
        s += "    <brightnesscontrast brightness=\"0\" contrast=\"0\" gamma=\"1\"/>\n"
        s += "    <huesaturation saturation=\"0\" grayscaleMode=\"0\" colorizeOn=\"0\" colorizeRed=\"255\" colorizeGreen=\"128\" colorizeBlue=\"128\" colorizeStrength=\"100\"/>\n"
        s += "    <rasterresampler maxOversampling=\"2\"/>\n  </pipe>\n  <blendMode>0</blendMode>\n</qgis>\n"
        return s
    }

    static func xml(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&apos;")
    }
}

extension CloudOptimizedGeoTIFF.Kind {
    /// The ramp of a class map kind, nil for continuous products.
    var classRamp: ColorRamp? {
        switch self {
        case .continuous: nil
        case .classes(let r), .classesNearest(let r): r
        }
    }
}
