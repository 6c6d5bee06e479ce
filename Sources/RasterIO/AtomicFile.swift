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

    /// Writes bytes atomically and returns the record of the file (its hash computed from `bytes`, not read back).
    @discardableResult
    public static func write(_ bytes: [UInt8], to path: String) throws -> WrittenFile {
        try writeHashed(to: path) { sink in try bytes.withUnsafeBytes { try sink.write($0) } }
    }

    /// Writes UTF-8 text atomically and returns the record of the file.
    @discardableResult
    public static func write(text: String, to path: String) throws -> WrittenFile { try write(Array(text.utf8), to: path) }

    /// Runs `body` with a sink on a fresh temporary next to `path`, publishes it at `path` durably and returns the
    /// file's size and XXH64, computed from the bytes as `body` wrote them. On error the temporary is removed.
    public static func writeHashed(to path: String, _ body: (HashingFileSink) throws -> Void) throws -> WrittenFile {
        var result: WrittenFile?
        try write(to: path) { tmp in
            let sink = try HashingFileSink(creating: tmp, reportedAs: path)
            defer { sink.close() }
            try body(sink)
            try sink.flush()
            result = WrittenFile(path: path, bytes: sink.count, hash: sink.hash)
        }
        return result!
    }

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
