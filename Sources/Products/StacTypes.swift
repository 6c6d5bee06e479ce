import Foundation
public import RasterCore

/// A STAC link (`rel`, relative `href`, optional media type and title).
public struct StacLink: Sendable, Equatable, Codable {
    /// Relation (`root`, `parent`, `collection`, `item`).
    public var rel: String
    /// Target, relative to the document.
    public var href: String
    /// Media type.
    public var type: String?
    /// A title.
    public var title: String?
    /// A link.
    public init(rel: String, href: String, type: String? = nil, title: String? = nil) {
        self.rel = rel; self.href = href; self.type = type; self.title = title
    }
}

/// A STAC asset: `href`, media `type`, `title`, `roles`, plus extension fields (`raster:bands`, `bands`, ...)
/// encoded at the same level.
public struct StacAsset: Sendable, Equatable, Codable {
    /// Target, relative to the document.
    public var href: String
    /// Media type.
    public var type: String?
    /// A title.
    public var title: String?
    /// Asset roles (`data`, `visual`, `overview`, `thumbnail`, `metadata`).
    public var roles: [String]
    /// Extension and common-metadata fields, flattened into the asset object.
    public var fields: [String: JSONValue]

    /// Media type of a Cloud-Optimized GeoTIFF (STAC best practice).
    public static let cogMediaType = "image/tiff; application=geotiff; profile=cloud-optimized"
    /// Media type of a PNG.
    public static let pngMediaType = "image/png"
    /// Media type of GeoJSON.
    public static let geoJSONMediaType = "application/geo+json"

    /// An asset.
    public init(href: String, type: String?, title: String? = nil, roles: [String], fields: [String: JSONValue] = [:]) {
        self.href = href; self.type = type; self.title = title; self.roles = roles; self.fields = fields
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        href = try c.decode(String.self, forKey: Key("href"))
        type = try c.decodeIfPresent(String.self, forKey: Key("type"))
        title = try c.decodeIfPresent(String.self, forKey: Key("title"))
        roles = try c.decodeIfPresent([String].self, forKey: Key("roles")) ?? []
        fields = [:]
        for k in c.allKeys where !["href", "type", "title", "roles"].contains(k.stringValue) {
            fields[k.stringValue] = try c.decode(JSONValue.self, forKey: k)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(href, forKey: Key("href"))
        try c.encodeIfPresent(type, forKey: Key("type"))
        try c.encodeIfPresent(title, forKey: Key("title"))
        try c.encode(roles, forKey: Key("roles"))
        for (k, v) in fields { try c.encode(v, forKey: Key(k)) }
    }
}

/// What a product file holds, for its STAC asset: one entry per band.
public struct StacBand: Sendable, Equatable {
    /// Band name (`ndvi`, `landuse`).
    public var name: String
    /// The band's metadata (description, nodata, unit, scale, offset).
    public var info: BandInfo
    /// Sample type of the file.
    public var dataType: SampleType
    /// Statistics over valid samples (as written into the COG), when known.
    public var statistics: BandStatistics?
    /// The eo extension's `eo:common_name` (`red`, `green`, `blue`) of a band that is one, else nil.
    public var commonName: String?

    /// A band description.
    public init(name: String, info: BandInfo, dataType: SampleType, statistics: BandStatistics? = nil, commonName: String? = nil) {
        self.name = name; self.info = info; self.dataType = dataType; self.statistics = statistics; self.commonName = commonName
    }

    /// STAC's `data_type` spelling (`uint8`, `float32`, ...).
    var stacDataType: String { dataType.rawValue }

    /// The band object: `name`, `description`, `data_type`, `nodata` (`"nan"` for NaN), `unit`, `scale`,
    /// `offset`, `statistics` {minimum, maximum, mean, stddev, valid_percent}. The same keys serve STAC 1.1
    /// `bands` and the raster extension's `raster:bands`.
    var object: [String: JSONValue] {
        var o: [String: JSONValue] = ["name": .string(name), "data_type": .string(stacDataType)]
        if !info.description.isEmpty { o["description"] = .string(info.description) }
        if let c = commonName { o["eo:common_name"] = .string(c) }
        if let nd = info.nodata { o["nodata"] = .finite(nd) }
        if !info.unit.isEmpty { o["unit"] = .string(info.unit) }
        if info.scale != 1 { o["scale"] = .number(info.scale) }
        if info.offset != 0 { o["offset"] = .number(info.offset) }
        if let s = statistics, s.validCount > 0 {
            o["statistics"] = .object(["minimum": .finite(s.minimum), "maximum": .finite(s.maximum), "mean": .finite(s.mean),
                                       "stddev": .finite(s.standardDeviation), "valid_percent": .finite(s.validPercent)])
        }
        return o
    }
}

/// JSON encoding shared by STAC documents: sorted keys (deterministic bytes), pretty-printed, slashes kept.
enum StacJSON {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try e.encode(value), as: UTF8.self) + "\n"
    }

    /// RFC 3339 UTC (`2024-08-29T02:41:09Z`; fractional seconds only when present).
    static func dateTime(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        let whole = d.timeIntervalSince1970.rounded(.down) == d.timeIntervalSince1970
        f.formatOptions = whole ? [.withInternetDateTime] : [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: d)
    }
}
