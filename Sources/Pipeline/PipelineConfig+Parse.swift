import Foundation
import Kernels
import Yams

extension PipelineConfig {
    /// Top-level keys of schema version 1.
    public static let topLevelKeys = ["version", "name", "inputs", "indices", "calibration", "masks", "classification",
                                      "monitor", "regions", "outputs", "report", "execution", "logging", "grid"]

    /// Reads and validates `path`, after applying `overrides` (`key.path=value`, value in YAML syntax).
    /// The file is read only up to `ConfigLimits.maxFileBytes`.
    /// - Throws: `ConfigError` with file:line:column for the first problem and every other one in `following`.
    public static func load(path: String, overrides: [String] = [], indexNames: [String] = IndexRegistry.names) throws -> PipelineConfig {
        let data = try ConfigLimits.readFile(path)
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, line: nil, column: nil, keyPath: "", message: "the file is not UTF-8 text")
        }
        return try parse(yaml: text, file: path, overrides: overrides, indexNames: indexNames)
    }

    /// Parses YAML text. `file` names it in errors.
    public static func parse(yaml: String, file: String = "<string>", overrides: [String] = [],
                             indexNames: [String] = IndexRegistry.names) throws -> PipelineConfig {
        guard yaml.utf8.count <= ConfigLimits.maxFileBytes else {
            throw ConfigError(file: file, line: nil, column: nil, keyPath: "",
                              message: "the text is larger than \(ConfigLimits.maxFileBytes >> 20) MiB, the limit for a pipeline file")
        }
        guard let composed = try composeChecked(yaml, file: file, keyPath: "") else {
            throw ConfigError(file: file, line: 1, column: 1, keyPath: "", message: "the file is empty")
        }
        var root = composed
        for o in overrides { root = try applyOverride(o, to: root) }
        try ConfigLimits.checkTree(root, file: file)
        let diagnostics = ConfigDiagnostics()
        let config = try decode(ConfigNode(node: root, file: file, path: "", diagnostics: diagnostics), indexNames: indexNames)
        try diagnostics.throwIfAny()
        guard var config else { throw ConfigError(file: file, line: 1, column: 1, keyPath: "", message: "invalid configuration") }
        config.sourcePath = file
        return config
    }

    /// Composes YAML text into a node tree checked against `ConfigLimits` (nodes after alias expansion, depth).
    /// Yams' messages are reduced to the problem and its position: the text is never echoed.
    static func composeChecked(_ yaml: String, file: String, keyPath: String) throws -> Node? {
        let node: Node?
        do { node = try Yams.compose(yaml: yaml) } catch let e as YamlError {
            let (line, column, message) = e.located(in: yaml)
            throw ConfigError(file: file, line: line, column: column, keyPath: keyPath, message: message)
        }
        if let node { try ConfigLimits.checkTree(node, file: file, keyPath: keyPath) }
        return node
    }

    /// Applies one `--set key.path=value` to the node tree. Lists are addressed as `inputs.0.path`. The key has at
    /// most `ConfigLimits.maxKeyParts` parts and the value is read with the same limits as the file.
    static func applyOverride(_ assignment: String, to root: Node) throws -> Node {
        func refuse(_ key: String, _ message: String) -> ConfigError {
            ConfigError(file: "--set", line: nil, column: nil, keyPath: key, message: message)
        }
        guard assignment.utf8.count <= ConfigLimits.maxOverrideBytes else {
            throw refuse(String(assignment.prefix(40)) + "...", "the assignment is longer than \(ConfigLimits.maxOverrideBytes >> 10) KiB")
        }
        guard let eq = assignment.firstIndex(of: "="), eq != assignment.startIndex else {
            throw refuse(String(assignment.prefix(80)), "expected KEY.PATH=VALUE")
        }
        let keyText = assignment[..<eq]
        let keys = keyText.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard keys.count <= ConfigLimits.maxKeyParts else {
            throw refuse(String(keyText.prefix(80)) + "...", "the key has \(keys.count) parts; at most \(ConfigLimits.maxKeyParts) are allowed")
        }
        guard !keys.contains(where: \.isEmpty) else { throw refuse(String(keyText), "the key has an empty part") }
        let keyPath = keys.joined(separator: ".")
        let valueText = String(assignment[assignment.index(after: eq)...])
        let value = try composeChecked(valueText, file: "--set \(keyPath)", keyPath: keyPath).map(stripMarks) ?? Node("", Tag(.null))
        // Walk down iteratively (the key is short, but no recursion either way), then rebuild upwards.
        var trail: [Node] = []
        var node = root
        for (depth, key) in keys.enumerated() {
            let here = keys[...depth].joined(separator: ".")
            let done = keys[..<depth].joined(separator: ".")
            trail.append(node)
            switch node {
            case .mapping(let map):
                node = map[key] ?? Node([(Node, Node)]())
            case .sequence(let seq):
                guard let i = Int(key), seq.indices.contains(i) else {
                    throw refuse(here, "'\(key)' is not an index of the list at '\(done)' (0..<\(seq.count))")
                }
                node = seq[i]
            default:
                throw refuse(here, "'\(done)' is not a mapping or list")
            }
        }
        var result = value
        for (depth, parent) in trail.enumerated().reversed() {
            switch parent {
            case .mapping(var map):
                map[keys[depth]] = result
                result = .mapping(map)
            case .sequence(var seq):
                seq[Int(keys[depth])!] = result
                result = .sequence(seq)
            default:
                preconditionFailure("checked on the way down")
            }
        }
        return result
    }

    /// Overrides have no position in the file. Called on trees already checked by `ConfigLimits.checkTree`.
    private static func stripMarks(_ n: Node) -> Node {
        switch n {
        case .scalar(let s): return .scalar(Node.Scalar(s.string, s.tag, s.style))
        case .mapping(let m): return .mapping(Node.Mapping(m.map { (stripMarks($0.key), stripMarks($0.value)) }, m.tag, m.style))
        case .sequence(let s): return .sequence(Node.Sequence(s.map(stripMarks), s.tag, s.style))
        case .alias: return n
        }
    }

    /// The canonical (lower-case) name of a configured index: the catalogue name or alias as written, or its
    /// all-lower-case form; another spelling (`BaI`) is refused with the names it could mean.
    static func indexName(_ n: ConfigNode, among indexNames: [String]) throws -> String {
        let given = try n.string()
        do {
            let entry = try IndexCatalog.require(given)
            let name = entry.name.lowercased()
            guard indexNames.contains(name) else { throw n.error("unknown index '\(given)'", choices: indexNames) }
            return name
        } catch let e as KernelError {
            if case .ambiguousIndex(_, let candidates) = e {
                throw n.error("unknown index '\(given)': names are matched exactly, or in lower case; did you mean \(candidates.joined(separator: " or "))?")
            }
            throw n.error("unknown index '\(given)'", choices: indexNames)
        }
    }

    static func decode(_ root: ConfigNode, indexNames: [String]) throws -> PipelineConfig? {
        let top = try root.mapping(allowed: topLevelKeys)
        if let version = top.required("version", hint: " (use version: 1)", { try $0.int(min: 1, max: Int.max) }), version != 1 {
            root.diagnostics.record(top["version"]!.error("unsupported schema version \(version)", choices: ["1"]))
        }
        let inputNodes = top.required("inputs") { n -> [ConfigNode] in
            let list = try n.sequence()
            guard !list.isEmpty else { throw n.error("at least one input is required") }
            return list
        } ?? []
        // Inputs with an error of their own are left out of the band check below (no follow-on errors).
        var inputs: [InputSpec] = []
        var cleanInputs: [Bool] = []
        for n in inputNodes {
            let before = root.diagnostics.errors.count
            guard let spec = root.diagnostics.attempt({ try decodeInput(n) }) else { continue }
            inputs.append(spec)
            cleanInputs.append(root.diagnostics.errors.count == before)
        }
        var indices: [String] = []
        // Every tile needs an index to compute: without one each tile would fail on its own, after the run started.
        let noIndex = " (every tile computes at least one; `tilepipe indices` lists them), e.g. indices: [ndvi]"
        if let n = top["indices"] {
            let items = (try? n.sequence()) ?? [n]
            for item in items {
                guard let name = root.diagnostics.attempt({ try indexName(item, among: indexNames) }) else { continue }
                guard !indices.contains(name) else {
                    root.diagnostics.record(item.error("index '\(name)' is listed twice"))
                    continue
                }
                indices.append(name)
            }
            if items.isEmpty { root.diagnostics.record(n.error("no index listed" + noIndex)) }
        }
        // Every configured index must find its bands in every input that has an explicit band map.
        if inputs.count == inputNodes.count {
            for (i, item) in inputNodes.enumerated() where cleanInputs[i] {
                guard let bands = inputs[i].bands else { continue }
                for name in indices {
                    guard let entry = IndexRegistry.lookup(name) else { continue }
                    if let missing = entry.requiredBands.first(where: { bands[$0] == nil }) {
                        let at: ConfigNode
                        if case .mapping(let m) = item.node, let b = m["bands"] {
                            at = ConfigNode(node: b, file: item.file, path: item.path + ".bands", diagnostics: item.diagnostics)
                        } else { at = item }
                        root.diagnostics.record(at.error("index '\(name)' needs band '\(missing)', which this band map lacks",
                                                         choices: bands.keys.sorted()))
                    }
                }
            }
        }
        let outputs = top.required("outputs", hint: " (with outputs.directory)") { try decodeOutputs($0, indexNames: indices) }
        var config = PipelineConfig(version: 1, name: top.value("name") { try $0.string() }, inputs: inputs, indices: indices,
                                    outputs: outputs ?? OutputSpec(directory: ""))
        config.calibration = top.value("calibration", decodeCalibration)
        config.masks = top.value("masks", decodeMasks)
        config.classification = top.value("classification") { try decodeClassification($0, indexNames: indexNames) }
        config.monitor = top.value("monitor") { try $0.sequence().compactMap { n in root.diagnostics.attempt { try decodeMonitor(n) } } }
        config.regions = top.value("regions") { try $0.string() }
        config.report = top.value("report", decodeReport)
        config.execution = top.value("execution", decodeExecution)
        config.logging = top.value("logging", decodeLogging)
        config.grid = top.value("grid", decodeGrid)
        if let outNode = top["outputs"], outputs != nil {
            _ = root.diagnostics.attempt { try checkGrid(config, gridNode: top["grid"], outputsNode: outNode) }
        }
        // A missing `indices` is reported when nothing else is wrong: after a misspelt key (`indicies`) it would only
        // repeat that error.
        if top["indices"] == nil && root.diagnostics.errors.isEmpty {
            root.diagnostics.record(root.error("missing required key 'indices'" + noIndex))
        }
        return root.diagnostics.errors.isEmpty ? config : nil
    }

    static func decodeInput(_ n: ConfigNode) throws -> InputSpec {
        let m = try n.mapping(allowed: ["path", "bands", "pattern", "role", "date", "name"])
        var spec = InputSpec(path: m.required("path") { try $0.string() } ?? "")
        spec.bands = m.value("bands") { b -> [String: Int] in
            var bands: [String: Int] = [:]
            var used: [Int: String] = [:]
            for (k, v) in try b.freeMapping() {
                guard let number = n.diagnostics.attempt({ try v.int(min: 1, max: 65535) }) else { continue }
                if let other = used[number] {
                    n.diagnostics.record(v.error("band \(number) is already mapped to '\(other)'"))
                    continue
                }
                used[number] = k
                bands[k] = number
            }
            guard !bands.isEmpty else { throw b.error("the band map is empty") }
            return bands
        }
        spec.pattern = m.value("pattern") { try $0.string() }
        spec.role = m.value("role") { try $0.choice(["pre", "post"]) }
        spec.name = m.value("name") { v -> String in
            let s = try v.string().trimmingCharacters(in: .whitespaces)
            guard !s.isEmpty, !s.contains(where: \.isNewline), !s.contains("\t") else { throw v.error("a place name must be one non-empty line") }
            return s
        }
        spec.date = m.value("date") { d -> String in
            let s = try d.string()
            guard s.range(of: #"^\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$"#, options: .regularExpression) != nil else {
                throw d.error("'\(s)' is not a date YYYY-MM-DD")
            }
            return s
        }
        return spec
    }

    static func decodeOutputs(_ n: ConfigNode, indexNames: [String]) throws -> OutputSpec {
        let m = try n.mapping(allowed: ["directory", "cog", "quicklooks", "stac", "crs", "rgb"])
        var spec = OutputSpec(directory: m.required("directory") { try $0.string() } ?? "")
        spec.crs = m.value("crs", decodeCRS)
        spec.rgb = m.value("rgb") { try $0.bool() }
        spec.cog = m.value("cog") { c -> CogSpec in
            let cm = try c.mapping(allowed: ["compression", "tile_size", "overviews", "dtype"])
            var cog = CogSpec()
            cog.compression = cm.value("compression") { try $0.choice(["deflate", "zstd"]) }
            cog.tileSize = cm.value("tile_size") { t -> Int in
                let v = try t.int(min: 16, max: 4096)
                guard v % 16 == 0 else { throw t.error("must be a multiple of 16, found \(v)") }
                return v
            }
            cog.overviews = cm.value("overviews") { try $0.bool() }
            cog.dtype = cm.value("dtype") { try $0.choice(["float32", "int16"]) }
            return cog
        }
        spec.quicklooks = m.value("quicklooks") { q -> QuicklookSpec in
            let qm = try q.mapping(allowed: ["indices", "max_size"], refused: [
                "legend": "every quicklook has a legend; it cannot be turned off yet",
                "zlib_level": "quicklooks are written at the fast zlib level 1; the level is not configurable yet",
            ])
            var ql = QuicklookSpec()
            ql.indices = qm.value("indices") { i -> [String] in
                let list = try i.stringList()
                if let bad = list.first(where: { !indexNames.contains($0) && $0 != "landuse" }) {
                    throw i.error("'\(bad)' is not one of the configured indices or 'landuse'", choices: indexNames + ["landuse"])
                }
                return list
            }
            ql.maxSize = qm.value("max_size") { try $0.int(min: 16, max: 16384) }
            return ql
        }
        spec.stac = m.value("stac") { s -> StacSpec in
            let sm = try s.mapping(allowed: ["collection_id", "license"])
            return StacSpec(collectionId: sm.value("collection_id") { try $0.string() }, license: sm.value("license") { try $0.string() })
        }
        return spec
    }

    static func decodeCalibration(_ n: ConfigNode) throws -> CalibrationSpec {
        let m = try n.mapping(allowed: ["mode", "scale", "offset", "sun_elevation_correction"])
        return CalibrationSpec(mode: m.value("mode") { try $0.choice(["auto", "toa", "scale", "none"]) } ?? "auto",
                               scale: m.value("scale") { try $0.double(min: -1e9, max: 1e9) },
                               offset: m.value("offset") { try $0.double(min: -1e9, max: 1e9) },
                               sunElevationCorrection: m.value("sun_elevation_correction") { try $0.bool() })
    }

    static func decodeMasks(_ n: ConfigNode) throws -> MaskSpec {
        let m = try n.mapping(allowed: ["nodata", "clouds", "shadows", "saturated", "min_reflectance", "max_reflectance"])
        return MaskSpec(nodata: m.value("nodata") { try $0.bool() }, clouds: m.value("clouds") { try $0.bool() },
                        shadows: m.value("shadows") { try $0.bool() }, saturated: m.value("saturated") { try $0.bool() },
                        minReflectance: m.value("min_reflectance") { try $0.double(min: -1e9, max: 1e9) },
                        maxReflectance: m.value("max_reflectance") { try $0.double(min: -1e9, max: 1e9) })
    }

    static func decodeClassification(_ n: ConfigNode, indexNames: [String]) throws -> ClassificationSpec {
        let m = try n.mapping(allowed: ["scheme", "classes"])
        let classes = m.value("classes") { list -> [ClassSpec] in
            let items = try list.sequence()
            // Class codes are UInt8: 0 is nodata, so at most 254 classes.
            guard (1...254).contains(items.count) else { throw list.error("expected 1 to 254 classes, found \(items.count)") }
            return items.compactMap { c in n.diagnostics.attempt { () -> ClassSpec in
                let cm = try c.mapping(allowed: ["name", "index", "min", "max", "color"])
                let lo = cm.value("min") { try $0.double() }, hi = cm.value("max") { try $0.double() }
                if let lo, let hi, lo >= hi, let at = cm["max"] {
                    n.diagnostics.record(at.error("max (exclusive) must be greater than min \(lo), found \(hi)"))
                }
                return ClassSpec(name: cm.required("name") { try $0.string() } ?? "",
                                 index: cm.value("index") { try indexName($0, among: indexNames) },
                                 min: lo, max: hi,
                                 color: cm.value("color") { col -> String in
                                     let text = try col.string()
                                     guard text.range(of: "^#[0-9A-Fa-f]{6}$", options: .regularExpression) != nil else {
                                         throw col.error("'\(text)' is not a colour #rrggbb")
                                     }
                                     return text
                                 })
            } }
        }
        return ClassificationSpec(scheme: m.value("scheme") { try $0.choice(["landuse", "none"]) } ?? "landuse", classes: classes)
    }

    static func decodeMonitor(_ n: ConfigNode) throws -> MonitorJobSpec {
        let m = try n.mapping(allowed: ["kind", "threshold", "min_area_m2", "vectorize", "index", "before", "after"])
        func date(_ key: String) -> String? {
            m.value(key) { d -> String in
                let s = try d.string()
                let parts = s.split(separator: "-").compactMap { Int($0) }
                guard s.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil, parts.count == 3,
                      (1...12).contains(parts[1]), (1...31).contains(parts[2]) else {
                    throw d.error("'\(s)' is not a date YYYY-MM-DD")
                }
                return s
            }
        }
        let kind = m.required("kind") { try $0.choice(["flood", "burn", "landslide", "drought", "change"]) }
        return MonitorJobSpec(kind: kind ?? "", threshold: m.value("threshold") { try $0.double() },
                              minAreaM2: m.value("min_area_m2") { try $0.double(min: 0, max: 1e12) },
                              vectorize: m.value("vectorize") { try $0.bool() },
                              index: m.value("index") { try indexName($0, among: IndexRegistry.names) },
                              before: date("before"), after: date("after"))
    }

    static func decodeReport(_ n: ConfigNode) throws -> ReportSpec {
        let m = try n.mapping(allowed: ["formats", "title"], refused: [
            "histogram_bins": "the reports carry no histograms yet",
        ])
        let formats = m.value("formats") { f in
            try (try? f.sequence()).map { try $0.map { try $0.choice(["html", "json", "csv", "md"]) } } ?? [f.choice(["html", "json", "csv", "md"])]
        }
        return ReportSpec(formats: formats, title: m.value("title") { try $0.string() })
    }

    static func decodeExecution(_ n: ConfigNode) throws -> ExecutionSpec {
        let m = try n.mapping(allowed: ["jobs", "max_in_flight", "memory", "readers", "writers"])
        let memory = m.value("memory") { mem -> String in
            let text = try mem.string()
            guard let bytes = ByteSize.parse(text) else {
                throw mem.error("'\(text)' is not a size from 0 to 1PiB (examples: 512MiB, 4GiB, 2000000000)")
            }
            guard bytes <= ByteSize.maximum else { throw mem.error("'\(text)' is more than the largest budget, 1 PiB") }
            return text
        }
        return ExecutionSpec(jobs: m.value("jobs") { try $0.int(min: 1, max: 1024) },
                             maxInFlight: m.value("max_in_flight") { try $0.int(min: 1, max: 4096) },
                             memory: memory, readers: m.value("readers") { try $0.int(min: 1, max: 64) },
                             writers: m.value("writers") { try $0.int(min: 1, max: 64) })
    }

    static func decodeLogging(_ n: ConfigNode) throws -> LoggingSpec {
        let m = try n.mapping(allowed: ["format", "level"])
        return LoggingSpec(format: m.value("format") { try $0.choice(["text", "json"]) },
                           level: m.value("level") { try $0.choice(["trace", "debug", "info", "notice", "warning", "error", "critical"]) })
    }
}

