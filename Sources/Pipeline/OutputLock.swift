import Foundation
import RasterIO
#if canImport(Glibc)
import Glibc
#endif

/// One writer per output folder: an advisory `flock` on `.tilepipe.lock` inside the folder.
///
/// `tilepipe run` and the output of `tilepipe merge` take it exclusively; `tilepipe report` and the shard folders
/// `merge` reads take it shared (several readers at once, never beside a writer); `run --dry-run` writes nothing
/// and takes nothing. The lock is never waited for: a second writer exits at once (exit 2) with the holder's pid,
/// command and start time, which the holder writes into the lock file. The kernel drops the lock when the holder
/// exits, however it exits (`kill -9` included), so a stale lock file never blocks a later run; the last holder
/// removes the file, so a finished output folder holds no lock file.
public final class OutputLock: @unchecked Sendable {
    /// Exclusive (a writer) or shared (a reader).
    public enum Mode: Sendable { case exclusive, shared }

    /// The lock file's name inside the output folder (hidden: discovery skips it; never an output).
    public static let fileName = ".tilepipe.lock"

    private var fd: Int32
    private let lock = NSLock()
    /// The folder.
    public let directory: String

    private let path: String

    private init(fd: Int32, directory: String, path: String) { self.fd = fd; self.directory = directory; self.path = path }

    /// Takes the lock of `directory` (which must exist) without waiting.
    /// - Throws: `PipelineError.outputUnwritable` naming the holder (pid, command, start time) when another
    ///   process holds it incompatibly, or when the lock file cannot be opened (a link is refused).
    public static func acquire(_ directory: String, mode: Mode, command: String) throws -> OutputLock {
        let path = (directory as NSString).appendingPathComponent(fileName)
        // The holder removes the file when it ends; a process that locked a file just unlinked by its holder sees
        // another inode under the name and starts again (the usual flock + unlink protocol).
        for _ in 0..<64 {
            if let lock = try attempt(path: path, directory: directory, mode: mode, command: command) { return lock }
        }
        throw PipelineError.outputUnwritable(path: path, reason: "cannot lock: the lock file keeps being replaced")
    }

    private static func attempt(path: String, directory: String, mode: Mode, command: String) throws -> OutputLock? {
        var fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
        if fd < 0 && mode == .shared && (errno == EACCES || errno == EROFS) {
            fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            // A read-only folder nobody can write into cannot have a writer: nothing to lock against.
            if fd < 0 && (errno == ENOENT || errno == EACCES || errno == EROFS) { return OutputLock(fd: -1, directory: directory, path: path) }
        }
        guard fd >= 0 else {
            let reason = errno == ELOOP ? OutputTree.linkReason(path) : "cannot open the lock file: \(String(cString: strerror(errno)))"
            throw PipelineError.outputUnwritable(path: path, reason: reason)
        }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw PipelineError.outputUnwritable(path: path, reason: "the lock file is not a regular file")
        }
        while flock(fd, (mode == .exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            let e = errno
            let holder = holderText(fd)
            close(fd)
            if e == EWOULDBLOCK {
                throw PipelineError.outputUnwritable(path: directory, reason: "in use by \(holder); one writer per output folder: wait for it to finish or choose another output folder")
            }
            throw PipelineError.outputUnwritable(path: path, reason: "cannot lock: \(String(cString: strerror(e)))")
        }
        var now = stat()
        guard lstat(path, &now) == 0, now.st_ino == st.st_ino, now.st_dev == st.st_dev else {
            close(fd)   // the previous holder removed it meanwhile: lock the new file instead
            return nil
        }
        if mode == .exclusive || st.st_size == 0 {
            let iso = ISO8601DateFormatter().string(from: Date())
            let text = "pid=\(getpid()) command=\(command) started=\(iso)\n"
            _ = ftruncate(fd, 0)
            _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
        }
        return OutputLock(fd: fd, directory: directory, path: path)
    }

    /// `tilepipe run (pid 123, started 2026-12-03T06:40:00Z)` from the lock file, or a generic phrase.
    static func holderText(_ fd: Int32) -> String {
        var buf = [UInt8](repeating: 0, count: 512)
        let n = pread(fd, &buf, buf.count, 0)
        guard n > 0 else { return "another tilepipe process" }
        var fields: [String: String] = [:]
        for part in String(decoding: buf[0..<n], as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let kv = part.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
        }
        guard let pidText = fields["pid"], let pid = Int32(pidText) else { return "another tilepipe process" }
        // The file keeps the last writer's line; if that process is gone, the holder is a reader (report, merge).
        guard kill(pid, 0) == 0 || errno == EPERM else { return "another tilepipe process (a report or merge reading it)" }
        return "tilepipe \(fields["command"] ?? "run") (pid \(pid), started \(fields["started"] ?? "at an unknown time"))"
    }

    /// Releases the lock (idempotent; also on deinit). The last holder removes the lock file, so a finished
    /// folder holds only products. (A process killed outright leaves the file; the kernel has dropped its lock.)
    public func release() {
        lock.withLock {
            guard fd >= 0 else { return }
            // Nobody else holds it when an exclusive lock is granted now: remove the name while holding it.
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { unlink(path) }
            close(fd)
            fd = -1
        }
    }

    deinit { release() }
}

/// What a command holds on an output folder while it works: the folder created if asked, registered with
/// `OutputTree` (every write beneath it confined), its lock, and a check that no symbolic link was planted inside
/// it (refused, naming the link, before anything is written or opened there — the catalog included).
public final class OutputClaim: @unchecked Sendable {
    /// The lock.
    public let lock: OutputLock
    private let registration: OutputTree.Registration

    private init(lock: OutputLock, registration: OutputTree.Registration) { self.lock = lock; self.registration = registration }

    /// Claims `directory` for `command`.
    /// - Throws: `PipelineError.outputUnwritable` (the run cannot start: exit 2) when the folder cannot be created,
    ///   another process holds it, or it holds a symbolic link.
    public static func acquire(_ directory: String, mode: OutputLock.Mode, command: String, create: Bool = true) throws -> OutputClaim {
        if create {
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw PipelineError.outputUnwritable(path: directory, reason: error.localizedDescription)
            }
        }
        let lock = try OutputLock.acquire(directory, mode: mode, command: command)
        if let link = OutputTree.links(under: directory, limit: 1).first {
            lock.release()
            throw PipelineError.outputUnwritable(path: link, reason: OutputTree.linkReason(link))
        }
        return OutputClaim(lock: lock, registration: OutputTree.confine(directory))
    }

    /// Ends the claim: the folder is unregistered and the lock released.
    public func release() {
        registration.release()
        lock.release()
    }

    deinit { release() }
}
