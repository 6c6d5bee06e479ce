/// A coordinate reference system as a GeoTIFF carries it.
///
/// When the file names an EPSG code it is kept in `epsg`; the raw GeoKey directory, its double and
/// ASCII parameters are always kept too, so a CRS without an EPSG code (MODIS sinusoidal) is never dropped.
public struct CRS: Sendable, Equatable, Hashable, Codable {
    /// EPSG code of the projected or geographic CRS, when the file gives one.
    public var epsg: Int?
    /// GeoKeyDirectory (tag 34735) exactly as stored: header + 4 shorts per key.
    public var geoKeys: [UInt16]
    /// GeoDoubleParams (tag 34736).
    public var geoDoubleParams: [Double]
    /// GeoAsciiParams (tag 34737).
    public var geoAsciiParams: String

    /// A CRS from its parts.
    public init(epsg: Int?, geoKeys: [UInt16] = [], geoDoubleParams: [Double] = [], geoAsciiParams: String = "") {
        self.epsg = epsg
        self.geoKeys = geoKeys
        self.geoDoubleParams = geoDoubleParams
        self.geoAsciiParams = geoAsciiParams
        if geoKeys.isEmpty, let epsg { self.geoKeys = GeoKeyDirectory.forEPSG(epsg).encoded }
    }

    /// A CRS named by an EPSG code, with the GeoKeys that say so.
    public static func epsg(_ code: Int) -> CRS { CRS(epsg: code) }

    /// The parsed GeoKey directory.
    public var directory: GeoKeyDirectory { GeoKeyDirectory(encoded: geoKeys, doubles: geoDoubleParams, ascii: geoAsciiParams) }

    /// True when the CRS is geographic (lon/lat degrees).
    public var isGeographic: Bool {
        if let epsg { return epsg == 4326 || epsg == 4269 || epsg == 4258 || (4000..<5000).contains(epsg) }
        return directory.value(GeoKeyDirectory.Key.modelType) == 2
    }

    /// A short human description: `EPSG:32650`, or the citation and model of a user-defined CRS.
    public var summary: String {
        if let epsg { return "EPSG:\(epsg)" }
        let dir = directory
        let citation = dir.ascii(GeoKeyDirectory.Key.gtCitation) ?? dir.ascii(GeoKeyDirectory.Key.pcsCitation)
            ?? dir.ascii(GeoKeyDirectory.Key.geogCitation)
        let model = dir.value(GeoKeyDirectory.Key.modelType).map { $0 == 1 ? "projected" : $0 == 2 ? "geographic" : "model \($0)" } ?? "unknown"
        return "user-defined \(model) CRS" + (citation.map { " (\($0))" } ?? "")
    }

    /// A CRS string PROJ accepts: `EPSG:n` when known, otherwise a PROJ string built from the GeoKeys
    /// for the projections GeoTIFF defines (sinusoidal, transverse Mercator, ...), or nil.
    public var projDefinition: String? {
        if let epsg { return "EPSG:\(epsg)" }
        return directory.projString
    }
}
