/// The numeric type of one raster sample, as stored in a file.
///
/// Mirrors GDAL's data types for the ones TilePipe reads and writes.
public enum SampleType: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case uint8, int8, uint16, int16, uint32, int32, float32, float64

    /// Bytes per sample.
    public var byteWidth: Int {
        switch self {
        case .uint8, .int8: 1
        case .uint16, .int16: 2
        case .uint32, .int32, .float32: 4
        case .float64: 8
        }
    }

    /// True for IEEE floating-point types.
    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

    /// True for signed integer types.
    public var isSignedInteger: Bool { self == .int8 || self == .int16 || self == .int32 }

    /// GDAL's name for the type (`Byte`, `UInt16`, `Float32`, ...).
    public var gdalName: String {
        switch self {
        case .uint8: "Byte"
        case .int8: "Int8"
        case .uint16: "UInt16"
        case .int16: "Int16"
        case .uint32: "UInt32"
        case .int32: "Int32"
        case .float32: "Float32"
        case .float64: "Float64"
        }
    }

    public var description: String { gdalName }
}

/// A Swift numeric type that can be a raster sample.
public protocol RasterSample: Sendable, Equatable {
    /// The matching file sample type.
    static var sampleType: SampleType { get }
    /// The zero value, used to fill new rasters.
    static var zero: Self { get }
    /// The sample as a `Double` (exact for every supported type).
    var doubleValue: Double { get }
    /// Converts from `Double`: rounds to nearest and clamps for integer types; plain conversion for floats.
    init(clampingDouble value: Double)
}

extension UInt8: RasterSample {
    public static var sampleType: SampleType { .uint8 }
    public var doubleValue: Double { Double(self) }
    public init(clampingDouble v: Double) { self = v.isNaN ? 0 : UInt8(Swift.max(0, Swift.min(255, v.rounded()))) }
}
extension Int8: RasterSample {
    public static var sampleType: SampleType { .int8 }
    public var doubleValue: Double { Double(self) }
    public init(clampingDouble v: Double) { self = v.isNaN ? 0 : Int8(Swift.max(-128, Swift.min(127, v.rounded()))) }
}
extension UInt16: RasterSample {
    public static var sampleType: SampleType { .uint16 }
    public var doubleValue: Double { Double(self) }
    public init(clampingDouble v: Double) { self = v.isNaN ? 0 : UInt16(Swift.max(0, Swift.min(65535, v.rounded()))) }
}
extension Int16: RasterSample {
    public static var sampleType: SampleType { .int16 }
    public var doubleValue: Double { Double(self) }
    public init(clampingDouble v: Double) { self = v.isNaN ? 0 : Int16(Swift.max(-32768, Swift.min(32767, v.rounded()))) }
}
extension UInt32: RasterSample {
    public static var sampleType: SampleType { .uint32 }
    public var doubleValue: Double { Double(self) }
    public init(clampingDouble v: Double) { self = v.isNaN ? 0 : UInt32(Swift.max(0, Swift.min(4_294_967_295, v.rounded()))) }
}
extension Int32: RasterSample {
    public static var sampleType: SampleType { .int32 }
    public var doubleValue: Double { Double(self) }
    public init(clampingDouble v: Double) {
        self = v.isNaN ? 0 : Int32(Swift.max(-2_147_483_648, Swift.min(2_147_483_647, v.rounded())))
    }
}
extension Float: RasterSample {
    public static var sampleType: SampleType { .float32 }
    public var doubleValue: Double { Double(self) }
    public init(clampingDouble v: Double) { self = Float(v) }
}
extension Double: RasterSample {
    public static var sampleType: SampleType { .float64 }
    public var doubleValue: Double { self }
    public init(clampingDouble v: Double) { self = v }
}
