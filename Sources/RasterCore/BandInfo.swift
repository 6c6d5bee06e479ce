/// Per-band metadata that must survive every read and write.
public struct BandInfo: Sendable, Equatable, Hashable, Codable {
    /// Band description (GDAL's `DESCRIPTION`; TilePipe puts the common name or index name here).
    public var description: String
    /// The nodata value, or nil. NaN is a valid nodata value for float bands.
    public var nodata: Double?
    /// Physical value = raw × scale + offset.
    public var scale: Double
    /// Physical value = raw × scale + offset.
    public var offset: Double
    /// Unit of the physical value (`reflectance`, `1`, ...), empty when unknown.
    public var unit: String
    /// Every other per-band metadata item (GDAL_METADATA `<Item sample=...>`), kept verbatim.
    public var metadata: [String: String]
    /// A colour table (palette) for class maps.
    public var colorTable: ColorTable?

    /// Band info with defaults: no nodata, scale 1, offset 0.
    public init(description: String = "", nodata: Double? = nil, scale: Double = 1, offset: Double = 0,
                unit: String = "", metadata: [String: String] = [:], colorTable: ColorTable? = nil) {
        self.description = description
        self.nodata = nodata
        self.scale = scale
        self.offset = offset
        self.unit = unit
        self.metadata = metadata
        self.colorTable = colorTable
    }

    /// True when `value` is this band's nodata (NaN matches a NaN nodata).
    @inlinable public func isNodata(_ value: Double) -> Bool {
        guard let nodata else { return false }
        return nodata.isNaN ? value.isNaN : value == nodata
    }

    public static func == (a: BandInfo, b: BandInfo) -> Bool {
        let nodataEqual = (a.nodata == nil && b.nodata == nil)
            || (a.nodata.map { x in b.nodata.map { y in x == y || (x.isNaN && y.isNaN) } ?? false } ?? false)
        return nodataEqual && a.description == b.description && a.scale == b.scale && a.offset == b.offset
            && a.unit == b.unit && a.metadata == b.metadata && a.colorTable == b.colorTable
    }

    public func hash(into h: inout Hasher) {
        h.combine(description); h.combine(scale); h.combine(offset); h.combine(unit)
    }
}

/// A palette: entry i is the RGBA colour of value i.
public struct ColorTable: Sendable, Equatable, Hashable, Codable {
    /// RGBA entries, 8 bits per channel.
    public var entries: [RGBA]
    /// A table from entries.
    public init(entries: [RGBA]) { self.entries = entries }
}

/// An 8-bit RGBA colour.
public struct RGBA: Sendable, Equatable, Hashable, Codable {
    public var r: UInt8, g: UInt8, b: UInt8, a: UInt8
    /// A colour from its channels.
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8, _ a: UInt8 = 255) { self.r = r; self.g = g; self.b = b; self.a = a }
    /// A colour from `#rrggbb` or `#rrggbbaa`; nil when malformed.
    public init?(hex: String) {
        var s = Substring(hex)
        if s.hasPrefix("#") { s = s.dropFirst() }
        guard s.count == 6 || s.count == 8, let v = UInt32(s, radix: 16) else { return nil }
        if s.count == 6 { self.init(UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)) }
        else { self.init(UInt8(v >> 24 & 255), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)) }
    }
    /// The four bytes r, g, b, a, in that order in memory, as one word: `storeBytes(of: c.memoryWord, as:
    /// UInt32.self)` writes the colour as an RGBA pixel with a single store, on any byte order.
    @inlinable public var memoryWord: UInt32 {
        (UInt32(r) | UInt32(g) << 8 | UInt32(b) << 16 | UInt32(a) << 24).littleEndian
    }
    /// `#rrggbb`.
    public var hex: String {
        func h(_ x: UInt8) -> String { let s = String(x, radix: 16); return s.count == 1 ? "0" + s : s }
        return "#" + h(r) + h(g) + h(b)
    }
}
