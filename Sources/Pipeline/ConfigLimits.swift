import Foundation
import Yams

/// The bounds every config input is read within: the file, each `--set` key and value, and the YAML tree after
/// alias expansion. A pipeline.yaml is a few kilobytes with a dozen levels at most; these limits are far above
/// any real file and far below what could exhaust memory or the stack, so hostile input is an error, never a crash.
public enum ConfigLimits {
    /// Largest pipeline.yaml read, in bytes (1 MiB).
    public static let maxFileBytes = 1 << 20
    /// Largest `--set` assignment (key and value), in bytes (64 KiB).
    public static let maxOverrideBytes = 64 << 10
    /// Most dotted parts in a `--set` key (the schema's deepest key has five).
    public static let maxKeyParts = 32
    /// Most YAML nodes after alias expansion (a "billion laughs" alias bomb stops here).
    public static let maxNodes = 100_000
    /// Deepest YAML nesting (mappings and lists inside each other).
    public static let maxDepth = 64

    /// Reads at most `maxFileBytes` + 1 bytes of `path`: a larger file (or an endless special file) is refused
    /// before it is read whole.
    static func readFile(_ path: String) throws -> Data {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ConfigError(file: path, line: nil, column: nil, keyPath: "", message: "cannot read the file (missing or unreadable)")
        }
        defer { try? handle.close() }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ConfigError(file: path, line: nil, column: nil, keyPath: "", message: "is a directory, not a pipeline file")
        }
        let data: Data
        do { data = try handle.read(upToCount: maxFileBytes + 1) ?? Data() } catch {
            throw ConfigError(file: path, line: nil, column: nil, keyPath: "", message: "cannot read the file: \(error.localizedDescription)")
        }
        guard data.count <= maxFileBytes else {
            throw ConfigError(file: path, line: nil, column: nil, keyPath: "",
                              message: "the file is larger than \(maxFileBytes >> 20) MiB, the limit for a pipeline file")
        }
        return data
    }

    /// Checks the composed tree: at most `maxNodes` nodes once aliases are expanded, at most `maxDepth` deep.
    /// Walks iteratively and stops at the first excess, so an alias bomb costs at most `maxNodes` steps.
    static func checkTree(_ root: Node, file: String, keyPath: String = "") throws {
        var stack: [(node: Node, depth: Int)] = [(root, 1)]
        var count = 0
        while let (node, depth) = stack.popLast() {
            count += 1
            func fail(_ message: String) -> ConfigError {
                let mark = node.mark ?? root.mark
                return ConfigError(file: file, line: mark?.line, column: mark?.column, keyPath: keyPath, message: message)
            }
            if count > maxNodes {
                throw fail("the YAML expands to more than \(maxNodes) values (aliases counted each time they are used); refused")
            }
            if depth > maxDepth { throw fail("the YAML nests deeper than \(maxDepth) levels; refused") }
            switch node {
            case .mapping(let m):
                for (k, v) in m.reversed() { stack.append((v, depth + 1)); stack.append((k, depth + 1)) }
            case .sequence(let s):
                for v in s.reversed() { stack.append((v, depth + 1)) }
            case .scalar, .alias:
                break
            }
        }
    }
}
