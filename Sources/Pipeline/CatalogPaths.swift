import Foundation
import RasterCore
import RasterIO

/// Paths read back from a run catalog are data, not trusted: a row could have been edited or come from another
/// machine. Before a stored path is hashed, copied (`merge`) or embedded (`report`) it is resolved here: it must be
/// a relative path of plain names inside the run folder, with no symbolic link along the way, and name a regular
/// file when it exists (`OutputTree.checkedPath`).
public enum CatalogPaths {
    /// The full path of `relative` inside `directory`, checked.
    /// - Throws: `PipelineError.catalog` naming the catalog, the stored path and why it is refused.
    public static func resolve(_ relative: String, in directory: String) throws -> String {
        do { return try OutputTree.checkedPath(relative, in: directory) } catch let e as RasterIOError {
            throw PipelineError.catalog(path: (directory as NSString).appendingPathComponent(RunCatalog.fileName),
                                        reason: "a row names '\(relative.escapingControlCharacters)', refused: \(e.path): \(e.reason)")
        }
    }
}
