import Foundation
public import Analysis
public import RasterIO

/// A STAC 1.1 Collection for one run: spatial extent (union of the Items' bboxes), temporal extent
/// (first and last datetime), summaries (platforms, instruments, projections, cloud cover range), `item` links
/// with hrefs relative to the Collection file (a self-contained catalogue: no absolute links) and run-level
/// assets (`affected.geojson`).
///
/// It is built from `StacSummary` values (what the run catalog keeps of each Item), never by reading the Items.
public struct StacCollection: Sendable, Equatable, Codable {
    /// One Item the Collection lists: its id, its href relative to the Collection file and its summary.
    public struct Member: Sendable, Equatable {
        /// The Item id.
        public var id: String
        /// The Item file relative to the Collection file.
        public var href: String
        /// Bbox, datetime and the summarised fields of the Item.
        public var summary: StacSummary
        /// A member.
        public init(id: String, href: String, summary: StacSummary) { self.id = id; self.href = href; self.summary = summary }
    }

    /// Always `Collection`.
    public var type: String
    /// `1.1.0`.
    public var stac_version: String
    /// Schema URLs of the extensions used in summaries.
    public var stac_extensions: [String]
    /// The run id.
    public var id: String
    /// A short title.
    public var title: String?
    /// What the run produced.
    public var description: String
    /// SPDX id or `proprietary`.
    public var license: String
    /// `spatial.bbox` (union of item bboxes) and `temporal.interval` ([first, last]).
    public var extent: JSONValue
    /// Distinct platforms, instruments, proj:code, levels; cloud-cover range; gsd.
    public var summaries: [String: JSONValue]
    /// `root` and one relative `item` link per Item.
    public var links: [StacLink]
    /// Run-level files (`affected` → affected.geojson), hrefs relative to the Collection file; absent when none.
    public var assets: [String: StacAsset]?

    /// Builds the Collection from the run's Items and their hrefs relative to the Collection file.
    /// Throws `ProductsError.invalidInput` when there is no Item.
    public static func make(id: String, title: String? = nil, description: String, license: String = "proprietary",
                            items: [(item: StacItem, href: String)]) throws -> StacCollection {
        try make(id: id, title: title, description: description, license: license,
                 members: items.map { Member(id: $0.item.id, href: $0.href, summary: $0.item.summary) })
    }

    /// Builds the Collection from the summaries of its Items (`members`) and the run-level `assets`.
    /// Throws `ProductsError.invalidInput` when there is no Item.
    public static func make(id: String, title: String? = nil, description: String, license: String = "proprietary",
                            members: [Member], assets: [String: StacAsset] = [:]) throws -> StacCollection {
        guard !members.isEmpty else { throw ProductsError.invalidInput(item: id, reason: "a collection needs at least one item") }
        let boxes = members.map(\.summary.bbox).filter { $0.count == 4 }
        guard !boxes.isEmpty else { throw ProductsError.invalidInput(item: id, reason: "no item has a bounding box") }
        let bbox = [boxes.map { $0[0] }.min()!, boxes.map { $0[1] }.min()!, boxes.map { $0[2] }.max()!, boxes.map { $0[3] }.max()!]
        let times = members.compactMap(\.summary.datetime).sorted()
        let interval: JSONValue = .array([times.first.map { .string($0) } ?? .null, times.last.map { .string($0) } ?? .null])
        let extent: JSONValue = ["spatial": ["bbox": .array([.array(bbox.map { .number($0) })])],
                                 "temporal": ["interval": .array([interval])]]
        func distinct(_ values: (StacSummary) -> [String]) -> [JSONValue] {
            Set(members.flatMap { values($0.summary) }).sorted().map { .string($0) }
        }
        var summaries: [String: JSONValue] = [:]
        let fields: [(String, (StacSummary) -> [String])] = [
            ("platform", { $0.platform.map { [$0] } ?? [] }), ("instruments", \.instruments),
            ("proj:code", { $0.projCode.map { [$0] } ?? [] }), ("processing:level", { $0.processingLevel.map { [$0] } ?? [] }),
        ]
        for (key, values) in fields {
            let d = distinct(values)
            if !d.isEmpty { summaries[key] = .array(d) }
        }
        let clouds = members.compactMap(\.summary.cloudCover)
        if let lo = clouds.min(), let hi = clouds.max() { summaries["eo:cloud_cover"] = ["minimum": .number(lo), "maximum": .number(hi)] }
        let gsds = members.compactMap(\.summary.gsd)
        if !gsds.isEmpty { summaries["gsd"] = .array(Array(Set(gsds)).sorted().map { .number($0) }) }
        var links = [StacLink(rel: "root", href: "./collection.json", type: "application/json", title: title)]
        links += members.sorted { $0.id < $1.id }.map { StacLink(rel: "item", href: SafeText.href($0.href), type: "application/geo+json") }
        var hrefSafe = assets
        for k in hrefSafe.keys { hrefSafe[k]!.href = SafeText.href(hrefSafe[k]!.href) }
        return StacCollection(type: "Collection", stac_version: "1.1.0",
                              stac_extensions: ["https://stac-extensions.github.io/eo/v1.1.0/schema.json",
                                                "https://stac-extensions.github.io/projection/v2.0.0/schema.json"],
                              id: id, title: title, description: description, license: license, extent: extent,
                              summaries: summaries, links: links, assets: hrefSafe.isEmpty ? nil : hrefSafe)
    }

    /// The Collection as JSON (sorted keys, pretty-printed).
    public func json() throws -> String { try StacJSON.encode(self) }

    /// Writes the Collection JSON atomically.
    @discardableResult
    public func write(to path: String) throws -> WrittenFile { try AtomicFile.write(text: try json(), to: path) }
}

extension StacItem {
    /// What the run's Collection needs from this Item (bbox, datetime, summarised fields), as the catalog keeps it.
    public var summary: StacSummary {
        func string(_ k: String) -> String? { if case .string(let s)? = properties[k] { return s }; return nil }
        var instruments: [String] = []
        if case .array(let a)? = properties["instruments"] { for case .string(let s) in a { instruments.append(s) } }
        return StacSummary(bbox: bbox, datetime: string("datetime"), platform: string("platform"), instruments: instruments,
                           projCode: string("proj:code"), processingLevel: string("processing:level"),
                           cloudCover: properties["eo:cloud_cover"]?.doubleValue, gsd: properties["gsd"]?.doubleValue)
    }
}
