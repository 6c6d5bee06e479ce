import Foundation

/// The files of a run folder as the server may hand them out: a request path is accepted only when every
/// component, once percent-decoded, is a plain name (no `..`, `.`, empty, hidden, `/`, `\` or NUL), and the file it
/// names, with every symlink resolved, is a regular file inside the run folder. Anything else is "not found", so
/// a client learns nothing about what lies outside.
public struct RunFiles: Sendable {
    /// The run folder with symlinks resolved.
    public let root: String

    /// The run folder `path`; throws when it is not a readable directory.
    public init(root path: String) throws {
        guard let real = Self.realPath(path) else {
            throw ServeError.unusableRun(path: path, reason: "no such folder")
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: real, isDirectory: &isDir), isDir.boolValue else {
            throw ServeError.unusableRun(path: path, reason: "not a folder")
        }
        root = real
    }

    /// The absolute path of the regular file that `components` (raw, percent-encoded URL path components) name
    /// under `base` (a folder relative to the run, "" for the run itself), or nil when the request is refused.
    public func resolve(_ components: [Substring], under base: String = "") -> String? {
        Self.resolve(components, in: root, under: base)
    }

    /// As `resolve(_:under:)` for any confining folder `root` (already symlink-free).
    public static func resolve(_ components: [Substring], in root: String, under base: String = "") -> String? {
        guard !components.isEmpty, components.count <= 32 else { return nil }
        var parts: [String] = base.split(separator: "/").map(String.init)
        for raw in components {
            guard let name = String(raw).removingPercentEncoding, isPlainName(name) else { return nil }
            parts.append(name)
        }
        let joined = ([root] + parts).joined(separator: "/")
        guard let real = realPath(joined), real.hasPrefix(root == "/" ? "/" : root + "/") else { return nil }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: real, isDirectory: &isDir), !isDir.boolValue,
              let type = try? FileManager.default.attributesOfItem(atPath: real)[.type] as? FileAttributeType,
              type == .typeRegular else { return nil }
        return real
    }

    /// True for a file or folder name that names exactly one entry of its folder and is not hidden.
    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 255 && !name.hasPrefix(".")
            && !name.contains("/") && !name.contains("\\") && !name.contains("\0")
    }

    /// `realpath(3)`: the path with every symlink, `.` and `..` resolved; nil when it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }
}
