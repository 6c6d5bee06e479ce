import Foundation
public import RasterCore
public import RasterIO

/// The scene facts a STAC Item carries (core, eo and processing fields).
public struct StacScene: Sendable, Equatable {
    /// Acquisition time (UTC): the Item's `datetime`.
    public var datetime: Date
    /// `platform` (`sentinel-2a`, `landsat-8`, `tieguanyin-1`).
    public var platform: String?
    /// `instruments` (`msi`, `oli`).
    public var instruments: [String]
    /// `eo:cloud_cover` in percent.
    public var cloudCover: Double?
    /// `processing:level` (`L1C`, `L2A`, `TOA`).
    public var processingLevel: String?
    /// The scene's id, kept in `processing:lineage`.
    public var sceneID: String?
    /// A scene description.
    public init(datetime: Date, platform: String? = nil, instruments: [String] = [], cloudCover: Double? = nil,
                processingLevel: String? = nil, sceneID: String? = nil) {
        self.datetime = datetime; self.platform = platform; self.instruments = instruments
        self.cloudCover = cloudCover; self.processingLevel = processingLevel; self.sceneID = sceneID
    }
}

/// One product file of a tile, as the Item lists it.
public struct StacProductAsset: Sendable, Equatable {
    /// The asset key (`ndvi`, `ndvi_quicklook`).
    public var key: String
    /// The href, relative to the Item file.
    public var href: String
    /// Media type (`StacAsset.cogMediaType`, `.pngMediaType`, ...).
    public var mediaType: String
    /// Roles (`data`, `visual`, `overview`, `thumbnail`, `metadata`).
    public var roles: [String]
    /// A title.
    public var title: String?
    /// The bands of a raster asset (empty for PNG/JSON assets).
    public var bands: [StacBand]
    /// `processing:expression` for a derived index (`(nir - red) / (nir + red)`), or nil.
    public var expression: String?

    /// An asset description.
    public init(key: String, href: String, mediaType: String, roles: [String], title: String? = nil,
                bands: [StacBand] = [], expression: String? = nil) {
        self.key = key; self.href = href; self.mediaType = mediaType; self.roles = roles
        self.title = title; self.bands = bands; self.expression = expression
    }
}

/// A STAC 1.1 Item for one output tile: core fields, projection v2.0.0, raster v1.1.0, eo v1.1.0 and
/// processing v1.2.0 extensions; `bbox` and `geometry` in WGS84 lon/lat through PROJ. Encoded with
/// `JSONEncoder` (sorted keys), so the same inputs give the same bytes.
public struct StacItem: Sendable, Equatable, Codable {
    /// Always `Feature`.
    public var type: String
    /// `1.1.0`.
    public var stac_version: String
    /// Schema URLs of the extensions used (`StacItem.extensions`).
    public var stac_extensions: [String]
    /// The tile id.
    public var id: String
    /// The id of the run Collection.
    public var collection: String?
    /// A GeoJSON Polygon in lon/lat.
    public var geometry: JSONValue
    /// [west, south, east, north] in degrees.
    public var bbox: [Double]
    /// `datetime` plus core, eo, proj and processing fields.
    public var properties: [String: JSONValue]
    /// `collection`, `parent`, `root` links (relative).
    public var links: [StacLink]
    /// One asset per product file, by key.
    public var assets: [String: StacAsset]

    /// The extension schemas every TilePipe Item declares.
    public static let extensions = [
        "https://stac-extensions.github.io/eo/v1.1.0/schema.json",
        "https://stac-extensions.github.io/processing/v1.2.0/schema.json",
        "https://stac-extensions.github.io/projection/v2.0.0/schema.json",
        "https://stac-extensions.github.io/raster/v1.1.0/schema.json",
    ]

    /// Points per footprint edge (corners included) transformed to lon/lat for bbox and geometry.
    public static let edgePoints = 16

