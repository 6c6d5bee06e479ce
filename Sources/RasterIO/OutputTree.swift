import Foundation
import RasterCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one place that decides where TilePipe may write inside an output folder.
///
/// A command that owns an output folder registers it (`confine`). From then on every path under that folder that
/// TilePipe writes — `AtomicFile` (hence every COG, PNG, world file, STAC item, report, `run.json`) and
/// `OutputTree.createDirectory` — is resolved component by component from the folder's own descriptor:
/// * every component below the folder must be a plain name (`safeNameProblem`: no `/`, no `.`/`..`, no empty
///   name, no NUL or control character, at most 255 bytes);
/// * every directory is opened with `openat(…, O_DIRECTORY | O_NOFOLLOW)` starting at the folder's descriptor, so
///   a symbolic link planted inside the folder (`out/tiles -> ../victim`) is never followed: it is an error that
///   names it, and nothing is written;
/// * the final name must not be a link either; the temporary is created through the directory's descriptor
///   (`/proc/self/fd/N/…` on Linux) and renamed with `renameat` on that same descriptor.
/// The folder itself is the user's choice and may be a link. Paths outside every registered folder (e.g.
/// `tilepipe index --output FILE`) are written as given.
public enum OutputTree {
    /// A registered folder: its lexical absolute form and its resolved (`realpath`) form, as components.
    private struct Root { var forms: [[String]]; var display: String; var count: Int }
    private static let lock = NSLock()
    nonisolated(unsafe) private static var roots: [String: Root] = [:]

    /// A registration; `release()` (or deinit) removes it.
    public final class Registration: @unchecked Sendable {
        private let key: String
        private var released = false
        private let lock = NSLock()
        init(key: String) { self.key = key }
        /// Ends the registration (idempotent).
        public func release() {
            let first: Bool = lock.withLock { defer { released = true }; return !released }
            if first { OutputTree.unregister(key) }
        }
        deinit { release() }
    }

    /// Registers `directory` (which must exist) as an output folder: writes beneath it are confined.
    public static func confine(_ directory: String) -> Registration {
        let lexical = collapse(lexicalComponents(directory))
        var forms = [lexical]
        if let real = realpath(directory, nil) {
            let r = lexicalComponents(String(cString: real))
            free(real)
            if r != lexical { forms.append(r) }
        }
        let key = "/" + lexical.joined(separator: "/")
        lock.withLock {
            if var existing = roots[key] { existing.count += 1; roots[key] = existing } else {
                roots[key] = Root(forms: forms, display: directory, count: 1)
            }
        }
        return Registration(key: key)
    }

    private static func unregister(_ key: String) {
        lock.withLock {
            guard var r = roots[key] else { return }
            r.count -= 1
            roots[key] = r.count > 0 ? r : nil
        }
    }

