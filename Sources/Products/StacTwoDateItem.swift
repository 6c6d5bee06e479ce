import Foundation
public import Analysis
public import RasterCore

/// A two-date product (a disaster map such as flood extent or burn severity, with its quicklook) as a STAC Item:
/// `start_datetime` / `end_datetime` are the two acquisitions, `datetime` the later one; the map is the `data`
/// asset with its classes in the classification extension (v2.0.0), the quicklook the `overview`/`visual` asset;
/// `derived_from` links point to the two dates' Items.
public struct StacTwoDateProduct: Sendable, Equatable {
    /// The Item id (`flood_TGY1_r0c0_2025-06-02_2025-06-18`).
    public var id: String
    /// The job (`flood`, `burn`, `landslide`, `drought`): the map's asset key.
    public var job: String
    /// A human title (`Flood 2025-06-02 → 2025-06-18`).
    public var title: String
    /// The two acquisition times.
    public var before: Date, after: Date
    /// The class map COG and its quicklook PNG, relative to the Item file.
    public var map: String, quicklook: String?
    /// The map's classes (codes, names, colours); code 0 is nodata.
    public var classes: [ClassDefinition]
    /// The index the job compared (`ndwi`, `nbr`), when it read one.
    public var index: String?
    /// Affected hectares of the pair.
    public var affectedHectares: Double
    /// The Items of the two dates, relative to this Item file (`derived_from`), when they exist.
    public var derivedFrom: [String]
    /// Platform and instruments of the later date, when known.
    public var platform: String?, instruments: [String]

    /// A two-date product description.
    public init(id: String, job: String, title: String, before: Date, after: Date, map: String, quicklook: String?,
                classes: [ClassDefinition], index: String?, affectedHectares: Double, derivedFrom: [String],
                platform: String? = nil, instruments: [String] = []) {
        self.id = id; self.job = job; self.title = title; self.before = before; self.after = after; self.map = map
        self.quicklook = quicklook; self.classes = classes; self.index = index; self.affectedHectares = affectedHectares
        self.derivedFrom = derivedFrom; self.platform = platform; self.instruments = instruments
    }
}

extension StacItem {
    /// The classification extension schema declared by two-date Items.
    public static let classificationExtension = "https://stac-extensions.github.io/classification/v2.0.0/schema.json"

    /// The Item of a two-date product on grid `geo` (`width × height`), linked to the Collection at `collectionHref`.
    /// Throws like `make` (no CRS, PROJ cannot transform it).
    public static func makeTwoDate(_ p: StacTwoDateProduct, collection: String?, collectionHref: String?, geo: GeoReference,
                                   width: Int, height: Int, provenance: Provenance) throws -> StacItem {
        let band = BandInfo(description: p.title, nodata: 0)
        var assets = [StacProductAsset(key: p.job, href: p.map, mediaType: StacAsset.cogMediaType, roles: ["data"], title: p.title,
                                       bands: [StacBand(name: p.job, info: band, dataType: .uint8)])]
        if let q = p.quicklook {
            assets.append(StacProductAsset(key: "\(p.job)_quicklook", href: q, mediaType: StacAsset.pngMediaType,
                                           roles: ["overview", "visual"], title: "\(p.title) quicklook"))
        }
        var item = try make(id: p.id, collection: collection, collectionHref: collectionHref,
                            scene: StacScene(datetime: p.after, platform: p.platform, instruments: p.instruments),
                            geo: geo, width: width, height: height, assets: assets, provenance: provenance)
        item.properties["start_datetime"] = .string(StacJSON.dateTime(p.before))
        item.properties["end_datetime"] = .string(StacJSON.dateTime(p.after))
        item.properties["title"] = .string(p.title)
        item.properties["tilepipe:job"] = .string(p.job)
        if let i = p.index { item.properties["tilepipe:index"] = .string(i) }
        item.properties["tilepipe:affected_ha"] = .number((p.affectedHectares * 100).rounded() / 100)
        item.assets[p.job]?.fields["classification:classes"] = .array(p.classes.sorted { $0.code < $1.code }.map(classObject))
        item.stac_extensions = (item.stac_extensions + [classificationExtension]).sorted()
        item.links += p.derivedFrom.map { StacLink(rel: "derived_from", href: SafeText.href($0), type: "application/geo+json") }
        return item
    }

    /// A classification v2.0.0 class object: `value`, `name` (letters, digits, `-`, `_`), `title` (the class name as
    /// written), `color_hint` (six hex digits), `nodata` for code 0.
    static func classObject(_ c: ClassDefinition) -> JSONValue {
        var o: [String: JSONValue] = ["value": .integer(Int(c.code)), "title": .string(c.name)]
        let slug = String(c.name.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
        o["name"] = .string(slug.isEmpty ? "class_\(c.code)" : slug)
        let hex = c.color.hasPrefix("#") ? String(c.color.dropFirst().prefix(6)) : ""
        if hex.count == 6, hex.allSatisfy(\.isHexDigit) { o["color_hint"] = .string(hex.uppercased()) }
        if c.code == 0 { o["nodata"] = .bool(true) }
        return .object(o)
    }
}
