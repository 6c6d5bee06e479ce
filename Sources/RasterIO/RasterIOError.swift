/// Errors from reading or writing raster files. Every case names the file and the cause.
public enum RasterIOError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file could not be opened (missing, unreadable, not a regular file).
    case cannotOpen(path: String, reason: String)
    /// The file is not in a format this reader understands, or its structure is corrupt.
    case corrupt(path: String, reason: String)
    /// The file is well-formed but uses a feature TilePipe does not read or write.
    case unsupported(path: String, reason: String)
    /// Decoding would allocate more than the configured cap.
    case limitExceeded(path: String, reason: String)
    /// A read or write failed at the operating-system level (EIO, ENOSPC, ...); may be retried.
    case io(path: String, reason: String)
    /// The caller asked for something the file does not have (a band, a window).
    case invalidRequest(path: String, reason: String)

    /// The file the error is about.
    public var path: String {
        switch self {
        case .cannotOpen(let p, _), .corrupt(let p, _), .unsupported(let p, _), .limitExceeded(let p, _),
             .io(let p, _), .invalidRequest(let p, _): p
        }
    }

    /// The cause without the path.
    public var reason: String {
        switch self {
        case .cannotOpen(_, let r), .corrupt(_, let r), .unsupported(_, let r), .limitExceeded(_, let r),
             .io(_, let r), .invalidRequest(_, let r): r
        }
    }

    /// A short kind label (`corrupt`, `io`, ...), used in reports to keep I/O errors apart from bad data.
    public var kind: String {
        switch self {
        case .cannotOpen: "cannot-open"
        case .corrupt: "corrupt"
        case .unsupported: "unsupported"
        case .limitExceeded: "limit"
        case .io: "io"
        case .invalidRequest: "invalid-request"
        }
    }

    /// `path: reason` on one line: control characters (a newline in a file name, or in a libtiff
    /// message quoting it) are escaped as `\n`, `\t`, `\u{..}`, so a log or stderr line is one record.
    public var description: String { "\(path): \(reason)".escapingControlCharacters }
}
