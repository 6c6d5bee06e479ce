#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that it appears under its final name only when complete:
/// temporary name in the same folder, fsync, rename, fsync the folder. A failure removes the temporary.
/// Under a registered output folder (`OutputTree.confine`) the folder is reached without following links and the
/// temporary is created and renamed through the folder's descriptor (`OutputTree`).
public enum AtomicFile {
    /// A temporary path next to `path` (same folder, so `rename` is atomic), hidden and unique per process/thread.
    public static func temporaryPath(for path: String) -> String {
        let (dir, name) = split(path)
        return (dir.isEmpty ? "" : dir + "/") + temporaryName(for: name)
    }

    /// `.NAME.tmp-PID-TOKEN`: the temporary's file name for final name `name`.
    static func temporaryName(for name: String) -> String {
        ".\(name).tmp-\(getpid())-\(String(UInt64.random(in: 0...UInt64.max), radix: 36))"
    }

    /// True when `name` looks like one of our temporaries (for cleanup after a crash).
    public static func isTemporaryName(_ name: String) -> Bool { name.hasPrefix(".") && name.contains(".tmp-") }

    /// Runs `body` with a temporary path, then publishes it at `path` durably. On error the temporary is removed.
    public static func write(to path: String, _ body: (String) throws -> Void) throws {
        if let place = try OutputTree.place(forWriting: path) {
            defer { close(place.directory) }
            let tmpName = temporaryName(for: place.name)
            do {
                try body(place.path(of: tmpName))
                try publish(temporary: tmpName, to: place.name, in: place.directory, reportedAs: path)
            } catch {
                unlinkat(place.directory, tmpName, 0)
                throw error
            }
            return
        }
        let tmp = temporaryPath(for: path)
        do {
            try body(tmp)
            try publish(temporary: tmp, to: path)
        } catch {
            unlink(tmp)
            throw error
        }
    }

    /// Writes bytes atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { tmp in
            let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw RasterIOError.io(path: path, reason: "cannot create: \(errnoText())") }
            defer { close(fd) }
            var off = 0
            try bytes.withUnsafeBytes { raw in
                while off < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw RasterIOError.io(path: path, reason: "write failed: \(errnoText())")
                    }
                    off += n
                }
            }
        }
    }

    /// Writes UTF-8 text atomically.
    public static func write(text: String, to path: String) throws { try write(Array(text.utf8), to: path) }

    /// fsyncs `tmp`, renames it to `path`, fsyncs the folder.
    public static func publish(temporary tmp: String, to path: String) throws {
        let fd = open(tmp, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw RasterIOError.io(path: path, reason: "cannot reopen temporary: \(errnoText())") }
        let synced = fsync(fd)
        close(fd)
        guard synced == 0 else { throw RasterIOError.io(path: path, reason: "fsync failed: \(errnoText())") }
        guard rename(tmp, path) == 0 else { throw RasterIOError.io(path: path, reason: "rename failed: \(errnoText())") }
        let (dir, _) = split(path)
        let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }

    /// fsyncs `tmp`, renames it to `name`, both inside the folder open as `directory`, fsyncs the folder.
    static func publish(temporary tmp: String, to name: String, in directory: Int32, reportedAs path: String) throws {
        let fd = openat(directory, tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw RasterIOError.io(path: path, reason: "cannot reopen temporary: \(errnoText())") }
        let synced = fsync(fd)
        close(fd)
        guard synced == 0 else { throw RasterIOError.io(path: path, reason: "fsync failed: \(errnoText())") }
        guard renameat(directory, tmp, directory, name) == 0 else {
            throw RasterIOError.io(path: path, reason: "rename failed: \(errnoText())")
        }
        _ = fsync(directory)
    }

    static func split(_ path: String) -> (String, String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[..<slash]), String(path[path.index(after: slash)...]))
    }
}

/// The text of the current `errno`.
func errnoText() -> String { String(cString: strerror(errno)) }
