import Foundation
import RasterIO

/// A STAC 1.1 Collection for one run: spatial extent (union of the Items' bboxes), temporal extent
/// (first and last datetime), summaries (platforms, instruments, projections, cloud cover range) and
/// `item` links with hrefs relative to the Collection file (a self-contained catalogue: no absolute links).
public struct StacCollection: Sendable, Equatable, Codable {
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

    /// Builds the Collection from the run's Items and their hrefs relative to the Collection file.
    /// Throws `ProductsError.invalidInput` when there is no Item.
    public static func make(id: String, title: String? = nil, description: String, license: String = "proprietary",
                            items: [(item: StacItem, href: String)]) throws -> StacCollection {
        guard !items.isEmpty else { throw ProductsError.invalidInput(item: id, reason: "a collection needs at least one item") }
        let boxes = items.map(\.item.bbox)
        let bbox = [boxes.map { $0[0] }.min()!, boxes.map { $0[1] }.min()!, boxes.map { $0[2] }.max()!, boxes.map { $0[3] }.max()!]
        let times = items.compactMap { i -> String? in if case .string(let s) = i.item.properties["datetime"] { return s }; return nil }.sorted()
        let interval: JSONValue = .array([times.first.map { .string($0) } ?? .null, times.last.map { .string($0) } ?? .null])
        let extent: JSONValue = ["spatial": ["bbox": .array([.array(bbox.map { .number($0) })])],
                                 "temporal": ["interval": .array([interval])]]
        func distinct(_ key: String) -> [JSONValue] {
            var seen = Set<String>(), out: [JSONValue] = []
            for i in items {
                let values: [JSONValue]
                switch i.item.properties[key] {
                case .array(let a)?: values = a
                case let v?: values = [v]
                case nil: values = []
                }
                for case .string(let s) in values where seen.insert(s).inserted { out.append(.string(s)) }
            }
            return out.sorted { if case .string(let a) = $0, case .string(let b) = $1 { return a < b }; return false }
        }
        var summaries: [String: JSONValue] = [:]
        for key in ["platform", "instruments", "proj:code", "processing:level"] {
            let d = distinct(key)
            if !d.isEmpty { summaries[key] = .array(d) }
        }
        let clouds = items.compactMap { $0.item.properties["eo:cloud_cover"]?.doubleValue }
        if let lo = clouds.min(), let hi = clouds.max() { summaries["eo:cloud_cover"] = ["minimum": .number(lo), "maximum": .number(hi)] }
        let gsds = items.compactMap { $0.item.properties["gsd"]?.doubleValue }
        if !gsds.isEmpty { summaries["gsd"] = .array(Array(Set(gsds)).sorted().map { .number($0) }) }
        var links = [StacLink(rel: "root", href: "./collection.json", type: "application/json", title: title)]
        links += items.sorted { $0.item.id < $1.item.id }.map { StacLink(rel: "item", href: SafeText.href($0.href), type: "application/geo+json") }
        return StacCollection(type: "Collection", stac_version: "1.1.0",
                              stac_extensions: ["https://stac-extensions.github.io/eo/v1.1.0/schema.json",
                                                "https://stac-extensions.github.io/projection/v2.0.0/schema.json"],
                              id: id, title: title, description: description, license: license, extent: extent,
                              summaries: summaries, links: links)
    }

    /// The Collection as JSON (sorted keys, pretty-printed).
    public func json() throws -> String { try StacJSON.encode(self) }

    /// Writes the Collection JSON atomically.
    public func write(to path: String) throws { try AtomicFile.write(text: try json(), to: path) }
}
