import Yams

/// Collects every problem of one config, so `validate` reports them all in one run instead of the first only.
final class ConfigDiagnostics {
    private(set) var errors: [ConfigError] = []

    func record(_ error: ConfigError) { errors.append(error) }

    /// Runs `body`; a `ConfigError` it throws is recorded and nil returned, so decoding goes on.
    func attempt<T>(_ body: () throws -> T) -> T? {
        do { return try body() } catch let e as ConfigError {
            record(e)
        } catch {
            record(ConfigError(file: "", line: nil, column: nil, keyPath: "", message: "\(error)"))
        }
        return nil
    }

    /// Throws the first error in file order (positionless `--set` errors last), carrying the others, when any was
    /// recorded.
    func throwIfAny() throws {
        let ordered = errors.enumerated().sorted { a, b in
            let ka = (a.element.line ?? Int.max, a.element.column ?? 0, a.offset)
            let kb = (b.element.line ?? Int.max, b.element.column ?? 0, b.offset)
            return ka < kb
        }.map(\.element)
        guard var first = ordered.first else { return }
        first.following = Array(ordered.dropFirst())
        throw first
    }
}

/// A YAML node with the file it came from and its key path: the strict reader behind `PipelineConfig`.
///
/// Yams' `Decodable` path ignores unknown keys and loses positions, so the config is read from the composed
/// node tree instead: every accessor checks the type and throws a `ConfigError` carrying `file:line:column`.
/// Section readers go through `ConfigFields`, which records an error and goes on to the next key.
struct ConfigNode {
    let node: Node
    let file: String
    let path: String
    let diagnostics: ConfigDiagnostics

    func error(_ message: String, choices: [String] = []) -> ConfigError {
        let mark = node.mark
        return ConfigError(file: mark == nil && file != "<string>" ? "--set \(path)" : file, line: mark?.line,
                           column: mark?.column, keyPath: path, message: message, validChoices: choices)
    }

    private func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func at(_ node: Node, _ path: String) -> ConfigNode {
        ConfigNode(node: node, file: file, path: path, diagnostics: diagnostics)
    }

    /// The mapping's entries. A key outside `allowed` (listed with the valid keys; `refused` keys with the reason
    /// they are not accepted) or given twice is recorded as an error and skipped, so every bad key is reported.
    func mapping(allowed: [String], refused: [String: String] = [:]) throws -> ConfigFields {
        guard case .mapping(let map) = node else { throw error("expected a mapping, found \(kind)") }
        var out: [String: ConfigNode] = [:]
        for (k, v) in map {
            guard let key = k.string, case .scalar = k else {
                diagnostics.record(at(k, path).error("keys must be plain strings"))
                continue
            }
            let keyNode = at(k, child(key))
            guard allowed.contains(key) else {
                if let reason = refused[key] {
                    diagnostics.record(keyNode.error("'\(key)' is not supported: \(reason)"))
                } else {
                    diagnostics.record(keyNode.error("unknown key '\(key)'", choices: allowed))
                }
                continue
            }
            guard out[key] == nil else {
                diagnostics.record(keyNode.error("duplicate key '\(key)'"))
                continue
            }
            out[key] = at(v, child(key))
        }
        return ConfigFields(owner: self, entries: out)
    }

    /// The entries of a mapping with free keys (e.g. the band map).
    func freeMapping() throws -> [(key: String, value: ConfigNode)] {
        guard case .mapping(let map) = node else { throw error("expected a mapping, found \(kind)") }
        var seen = Set<String>()
        var out: [(key: String, value: ConfigNode)] = []
        for (k, v) in map {
            guard let key = k.string, case .scalar = k else {
                diagnostics.record(at(k, path).error("keys must be plain strings"))
                continue
            }
            guard seen.insert(key).inserted else {
                diagnostics.record(at(k, child(key)).error("duplicate key '\(key)'"))
                continue
            }
            out.append((key, at(v, child(key))))
        }
        return out
    }

    /// The elements of a sequence.
    func sequence() throws -> [ConfigNode] {
        guard case .sequence(let seq) = node else { throw error("expected a list, found \(kind)") }
        return seq.enumerated().map { at($1, "\(path)[\($0)]") }
    }

    /// A list of strings; a single string is accepted as a one-element list.
    func stringList() throws -> [String] {
        if case .scalar = node { return [try string()] }
        return try sequence().map { try $0.string() }
    }

    var isNull: Bool { if case .scalar(let s) = node { return s.tag == .implicit && node.null != nil } else { return false } }

    func string() throws -> String {
        guard case .scalar(let s) = node, !isNull else { throw error("expected a string, found \(kind)") }
        return s.string
    }

    /// An integer in `min...max`. The upper bound keeps every count and size far from overflow: give the key's own
    /// range; the default, 10⁹, only guarantees that arithmetic on the value cannot overflow.
    func int(min: Int? = nil, max: Int = 1_000_000_000) throws -> Int {
        guard case .scalar = node, let v = node.int else {
            if case .scalar = node, let d = node.float, d.isFinite, d == d.rounded() {
                throw error("\(kind) is out of range (\(min.map { "\($0)" } ?? "…")–\(max))")
            }
            throw error("expected an integer, found \(kind)")
        }
        if let min, v < min { throw error("must be at least \(min), found \(v)") }
        if v > max { throw error("must be at most \(max), found \(v)") }
        return v
    }

    /// A finite number in `min...max` when given (NaN and infinities are refused: they would poison every pixel).
    func double(min: Double? = nil, max: Double? = nil) throws -> Double {
        guard case .scalar = node, let v = node.float ?? node.int.map(Double.init) else { throw error("expected a number, found \(kind)") }
        guard v.isFinite else { throw error("must be a finite number, found \(kind)") }
        if let min, v < min { throw error("must be at least \(min), found \(v)") }
        if let max, v > max { throw error("must be at most \(max), found \(v)") }
        return v
    }

    func bool() throws -> Bool {
        guard case .scalar = node, let v = node.bool else { throw error("expected true or false, found \(kind)") }
        return v
    }

    /// A string that must be one of `choices`.
    func choice(_ choices: [String]) throws -> String {
        let s = try string()
        guard choices.contains(s) else { throw error("'\(s)' is not a valid value", choices: choices) }
        return s
    }

    /// A short name of the node's type for messages (`a list`, `a mapping`, `'x'`), never longer than a line.
    var kind: String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        case .scalar(let s): isNull ? "nothing (null)" : "'\(s.string.count > 60 ? String(s.string.prefix(57)) + "..." : s.string)'"
        }
    }
}

/// The accepted keys of one mapping. Each reader records its error and returns nil, so one bad value does not
/// hide the next.
struct ConfigFields {
    let owner: ConfigNode
    let entries: [String: ConfigNode]

    subscript(key: String) -> ConfigNode? { entries[key] }

    /// The value of `key` read by `read`, or nil when absent or wrong (the error is recorded).
    func value<T>(_ key: String, _ read: (ConfigNode) throws -> T) -> T? {
        guard let n = entries[key] else { return nil }
        return owner.diagnostics.attempt { try read(n) }
    }

    /// The value of a required key; its absence is recorded with `hint`.
    func required<T>(_ key: String, hint: String = "", _ read: (ConfigNode) throws -> T) -> T? {
        guard entries[key] != nil else {
            owner.diagnostics.record(owner.error("missing required key '\(key)'\(hint)"))
            return nil
        }
        return value(key, read)
    }
}
