import Foundation
import Yams

extension PipelineConfig {
    /// Top-level keys of schema version 1.
    public static let topLevelKeys = ["version", "name", "inputs", "indices", "calibration", "masks", "classification",
                                      "monitor", "regions", "outputs", "report", "execution", "logging", "grid"]

    /// Reads and validates `path`, after applying `overrides` (`key.path=value`, value in YAML syntax).
    /// - Throws: `ConfigError` with file:line:column for every problem, or for an unreadable file.
    public static func load(path: String, overrides: [String] = [], indexNames: [String] = IndexRegistry.names) throws -> PipelineConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, line: nil, column: nil, keyPath: "", message: "cannot read the file (missing or unreadable)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, line: nil, column: nil, keyPath: "", message: "the file is not UTF-8 text")
        }
        return try parse(yaml: text, file: path, overrides: overrides, indexNames: indexNames)
    }

    /// Parses YAML text. `file` names it in errors.
    public static func parse(yaml: String, file: String = "<string>", overrides: [String] = [],
                             indexNames: [String] = IndexRegistry.names) throws -> PipelineConfig {
        var root: Node
        do {
            guard let n = try Yams.compose(yaml: yaml) else {
                throw ConfigError(file: file, line: 1, column: 1, keyPath: "", message: "the file is empty")
            }
            root = n
        } catch let e as ConfigError { throw e } catch let e as YamlError {
            throw ConfigError(file: file, line: e.markLine, column: e.markColumn, keyPath: "", message: "invalid YAML: \(e.summary)")
        }
        for o in overrides { root = try applyOverride(o, to: root) }
        var config = try decode(ConfigNode(node: root, file: file, path: ""), indexNames: indexNames)
        config.sourcePath = file
        return config
    }

    /// Applies one `--set key.path=value` to the node tree. Lists are addressed as `inputs.0.path`.
    static func applyOverride(_ assignment: String, to root: Node) throws -> Node {
        guard let eq = assignment.firstIndex(of: "="), eq != assignment.startIndex else {
            throw ConfigError(file: "--set", line: nil, column: nil, keyPath: assignment, message: "expected KEY.PATH=VALUE")
        }
        let keys = assignment[..<eq].split(separator: ".").map(String.init)
        let valueText = String(assignment[assignment.index(after: eq)...])
        let value: Node
        do { value = try Yams.compose(yaml: valueText).map(stripMarks) ?? Node("", Tag(.null)) } catch {
            throw ConfigError(file: "--set", line: nil, column: nil, keyPath: keys.joined(separator: "."), message: "value is not valid YAML: \(valueText)")
        }
        func set(_ node: Node, _ rest: ArraySlice<String>, _ done: String) throws -> Node {
            guard let key = rest.first else { return value }
            let here = done.isEmpty ? key : "\(done).\(key)"
            switch node {
            case .mapping(var map):
                let child = map[key] ?? Node([(Node, Node)]())
                map[key] = try set(child, rest.dropFirst(), here)
                return .mapping(map)
            case .sequence(var seq):
                guard let i = Int(key), seq.indices.contains(i) else {
                    throw ConfigError(file: "--set", line: nil, column: nil, keyPath: here, message: "'\(key)' is not an index of the list at '\(done)' (0..<\(seq.count))")
                }
                seq[i] = try set(seq[i], rest.dropFirst(), here)
                return .sequence(seq)
            default:
                throw ConfigError(file: "--set", line: nil, column: nil, keyPath: here, message: "'\(done)' is not a mapping or list")
            }
        }
        return try set(root, keys[...], "")
    }

    /// Overrides have no position in the file.
    private static func stripMarks(_ n: Node) -> Node {
        switch n {
        case .scalar(let s): return .scalar(Node.Scalar(s.string, s.tag, s.style))
        case .mapping(let m): return .mapping(Node.Mapping(m.map { (stripMarks($0.key), stripMarks($0.value)) }, m.tag, m.style))
        case .sequence(let s): return .sequence(Node.Sequence(s.map(stripMarks), s.tag, s.style))
        case .alias: return n
        }
    }

    static func decode(_ root: ConfigNode, indexNames: [String]) throws -> PipelineConfig {
        let top = try root.mapping(allowed: topLevelKeys)
        guard let versionNode = top["version"] else { throw root.error("missing required key 'version' (use version: 1)") }
        let version = try versionNode.int()
        guard version == 1 else { throw versionNode.error("unsupported schema version \(version)", choices: ["1"]) }
        guard let inputsNode = top["inputs"] else { throw root.error("missing required key 'inputs'") }
        let inputs = try inputsNode.sequence().map(decodeInput)
        guard !inputs.isEmpty else { throw inputsNode.error("at least one input is required") }
        var indices: [String] = []
        if let n = top["indices"] {
            for item in (try? n.sequence()) ?? [n] {
                let given = try item.string()
                // Canonical names, or an alias the Kernels catalogue knows (stored as the canonical name).
                guard let name = indexNames.contains(given.lowercased()) ? given.lowercased() : IndexRegistry.lookup(given)?.name,
                      indexNames.contains(name) else {
                    throw item.error("unknown index '\(given)'", choices: indexNames)
                }
                guard !indices.contains(name) else { throw item.error("index '\(name)' is listed twice") }
                indices.append(name)
            }
        }
        // Every configured index must find its bands in every input that has an explicit band map.
        for (i, item) in try inputsNode.sequence().enumerated() {
            guard let bands = inputs[i].bands else { continue }
            for name in indices {
                guard let entry = IndexRegistry.lookup(name) else { continue }
                if let missing = entry.requiredBands.first(where: { bands[$0] == nil }) {
                    let at = (try? item.mapping(allowed: ["path", "bands", "pattern", "role"]))?["bands"] ?? item
                    throw at.error("index '\(name)' needs band '\(missing)', which this band map lacks", choices: bands.keys.sorted())
                }
            }
        }
        guard let outNode = top["outputs"] else { throw root.error("missing required key 'outputs' (with outputs.directory)") }
        var config = PipelineConfig(version: version, name: try top["name"]?.string(), inputs: inputs, indices: indices,
                                    outputs: try decodeOutputs(outNode, indexNames: indices))
        config.calibration = try top["calibration"].map(decodeCalibration)
        config.masks = try top["masks"].map(decodeMasks)
        config.classification = try top["classification"].map { try decodeClassification($0, indexNames: indexNames) }
        config.monitor = try top["monitor"].map { try $0.sequence().map(decodeMonitor) }
        config.regions = try top["regions"]?.string()
        config.report = try top["report"].map(decodeReport)
        config.execution = try top["execution"].map(decodeExecution)
        config.logging = try top["logging"].map(decodeLogging)
        config.grid = try top["grid"].map(decodeGrid)
        try checkGrid(config, gridNode: top["grid"], outputsNode: outNode)
        return config
    }

    static func decodeInput(_ n: ConfigNode) throws -> InputSpec {
        let m = try n.mapping(allowed: ["path", "bands", "pattern", "role"])
        guard let p = m["path"] else { throw n.error("missing required key 'path'") }
        var spec = InputSpec(path: try p.string())
        if let b = m["bands"] {
            var bands: [String: Int] = [:]
            var used: [Int: String] = [:]
            for (k, v) in try b.freeMapping() {
                let number = try v.int(min: 1)
                if let other = used[number] { throw v.error("band \(number) is already mapped to '\(other)'") }
                used[number] = k
                bands[k] = number
            }
            guard !bands.isEmpty else { throw b.error("the band map is empty") }
            spec.bands = bands
        }
        spec.pattern = try m["pattern"]?.string()
        spec.role = try m["role"]?.choice(["pre", "post"])
        return spec
    }

    static func decodeOutputs(_ n: ConfigNode, indexNames: [String]) throws -> OutputSpec {
        let m = try n.mapping(allowed: ["directory", "cog", "quicklooks", "stac", "crs"])
        guard let d = m["directory"] else { throw n.error("missing required key 'directory'") }
        var spec = OutputSpec(directory: try d.string())
        spec.crs = try m["crs"].map(decodeCRS)
        if let c = m["cog"] {
            let cm = try c.mapping(allowed: ["compression", "tile_size", "overviews", "dtype"])
            var cog = CogSpec()
            cog.compression = try cm["compression"]?.choice(["deflate", "zstd"])
            if let t = cm["tile_size"] {
                let v = try t.int(min: 16)
                guard v % 16 == 0 else { throw t.error("must be a multiple of 16, found \(v)") }
                cog.tileSize = v
            }
            cog.overviews = try cm["overviews"]?.bool()
            cog.dtype = try cm["dtype"]?.choice(["float32", "int16"])
            spec.cog = cog
        }
        if let q = m["quicklooks"] {
            let qm = try q.mapping(allowed: ["indices", "max_size", "legend", "zlib_level"])
            var ql = QuicklookSpec()
            if let i = qm["indices"] {
                let list = try i.stringList()
                if let bad = list.first(where: { !indexNames.contains($0) && $0 != "landuse" }) {
                    throw i.error("'\(bad)' is not one of the configured indices or 'landuse'", choices: indexNames + ["landuse"])
                }
                ql.indices = list
            }
            ql.maxSize = try qm["max_size"]?.int(min: 16)
            ql.legend = try qm["legend"]?.bool()
            if let z = qm["zlib_level"] {
                let v = try z.int(min: 0)
                guard v <= 9 else { throw z.error("must be 0–9, found \(v)") }
                ql.zlibLevel = v
            }
            spec.quicklooks = ql
        }
        if let s = m["stac"] {
            let sm = try s.mapping(allowed: ["collection_id", "license"])
            spec.stac = StacSpec(collectionId: try sm["collection_id"]?.string(), license: try sm["license"]?.string())
        }
        return spec
    }

    static func decodeCalibration(_ n: ConfigNode) throws -> CalibrationSpec {
        let m = try n.mapping(allowed: ["mode", "scale", "offset", "sun_elevation_correction"])
        return CalibrationSpec(mode: try m["mode"]?.choice(["auto", "toa", "scale", "none"]) ?? "auto",
                               scale: try m["scale"]?.double(), offset: try m["offset"]?.double(),
                               sunElevationCorrection: try m["sun_elevation_correction"]?.bool())
    }

    static func decodeMasks(_ n: ConfigNode) throws -> MaskSpec {
        let m = try n.mapping(allowed: ["nodata", "clouds", "shadows", "saturated", "min_reflectance", "max_reflectance"])
        return MaskSpec(nodata: try m["nodata"]?.bool(), clouds: try m["clouds"]?.bool(), shadows: try m["shadows"]?.bool(),
                        saturated: try m["saturated"]?.bool(), minReflectance: try m["min_reflectance"]?.double(),
                        maxReflectance: try m["max_reflectance"]?.double())
    }

    static func decodeClassification(_ n: ConfigNode, indexNames: [String]) throws -> ClassificationSpec {
        let m = try n.mapping(allowed: ["scheme", "classes"])
        let classes = try m["classes"].map { try $0.sequence().map { c -> ClassSpec in
            let cm = try c.mapping(allowed: ["name", "index", "min", "max", "color"])
            guard let name = cm["name"] else { throw c.error("missing required key 'name'") }
            let index = try cm["index"].map { i -> String in
                let given = try i.string()
                guard let s = indexNames.contains(given) ? given : IndexRegistry.lookup(given)?.name, indexNames.contains(s) else {
                    throw i.error("unknown index '\(given)'", choices: indexNames)
                }
                return s
            }
            return ClassSpec(name: try name.string(), index: index, min: try cm["min"]?.double(), max: try cm["max"]?.double(),
                             color: try cm["color"]?.string())
        } }
        return ClassificationSpec(scheme: try m["scheme"]?.string() ?? "landuse", classes: classes)
    }

    static func decodeMonitor(_ n: ConfigNode) throws -> MonitorJobSpec {
        let m = try n.mapping(allowed: ["kind", "threshold", "min_area_m2", "vectorize", "index", "before", "after"])
        guard let k = m["kind"] else { throw n.error("missing required key 'kind'") }
        func date(_ key: String) throws -> String? {
            guard let d = m[key] else { return nil }
            let s = try d.string()
            guard s.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil else {
                throw d.error("'\(s)' is not a date YYYY-MM-DD")
            }
            return s
        }
        let index = try m["index"].map { i -> String in
            let given = try i.string()
            guard let e = IndexRegistry.lookup(given) else { throw i.error("unknown index '\(given)'", choices: IndexRegistry.names) }
            return e.name
        }
        return MonitorJobSpec(kind: try k.choice(["flood", "burn", "landslide", "drought", "change"]),
                              threshold: try m["threshold"]?.double(), minAreaM2: try m["min_area_m2"]?.double(),
                              vectorize: try m["vectorize"]?.bool(), index: index, before: try date("before"), after: try date("after"))
    }

    static func decodeReport(_ n: ConfigNode) throws -> ReportSpec {
        let m = try n.mapping(allowed: ["formats", "title", "histogram_bins"])
        let formats = try m["formats"].map { f in
            try (try? f.sequence()).map { try $0.map { try $0.choice(["html", "json", "csv", "md"]) } } ?? [f.choice(["html", "json", "csv", "md"])]
        }
        return ReportSpec(formats: formats, title: try m["title"]?.string(), histogramBins: try m["histogram_bins"]?.int(min: 1))
    }

    static func decodeExecution(_ n: ConfigNode) throws -> ExecutionSpec {
        let m = try n.mapping(allowed: ["jobs", "max_in_flight", "memory", "readers", "writers"])
        let e = ExecutionSpec(jobs: try m["jobs"]?.int(min: 1), maxInFlight: try m["max_in_flight"]?.int(min: 1),
                              memory: try m["memory"]?.string(), readers: try m["readers"]?.int(min: 1),
                              writers: try m["writers"]?.int(min: 1))
        if let mem = m["memory"], ByteSize.parse(e.memory ?? "") == nil {
            throw mem.error("'\(e.memory ?? "")' is not a size (examples: 512MiB, 4GiB, 2000000000)")
        }
        return e
    }

    static func decodeLogging(_ n: ConfigNode) throws -> LoggingSpec {
        let m = try n.mapping(allowed: ["format", "level"])
        return LoggingSpec(format: try m["format"]?.choice(["text", "json"]),
                           level: try m["level"]?.choice(["trace", "debug", "info", "notice", "warning", "error", "critical"]))
    }
}

/// Byte sizes written as `4GiB`, `512MiB`, `64KiB`, `2GB` or a plain number of bytes.
public enum ByteSize {
    /// The number of bytes, or nil when the text is not a size.
    public static func parse(_ text: String) -> Int? {
        let units: [(String, Int)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
                                      ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000), ("B", 1)]
        let t = text.trimmingCharacters(in: .whitespaces)
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            guard let v = Double(t.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), v >= 0 else { return nil }
            return Int(v * Double(factor))
        }
        return Int(t).flatMap { $0 >= 0 ? $0 : nil }
    }
}

extension YamlError {
    /// Line of the problem, when Yams reports one.
    var markLine: Int? { mark?.line }
    /// Column of the problem, when Yams reports one.
    var markColumn: Int? { mark?.column }
    var mark: Mark? {
        switch self {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark
        default: return nil
        }
    }
    /// The problem without Yams' source excerpt.
    var summary: String {
        switch self {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): return problem
        default: return "\(self)"
        }
    }
}
