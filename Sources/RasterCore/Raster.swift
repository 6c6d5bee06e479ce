/// An in-memory raster: planar, contiguous, copy-on-write (band `b` occupies `samples[b*w*h ..< (b+1)*w*h]`).
public struct Raster<Sample: RasterSample>: Sendable, Equatable {
    public private(set) var width: Int
    public private(set) var height: Int
    /// Band-sequential samples.
    public var samples: [Sample]
    /// One entry per band.
    public var bands: [BandInfo]
    /// Georeferencing, or nil for a plain image.
    public var geo: GeoReference?
    /// Dataset-level metadata (GDAL_METADATA items without a band), kept verbatim.
    public var metadata: [String: String]

    /// A raster filled with `fill`.
    public init(width: Int, height: Int, bandCount: Int, fill: Sample = .zero, bands: [BandInfo]? = nil,
                geo: GeoReference? = nil, metadata: [String: String] = [:]) {
        precondition(width >= 0 && height >= 0 && bandCount >= 0)
        self.width = width
        self.height = height
        samples = Array(repeating: fill, count: width * height * bandCount)
        self.bands = bands ?? Array(repeating: BandInfo(), count: bandCount)
        precondition(self.bands.count == bandCount, "one BandInfo per band")
        self.geo = geo
        self.metadata = metadata
    }

    /// A raster around existing band-sequential samples.
    public init(width: Int, height: Int, samples: [Sample], bands: [BandInfo], geo: GeoReference? = nil,
                metadata: [String: String] = [:]) {
        precondition(samples.count == width * height * bands.count, "samples must hold width × height × bands")
        self.width = width
        self.height = height
        self.samples = samples
        self.bands = bands
        self.geo = geo
        self.metadata = metadata
    }

    /// Number of bands.
    public var bandCount: Int { bands.count }
    /// Pixels per band.
    public var pixelCount: Int { width * height }
    /// The data type.
    public var sampleType: SampleType { Sample.sampleType }

    /// The sample at (column, row) of band `band`.
    @inlinable public subscript(band: Int, column: Int, row: Int) -> Sample {
        get { samples[band * width * height + row * width + column] }
        set { samples[band * width * height + row * width + column] = newValue }
    }

    /// A copy of one band's samples.
    public func band(_ b: Int) -> ArraySlice<Sample> {
        samples[(b * pixelCount)..<((b + 1) * pixelCount)]
    }

    /// Runs `body` with read-only access to one band's contiguous samples.
    @inlinable public func withBand<R>(_ b: Int, _ body: (UnsafeBufferPointer<Sample>) throws -> R) rethrows -> R {
        let n = width * height
        return try samples.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[(b * n)..<((b + 1) * n)])) }
    }

    /// Runs `body` with mutable access to one band's contiguous samples.
    @inlinable public mutating func withMutableBand<R>(_ b: Int, _ body: (inout UnsafeMutableBufferPointer<Sample>) throws -> R) rethrows -> R {
        let n = width * height
        return try samples.withUnsafeMutableBufferPointer { all in
            var slice = UnsafeMutableBufferPointer(rebasing: all[(b * n)..<((b + 1) * n)])
            return try body(&slice)
        }
    }

    /// The index of the band whose description equals `name` (case-insensitive), or nil.
    public func bandIndex(named name: String) -> Int? {
        bands.firstIndex { $0.description.lowercased() == name.lowercased() }
    }

    /// Per-band statistics over valid (non-nodata, finite) samples, in raw units.
    public func statistics(band b: Int) -> BandStatistics { statisticsAccumulator(band: b).result }

    /// The mergeable accumulator behind `statistics(band:)`.
    /// Specialised for Float32 and UInt16 (index products, raw tiles): generic callers in other modules would
    /// otherwise go through value witnesses per sample (13 % of a COG job's CPU time, docs/performance.md).
    @_specialize(where Sample == Float)
    @_specialize(where Sample == UInt16)
    public func statisticsAccumulator(band b: Int) -> BandStatistics.Accumulator {
        let nodata = bands[b].nodata
        return withBand(b) { BandStatistics.Accumulator(samples: $0, nodata: nodata) }
    }

    /// A new raster holding only `window`, with its transform moved accordingly.
    public func cropped(to window: Window) -> Raster<Sample> {
        precondition(window.fits(width: width, height: height), "window \(window) outside \(width)x\(height)")
        var out = [Sample]()
        out.reserveCapacity(window.pixelCount * bandCount)
        for b in 0..<bandCount {
            let base = b * pixelCount
            for r in window.y..<(window.y + window.height) {
                let start = base + r * width + window.x
                out.append(contentsOf: samples[start..<(start + window.width)])
            }
        }
        var g = geo
        g?.transform = geo?.transform.offset(column: window.x, row: window.y) ?? .identity
        return Raster(width: window.width, height: window.height, samples: out, bands: bands, geo: g, metadata: metadata)
    }
}
