/// A raster whose sample type is known only at run time (what a file reader returns).
public enum AnyRaster: Sendable, Equatable {
    case uint8(Raster<UInt8>)
    case int8(Raster<Int8>)
    case uint16(Raster<UInt16>)
    case int16(Raster<Int16>)
    case uint32(Raster<UInt32>)
    case int32(Raster<Int32>)
    case float32(Raster<Float>)
    case float64(Raster<Double>)

    /// Wraps a typed raster.
    public init<S: RasterSample>(_ r: Raster<S>) {
        switch r {
        case let r as Raster<UInt8>: self = .uint8(r)
        case let r as Raster<Int8>: self = .int8(r)
        case let r as Raster<UInt16>: self = .uint16(r)
        case let r as Raster<Int16>: self = .int16(r)
        case let r as Raster<UInt32>: self = .uint32(r)
        case let r as Raster<Int32>: self = .int32(r)
        case let r as Raster<Float>: self = .float32(r)
        case let r as Raster<Double>: self = .float64(r)
        default: fatalError("unsupported sample type \(S.self)")
        }
    }

    /// The typed raster inside, as an existential; open it with a generic function
    /// (`func f<R: TypedRaster>(_ r: R)`, called as `f(any.typed)`) to work on its samples.
    public var typed: any TypedRaster {
        switch self {
        case .uint8(let r): r
        case .int8(let r): r
        case .uint16(let r): r
        case .int16(let r): r
        case .uint32(let r): r
        case .int32(let r): r
        case .float32(let r): r
        case .float64(let r): r
        }
    }

    public var width: Int { typed.width }
    public var height: Int { typed.height }
    public var bandCount: Int { typed.bandCount }
    public var bands: [BandInfo] { typed.bands }
    public var geo: GeoReference? { typed.geo }
    public var metadata: [String: String] { typed.metadata }
    public var sampleType: SampleType { typed.sampleType }

    /// Statistics of band `b` (raw values).
    public func statistics(band b: Int) -> BandStatistics { typed.statistics(band: b) }

    /// A raster with only `bands` (0-based, in the given order).
    public func selecting(bands: [Int]) -> AnyRaster { typed.selectingBands(bands) }

    /// Band `b` converted to Float32, nodata (and non-finite values) replaced by NaN; raw values, no scale/offset.
    public func floatBand(_ b: Int) -> [Float] { typed.floatBand(b) }
}

/// What every `Raster<Sample>` offers without naming its sample type.
public protocol TypedRaster: Sendable {
    associatedtype Sample: RasterSample
    /// The raster itself.
    var raster: Raster<Sample> { get }
    var width: Int { get }
    var height: Int { get }
    var bandCount: Int { get }
    var bands: [BandInfo] { get }
    var geo: GeoReference? { get }
    var metadata: [String: String] { get }
    var sampleType: SampleType { get }
    /// Statistics of band `b` over valid samples.
    func statistics(band b: Int) -> BandStatistics
    /// The mergeable statistics accumulator of band `b`.
    func statisticsAccumulator(band b: Int) -> BandStatistics.Accumulator
    /// Band `b` as Float32, nodata and non-finite values → NaN (raw values, no scale/offset).
    func floatBand(_ b: Int) -> [Float]
    /// A raster with only `bands`.
    func selectingBands(_ bands: [Int]) -> AnyRaster
}

extension Raster: TypedRaster {
    public var raster: Raster<Sample> { self }

    public func selectingBands(_ list: [Int]) -> AnyRaster {
        var out = Raster(width: width, height: height, bandCount: list.count, bands: list.map { bands[$0] }, geo: geo, metadata: metadata)
        for (o, b) in list.enumerated() {
            out.samples.replaceSubrange((o * pixelCount)..<((o + 1) * pixelCount), with: band(b))
        }
        return AnyRaster(out)
    }

    @_specialize(where Sample == UInt16)
    @_specialize(where Sample == Float)
    public func floatBand(_ b: Int) -> [Float] {
        let info = bands[b]
        return withBand(b) { buf in
            // Written through the uninitialised buffer: no fill first, no copy-on-write check per sample.
            [Float](unsafeUninitializedCapacity: buf.count) { out, initialized in
                if let nd = info.nodata, !nd.isNaN {
                    for i in 0..<buf.count { let v = buf[i].doubleValue; out[i] = v == nd ? .nan : Float(v) }
                } else {
                    for i in 0..<buf.count { out[i] = Float(buf[i].doubleValue) }
                }
                initialized = buf.count
            }
        }
    }
}