    /// Builds the Item of a tile whose grid is `geo` at `width × height` pixels.
    ///
    /// - `collectionHref`: the Collection file relative to this Item (links `collection`, `parent`, `root`).
    /// - `provenance`: `processing:software` {software: version}; inputs and pipeline hash go to `processing:lineage`.
    /// Throws `ProductsError.invalidInput` without a CRS, and PROJ's error when the CRS cannot be transformed.
    public static func make(id: String, collection: String?, collectionHref: String?, scene: StacScene,
                            geo: GeoReference, width: Int, height: Int, assets: [StacProductAsset],
                            provenance: Provenance) throws -> StacItem {
        guard let crs = geo.crs, let def = crs.projDefinition else {
            throw ProductsError.invalidInput(item: id, reason: "STAC needs a CRS to compute the WGS84 footprint; the tile has none")
        }
        let ring = try footprint(transform: geo.transform, width: width, height: height, crsDefinition: def)
        let lons = ring.map(\.0), lats = ring.map(\.1)
        let bbox = [lons.min()!, lats.min()!, lons.max()!, lats.max()!]
        let geometry: JSONValue = ["type": "Polygon",
                                   "coordinates": .array([.array(ring.map { .array([.number($0.0), .number($0.1)]) })])]
        var p: [String: JSONValue] = ["datetime": .string(StacJSON.dateTime(scene.datetime))]
        if let v = scene.platform { p["platform"] = .string(v) }
        if !scene.instruments.isEmpty { p["instruments"] = .array(scene.instruments.map { .string($0) }) }
        if let v = scene.cloudCover { p["eo:cloud_cover"] = .number(v) }
        if let v = scene.processingLevel { p["processing:level"] = .string(v) }
        p["processing:software"] = .object([provenance.software: .string(provenance.version)])
        var lineage = "Produced by \(provenance.software) \(provenance.version)"
        if let s = scene.sceneID { lineage += " from scene \(s)" }
        if !provenance.inputs.isEmpty { lineage += "; inputs: \(provenance.inputs.joined(separator: ", "))" }
        if !provenance.pipelineHash.isEmpty { lineage += "; pipeline hash \(provenance.pipelineHash)" }
        p["processing:lineage"] = .string(lineage)
        // projection v2: proj:code is null for a CRS without an EPSG code (the GeoKeys stay in the COG itself).
        p["proj:code"] = crs.epsg.map { .string("EPSG:\($0)") } ?? .null
        p["proj:shape"] = [.integer(height), .integer(width)]
        let c = geo.transform.coefficients
        p["proj:transform"] = .array([c[1], c[2], c[0], c[4], c[5], c[3], 0, 0, 1].map { .number($0) })
        let xs = [0.0, Double(width)].flatMap { col in [0.0, Double(height)].map { geo.transform.apply(column: col, row: $0).x } }
        let ys = [0.0, Double(width)].flatMap { col in [0.0, Double(height)].map { geo.transform.apply(column: col, row: $0).y } }
        p["proj:bbox"] = .array([xs.min()!, ys.min()!, xs.max()!, ys.max()!].map { .number($0) })
        let gsd = (c[1] * c[1] + c[4] * c[4]).squareRoot()
        if !crs.isGeographic { p["gsd"] = .number(gsd) }

        var out: [String: StacAsset] = [:]
        for a in assets {
            var fields: [String: JSONValue] = [:]
            if !a.bands.isEmpty {
                fields["bands"] = .array(a.bands.map { .object($0.object) })
                fields["raster:bands"] = .array(a.bands.map { b in
                    var o = b.object
                    o["name"] = nil
                    o["description"] = nil
                    o["eo:common_name"] = nil   // an eo field: in `bands` only
                    if !crs.isGeographic { o["spatial_resolution"] = .number(gsd) }
                    return .object(o)
                })
            }
            if let e = a.expression { fields["processing:expression"] = ["format": "tilepipe-expression", "expression": .string(e)] }
            out[a.key] = StacAsset(href: SafeText.href(a.href), type: a.mediaType, title: a.title, roles: a.roles, fields: fields)
        }
        var links: [StacLink] = []
        if let h = collectionHref.map(SafeText.href) {
            links = [StacLink(rel: "collection", href: h, type: "application/json"),
                     StacLink(rel: "parent", href: h, type: "application/json"),
                     StacLink(rel: "root", href: h, type: "application/json")]
        }
        return StacItem(type: "Feature", stac_version: "1.1.0", stac_extensions: extensions, id: id, collection: collection,
                        geometry: geometry, bbox: bbox, properties: p, links: links, assets: out)
    }

    /// The tile outline in lon/lat: `edgePoints` per edge (corners included) walked top-left → bottom-left →
    /// bottom-right → top-right → closing point, transformed with PROJ, and oriented counter-clockwise
    /// (RFC 7946 exterior ring).
    public static func footprint(transform t: GeoTransform, width: Int, height: Int,
                                 crsDefinition: String) throws -> [(Double, Double)] {
        let n = edgePoints - 1
        var cols: [Double] = [], rows: [Double] = []
        let w = Double(width), h = Double(height)
        for i in 0..<n { cols.append(0); rows.append(h * Double(i) / Double(n)) }          // left edge, down
        for i in 0..<n { cols.append(w * Double(i) / Double(n)); rows.append(h) }          // bottom edge, right
        for i in 0..<n { cols.append(w); rows.append(h - h * Double(i) / Double(n)) }      // right edge, up
        for i in 0..<n { cols.append(w - w * Double(i) / Double(n)); rows.append(0) }      // top edge, left
        var xs = zip(cols, rows).map { t.apply(column: $0, row: $1).x }
        var ys = zip(cols, rows).map { t.apply(column: $0, row: $1).y }
        let proj = try CRSTransform.toWGS84(from: crsDefinition)
        do { try proj.transform(xs: &xs, ys: &ys) } catch {
            throw ProductsError.invalidInput(item: crsDefinition, reason: "cannot transform the tile footprint to WGS84: \(error)")
        }
        var ring = Array(zip(xs, ys))
        var area = 0.0
        for i in ring.indices { let a = ring[i], b = ring[(i + 1) % ring.count]; area += a.0 * b.1 - b.0 * a.1 }
        if area < 0 { ring.reverse() }
        ring.append(ring[0])
        return ring
    }

    /// The Item as JSON (sorted keys, pretty-printed).
    public func json() throws -> String { try StacJSON.encode(self) }

    /// Writes the Item JSON atomically; returns the record of the file (hashed from the bytes written).
    @discardableResult
    public func write(to path: String) throws -> WrittenFile { try AtomicFile.write(text: try json(), to: path) }
}
