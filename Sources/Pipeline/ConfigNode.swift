import Yams

/// A YAML node with the file it came from and its key path: the strict reader behind `PipelineConfig`.
///
/// Yams' `Decodable` path ignores unknown keys and loses positions, so the config is read from the composed
/// node tree instead: every accessor checks the type and throws a `ConfigError` carrying `file:line:column`.
struct ConfigNode {
    let node: Node
    let file: String
    let path: String

    func error(_ message: String, choices: [String] = []) -> ConfigError {
        let mark = node.mark
        return ConfigError(file: mark == nil && file != "<string>" ? "--set \(path)" : file, line: mark?.line,
                           column: mark?.column, keyPath: path, message: message, validChoices: choices)
    }

    private func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The mapping's entries, rejecting keys outside `allowed` (with the valid keys listed).
    func mapping(allowed: [String]) throws -> [String: ConfigNode] {
        guard case .mapping(let map) = node else { throw error("expected a mapping, found \(kind)") }
        var out: [String: ConfigNode] = [:]
        for (k, v) in map {
            guard let key = k.string, case .scalar = k else {
                throw ConfigNode(node: k, file: file, path: path).error("keys must be plain strings")
            }
            guard allowed.contains(key) else {
                throw ConfigNode(node: k, file: file, path: child(key)).error("unknown key '\(key)'", choices: allowed)
            }
            guard out[key] == nil else { throw ConfigNode(node: k, file: file, path: child(key)).error("duplicate key '\(key)'") }
            out[key] = ConfigNode(node: v, file: file, path: child(key))
        }
        return out
    }

    /// The entries of a mapping with free keys (e.g. the band map).
    func freeMapping() throws -> [(key: String, value: ConfigNode)] {
        guard case .mapping(let map) = node else { throw error("expected a mapping, found \(kind)") }
        return try map.map { k, v in
            guard let key = k.string, case .scalar = k else {
                throw ConfigNode(node: k, file: file, path: path).error("keys must be plain strings")
            }
            return (key, ConfigNode(node: v, file: file, path: child(key)))
        }
    }

    /// The elements of a sequence.
    func sequence() throws -> [ConfigNode] {
        guard case .sequence(let seq) = node else { throw error("expected a list, found \(kind)") }
        return seq.enumerated().map { ConfigNode(node: $1, file: file, path: "\(path)[\($0)]") }
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

    func int(min: Int? = nil) throws -> Int {
        guard case .scalar = node, let v = node.int else { throw error("expected an integer, found \(kind)") }
        if let min, v < min { throw error("must be at least \(min), found \(v)") }
        return v
    }

    func double() throws -> Double {
        guard case .scalar = node, let v = node.float ?? node.int.map(Double.init) else { throw error("expected a number, found \(kind)") }
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

    /// A short name of the node's type for messages (`a list`, `a mapping`, `the string 'x'`).
    var kind: String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        case .scalar(let s): isNull ? "nothing (null)" : "'\(s.string)'"
        }
    }
}
