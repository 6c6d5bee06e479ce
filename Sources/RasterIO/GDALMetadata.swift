/// The GDAL_METADATA TIFF tag (42112): a small XML document of `<Item name=".." sample="n" role="..">value</Item>`.
///
/// Dataset items (no `sample`) and band items (`sample` = 0-based band) are kept verbatim, so nothing a
/// producer wrote is lost on a round trip. Items in a non-default `domain` are keyed `DOMAIN::name`.
public struct GDALMetadata: Sendable, Equatable {
    /// Dataset-level items.
    public var dataset: [String: String] = [:]
    /// Per-band items, keyed by 0-based band.
    public var bands: [Int: [String: String]] = [:]

    /// Empty metadata.
    public init() {}

    /// Parses the XML; unknown elements are ignored, malformed items skipped.
    public init(xml: String) {
        var rest = Substring(xml)
        while let open = rest.range(of: "<Item") {
            guard let tagEnd = rest[open.upperBound...].firstIndex(of: ">") else { break }
            let attrs = rest[open.upperBound..<tagEnd]
            let selfClosing = attrs.hasSuffix("/")
            var value = ""
            var next = rest.index(after: tagEnd)
            if !selfClosing {
                guard let close = rest[next...].range(of: "</Item>") else { break }
                value = Self.unescape(String(rest[next..<close.lowerBound]))
                next = close.upperBound
            }
            rest = rest[next...]
            let a = Self.attributes(String(attrs))
            guard var name = a["name"] else { continue }
            if let domain = a["domain"], !domain.isEmpty { name = domain + "::" + name }
            if let s = a["sample"], let b = Int(s) {
                var items = bands[b] ?? [:]
                // role-tagged standard items keep their canonical GDAL names
                items[name] = value
                bands[b] = items
            } else {
                dataset[name] = value
            }
        }
    }

    /// Serialises with items sorted by name (deterministic bytes), or nil when empty.
    public var xml: String? {
        if dataset.isEmpty && bands.values.allSatisfy(\.isEmpty) { return nil }
        var s = "<GDALMetadata>\n"
        func item(_ key: String, _ value: String, sample: Int?) {
            var name = key, domain: String?
            if let r = key.range(of: "::") { domain = String(key[..<r.lowerBound]); name = String(key[r.upperBound...]) }
            s += "  <Item name=\"\(Self.escape(name))\""
            if let domain { s += " domain=\"\(Self.escape(domain))\"" }
            if let sample {
                s += " sample=\"\(sample)\""
                switch name {
                case "DESCRIPTION": s += " role=\"description\""
                case "SCALE": s += " role=\"scale\""
                case "OFFSET": s += " role=\"offset\""
                case "UNITTYPE": s += " role=\"unittype\""
                default: break
                }
            }
            s += ">\(Self.escape(value))</Item>\n"
        }
        for k in dataset.keys.sorted() { item(k, dataset[k]!, sample: nil) }
        for b in bands.keys.sorted() { for k in bands[b]!.keys.sorted() { item(k, bands[b]![k]!, sample: b) } }
        return s + "</GDALMetadata>"
    }

    static func attributes(_ s: String) -> [String: String] {
        var out: [String: String] = [:]
        var rest = Substring(s)
        while let eq = rest.firstIndex(of: "=") {
            let key = rest[..<eq].trimmingCharacters(in: " \t\r\n/")
            let afterEq = rest[rest.index(after: eq)...].drop { $0 == " " }
            guard let quote = afterEq.first, quote == "\"" || quote == "'" else { break }
            let body = afterEq.dropFirst()
            guard let end = body.firstIndex(of: quote) else { break }
            out[key] = unescape(String(body[..<end]))
            rest = body[body.index(after: end)...]
        }
        return out
    }

    static func escape(_ s: String) -> String {
        var o = ""
        for c in s {
            switch c {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            default: o.append(c)
            }
        }
        return o
    }

    static func unescape(_ s: String) -> String {
        guard s.contains("&") else { return s }
        return s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        var s = self
        while let f = s.first, chars.contains(f) { s = s.dropFirst() }
        while let l = s.last, chars.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