/// Byte sizes written as `4GiB`, `512MiB`, `64KiB`, `2GB` or a plain number of bytes.
public enum ByteSize {
    /// The largest size a config may give (1 PiB); larger ones are refused, never rounded or overflowed.
    public static let maximum = 1 << 50

    /// The number of bytes, or nil when the text is not a size (or not a finite one within `Int`).
    public static func parse(_ text: String) -> Int? {
        let units: [(String, Int)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
                                      ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000), ("B", 1)]
        let t = text.trimmingCharacters(in: .whitespaces)
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            guard let v = Double(t.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), v >= 0 else { return nil }
            let bytes = v * Double(factor)
            guard bytes.isFinite, bytes < 0x1p62 else { return nil }
            return Int(bytes)
        }
        return Int(t).flatMap { $0 >= 0 ? $0 : nil }
    }
}

extension YamlError {
    /// Line, column and message of the problem, without Yams' excerpt of the source (which may be the whole file).
    /// A duplicate key points at its second occurrence, the offending one.
    func located(in yaml: String) -> (line: Int?, column: Int?, message: String) {
        switch self {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return (mark.line, mark.column, "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.sorted().first ?? ""
            let (line, column) = Self.secondOccurrence(of: key, after: context.mark, in: yaml) ?? (context.mark.line, context.mark.column)
            let others = duplicates.count > 1 ? " (also duplicated: \(duplicates.sorted().dropFirst().map { "'\($0)'" }.joined(separator: ", ")))" : ""
            return (line, column, "duplicate key '\(key)'\(others), first given at line \(context.mark.line)")
        case .reader(let problem, _, _, _):
            return (nil, nil, "invalid YAML: \(problem)")
        case .dataCouldNotBeDecoded:
            return (nil, nil, "invalid YAML: the text is not UTF-8")
        default:
            return (nil, nil, "invalid YAML")
        }
    }

    /// Where `key` is written again as a mapping key after its first occurrence at `first` (1-based line and column).
    private static func secondOccurrence(of key: String, after first: Mark, in yaml: String) -> (Int, Int)? {
        guard !key.isEmpty else { return nil }
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        guard first.line >= 1, first.line <= lines.count else { return nil }
        for l in (first.line - 1)..<lines.count {
            let text = Array(lines[l].unicodeScalars)
            let keyScalars = Array(key.unicodeScalars)
            var c = l == first.line - 1 ? first.column - 1 + keyScalars.count : 0
            while c + keyScalars.count <= text.count {
                let before = c == 0 ? " " : text[c - 1]
                let boundary = before == " " || before == "{" || before == "," || before == "\t" || before == "\"" || before == "'"
                if boundary, Array(text[c..<(c + keyScalars.count)]) == keyScalars {
                    var e = c + keyScalars.count
                    if e < text.count, text[e] == "\"" || text[e] == "'" { e += 1 }
                    while e < text.count, text[e] == " " { e += 1 }
                    if e < text.count, text[e] == ":" {
                        let col = (before == "\"" || before == "'") ? c : c + 1
                        return (l + 1, col)
                    }
                }
                c += 1
            }
        }
        return nil
    }
}
