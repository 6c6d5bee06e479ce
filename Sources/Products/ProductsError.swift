/// Errors from the Products module. Every case names the file or item it is about and the cause.
public enum ProductsError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The raster cannot become the requested product (wrong sample type, empty, no georeferencing, ...).
    case invalidInput(item: String, reason: String)
    /// A file could not be read or written.
    case io(path: String, reason: String)
    /// A named colour ramp, font or resource is not known or not installed.
    case missingResource(name: String, reason: String)

    /// What went wrong, naming the item.
    public var description: String {
        switch self {
        case let .invalidInput(item, reason): "\(item): \(reason)"
        case let .io(path, reason): "\(path): \(reason)"
        case let .missingResource(name, reason): "\(name): \(reason)"
        }
    }
}
