import Foundation
public import RasterCore

/// Helpers shared by the fuzz targets: the readers take paths, so each input is written to one
/// per-process scratch file (reused, so a long run does not fill /tmp).
public enum FuzzInput {
    /// Limits small enough that no input can make a reader allocate more than a few MiB per call,
    /// as GDAL's OSS-Fuzz harness caps reads (about 10 M pixels) before allocating.
    public static let limits = ResourceLimits(maxDecodedBytes: 64 << 20, maxDimension: 1 << 16, maxBands: 64)

    /// Writes `size` bytes at `data` to a scratch file named with `suffix` and returns its path.
    /// Exits the process (a harness bug, not a finding) if the file cannot be written.
    public static func scratchFile(_ data: UnsafePointer<UInt8>, _ size: Int, suffix: String) -> String {
        let dir = ProcessInfo.processInfo.environment["FUZZ_SCRATCH"] ?? NSTemporaryDirectory()
        let path = (dir as NSString).appendingPathComponent("tilepipe-fuzz-\(getpid())\(suffix)")
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { fatalError("fuzz harness: cannot create \(path)") }
        var done = 0
        while done < size {
            let n = write(fd, data + done, size - done)
            guard n > 0 else { fatalError("fuzz harness: cannot write \(path)") }
            done += n
        }
        close(fd)
        return path
    }

    /// The first window a pipeline would read: at most 256×256 pixels from the top-left corner.
    public static func firstWindow(width: Int, height: Int) -> Window {
        Window(x: 0, y: 0, width: min(width, 256), height: min(height, 256))
    }
}
