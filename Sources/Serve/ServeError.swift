/// Errors of `tilepipe serve`: a run folder that cannot be served, or a request that cannot be answered.
public enum ServeError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The run folder is missing or holds nothing to map.
    case unusableRun(path: String, reason: String)
    /// A request names something malformed (bad z/x/y, bad `rescale`): HTTP 400.
    case badRequest(String)
    /// A request names something the run does not have: HTTP 404.
    case notFound(String)
    /// A source COG could not be read or a tile could not be rendered: HTTP 500.
    case renderFailed(path: String, reason: String)

    /// A one-line message naming the file or request and the cause.
    public var description: String {
        switch self {
        case let .unusableRun(path, reason): "\(path): cannot serve this run: \(reason)"
        case let .badRequest(reason): "bad request: \(reason)"
        case let .notFound(what): "not found: \(what)"
        case let .renderFailed(path, reason): "\(path): cannot render: \(reason)"
        }
    }
}
