/// Caps checked before any allocation that a file's header controls.
public struct ResourceLimits: Sendable, Equatable {
    /// Largest decoded buffer a single read may allocate, in bytes (default 2 GiB).
    public var maxDecodedBytes: Int
    /// Largest width or height accepted.
    public var maxDimension: Int
    /// Largest band count accepted.
    public var maxBands: Int

    /// Limits with explicit values.
    public init(maxDecodedBytes: Int = 2 << 30, maxDimension: Int = 1 << 20, maxBands: Int = 4096) {
        self.maxDecodedBytes = maxDecodedBytes
        self.maxDimension = maxDimension
        self.maxBands = maxBands
    }

    /// The defaults.
    public static let `default` = ResourceLimits()

    /// width × height × bands × bytes, overflow-checked; nil when it overflows `Int`.
    public static func byteCount(width: Int, height: Int, bands: Int, bytesPerSample: Int) -> Int? {
        let (a, o1) = width.multipliedReportingOverflow(by: height)
        let (b, o2) = a.multipliedReportingOverflow(by: bands)
        let (c, o3) = b.multipliedReportingOverflow(by: bytesPerSample)
        return o1 || o2 || o3 ? nil : c
    }
}