    /// Why `name` cannot be one path component TilePipe writes (nil: it can). Used for ids that come from data
    /// (scene ids, file stems, STAC ids) before they become folder or file names.
    public static func safeNameProblem(_ name: String) -> String? {
        if name.isEmpty { return "is empty" }
        if name == "." || name == ".." { return "is '\(name)'" }
        if name.contains("/") { return "contains '/'" }
        if name.unicodeScalars.contains(where: { $0.value == 0 }) { return "contains a NUL character" }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) { return "contains a control character" }
        if name.utf8.count > 200 { return "is longer than 200 bytes" }
        return nil
    }

    /// The registered folder `path` lies under and the components below it, or nil when it lies under none.
    static func locate(_ path: String) -> (root: String, rest: [String])? {
        let comps = lexicalComponents(path)
        var best: (root: String, rest: [String], length: Int)?
        lock.withLock {
            for r in roots.values {
                for form in r.forms where form.count <= comps.count && Array(comps.prefix(form.count)) == form {
                    if best == nil || form.count > best!.length {
                        best = ("/" + form.joined(separator: "/"), Array(comps.dropFirst(form.count)), form.count)
                    }
                }
            }
        }
        return best.map { ($0.root, $0.rest) }
    }

    /// True when `path` lies under a registered output folder.
    public static func isConfined(_ path: String) -> Bool { locate(path) != nil }

    /// Creates `path` and its missing parents. Under a registered folder each component is created and opened
    /// with `mkdirat`/`openat(O_NOFOLLOW)` from the folder's descriptor (a link or a bad name is an error naming it);
    /// elsewhere as `FileManager` does.
    public static func createDirectory(atPath path: String) throws {
        guard let (root, rest) = locate(path) else {
            do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
                throw RasterIOError.io(path: path, reason: "cannot create folder: \(error.localizedDescription)")
            }
            return
        }
        let fd = try openDirectory(root: root, components: rest, create: true)
        close(fd)
    }

    /// The full path of `relative` inside `root` for reading, after checking that it is a relative path of plain
    /// names (no `..`, no absolute path), that no component below `root` is a symbolic link and that the file, when
    /// it exists, is a regular file (never a FIFO that would block a reader). Paths read back
    /// from a run catalog go through this before a file is embedded, copied or trusted.
    /// - Throws: `RasterIOError.io` naming the path and the cause.
    public static func checkedPath(_ relative: String, in root: String) throws -> String {
        let full = (root as NSString).appendingPathComponent(relative)
        guard !relative.hasPrefix("/") else {
            throw RasterIOError.io(path: relative, reason: "an absolute path where a path inside \(root) was expected")
        }
        let parts = relative.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var walked = root
        for (k, p) in parts.enumerated() {
            if let why = safeNameProblem(p) {
                throw RasterIOError.io(path: relative, reason: "not a path inside \(root): component '\(p.escapingControlCharacters)' \(why)")
            }
            walked = (walked as NSString).appendingPathComponent(p)
            var st = stat()
            if lstat(walked, &st) != 0 { if errno == ENOENT { break } else { continue } }
            if (st.st_mode & S_IFMT) == S_IFLNK {
                throw RasterIOError.io(path: walked, reason: linkReason(walked))
            }
            if k < parts.count - 1 && (st.st_mode & S_IFMT) != S_IFDIR {
                throw RasterIOError.io(path: walked, reason: "is not a folder")
            }
            if k == parts.count - 1 && (st.st_mode & S_IFMT) != S_IFREG {
                throw RasterIOError.io(path: walked, reason: "is not a regular file")
            }
        }
        return full
    }

    /// Every symbolic link under `root` (not following any), at most `limit`, as paths joined to `root`.
    public static func links(under root: String, limit: Int = 8) -> [String] {
        var found: [String] = []
        var stack = [root]
        while let dir = stack.popLast(), found.count < limit {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
            for n in names.sorted() {
                let p = (dir as NSString).appendingPathComponent(n)
                var st = stat()
                guard lstat(p, &st) == 0 else { continue }
                switch st.st_mode & S_IFMT {
                case S_IFLNK: found.append(p)
                case S_IFDIR: stack.append(p)
                default: break
                }
                if found.count >= limit { break }
            }
        }
        return found
    }

    /// `is a symbolic link (-> target) …`: the refusal for a link inside an output folder.
    public static func linkReason(_ path: String) -> String {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink(path, &buf, buf.count - 1)
        let target = n > 0 ? " (-> \(String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self).escapingControlCharacters))" : ""
        return "is a symbolic link\(target) inside the output folder; TilePipe never writes or reads through links there (remove it)"
    }

    /// A place to write `path` atomically: the descriptor of its (confined, link-free) folder and the final name.
    struct Place {
        /// Descriptor of the folder; the caller closes it.
        var directory: Int32
        /// The folder's path (messages, fallback).
        var directoryPath: String
        /// The final name inside the folder.
        var name: String
        /// A path that reaches `name`'s folder through the descriptor (or the plain folder path without `/proc`).
        func path(of entry: String) -> String {
            OutputTree.procFD ? "/proc/self/fd/\(directory)/\(entry)" : directoryPath + "/" + entry
        }
    }

    /// The confined place for writing `path` (creating its folders), or nil when `path` is not under a
    /// registered folder.
    static func place(forWriting path: String) throws -> Place? {
        guard let (root, rest) = locate(path) else { return nil }
        guard let name = rest.last else {
            throw RasterIOError.io(path: path, reason: "is the output folder itself, not a file inside it")
        }
        if let why = safeNameProblem(name) {
            throw RasterIOError.io(path: path, reason: "file name '\(name.escapingControlCharacters)' \(why)")
        }
        let dir = Array(rest.dropLast())
        let fd = try openDirectory(root: root, components: dir, create: true)
        var st = stat()
        if fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 {
            let kind = st.st_mode & S_IFMT
            if kind == S_IFLNK {
                close(fd)
                let shown = ([root] + rest).joined(separator: "/")
                throw RasterIOError.io(path: shown, reason: linkReason(shown))
            }
            if kind == S_IFDIR {
                close(fd)
                throw RasterIOError.io(path: path, reason: "is a folder where TilePipe writes a file")
            }
        }
        return Place(directory: fd, directoryPath: ([root] + dir).joined(separator: "/"), name: name)
    }

    /// Opens `root/components…` as a folder without following links below `root`; creates missing folders when
    /// `create`. Returns the descriptor (the caller closes it).
    static func openDirectory(root: String, components: [String], create: Bool) throws -> Int32 {
        var fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw RasterIOError.io(path: root, reason: "cannot open the output folder: \(errnoText())") }
        var walked = root
        for c in components {
            walked += "/" + c
            if let why = safeNameProblem(c) {
                close(fd)
                throw RasterIOError.io(path: walked, reason: "refusing to write: path component '\(c.escapingControlCharacters)' \(why)")
            }
            var next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0 && errno == ENOENT && create {
                if mkdirat(fd, c, 0o755) != 0 && errno != EEXIST {
                    let reason = errnoText()
                    close(fd)
                    throw RasterIOError.io(path: walked, reason: "cannot create folder: \(reason)")
                }
                next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            if next < 0 {
                let reason = errnoText()
                var st = stat()
                let isLink = fstatat(fd, c, &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_IFMT) == S_IFLNK
                let isOther = !isLink && fstatat(fd, c, &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_IFMT) != S_IFDIR
                close(fd)
                if isLink { throw RasterIOError.io(path: walked, reason: linkReason(walked)) }
                if isOther { throw RasterIOError.io(path: walked, reason: "is not a folder") }
                throw RasterIOError.io(path: walked, reason: "cannot open folder: \(reason)")
            }
            close(fd)
            fd = next
        }
        return fd
    }

    /// True when `/proc/self/fd` reaches a descriptor's folder (Linux).
    static let procFD: Bool = access("/proc/self/fd", F_OK) == 0

    /// `path` as absolute components: the working folder prepended, empty and `.` components dropped, `..` kept.
    static func lexicalComponents(_ path: String) -> [String] {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return absolute.split(separator: "/").map(String.init).filter { $0 != "." }
    }

    /// Components with `..` applied (for the user's own folder name only).
    static func collapse(_ comps: [String]) -> [String] {
        var out: [String] = []
        for c in comps { if c == ".." { _ = out.popLast() } else { out.append(c) } }
        return out
    }
}
