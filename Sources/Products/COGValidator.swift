import Foundation

/// The outcome of a Cloud-Optimized GeoTIFF check.
public struct COGValidation: Sendable, Equatable, Codable {
    /// Rule violations: the file is not a valid COG when there is any.
    public var errors: [String]
    /// Advice that does not make the file invalid (no overviews on a large image, ...).
    public var warnings: [String]
    /// True when there is no error.
    public var isValid: Bool { errors.isEmpty }
    /// `valid COG: yes` / `valid COG: no (reason; reason)`, with warnings in brackets after a yes.
    public var summary: String {
        if isValid { return "valid COG: yes" + (warnings.isEmpty ? "" : " (warnings: \(warnings.joined(separator: "; ")))") }
        return "valid COG: no (\(errors.joined(separator: "; ")))"
    }
}

/// A structural check that follows GDAL's `validate_cloud_optimized_geotiff.py`, reading only the TIFF
/// header, the IFD chain, the main image's SubIFDs and the tile/strip offset arrays (no pixel decoding).
/// Overviews are later IFDs with NewSubfileType bit 0 set (not masks), then reduced SubIFDs of the main image.
///
/// errors — as GDAL: not a TIFF; external `.ovr`; image larger than 512 px and not tiled (block width = image
/// width > 1024); main IFD not at 8 / 16 or straight after a `GDAL_STRUCTURAL_METADATA` ghost area; overview not
/// tiled; overview larger than the previous level; IFD offsets not increasing (main < ovr0 < ovr1 …); the first
/// block of the smallest level before its IFD; the data of overview i not after that of overview i+1; the main
/// data not after overview 0's. Stricter than GDAL (cog-spec "IFDs before data"): any level's first block before
/// the last level's IFD. Tile offsets not increasing inside a level are an error only when the ghost area
/// declares `BLOCK_ORDER=ROW_MAJOR` (as GDAL's full check), a warning otherwise.
///
/// warnings — larger than 512 px without overviews; an overview not half the previous level (±1);
/// a later IFD without NewSubfileType=1 (GDAL does not treat it as an overview); blocks not row-major.
enum COGValidator {
    struct IFD {
        var offset: UInt64
        var width = 0, height = 0
        var tileWidth: Int?, tileHeight: Int?
        var subfileType = 0
        var blockOffsets: [UInt64] = []
        var blockCounts: [UInt64] = []
        var rowsPerStrip: Int?
        var subIFDs: [UInt64] = []
        var tiled: Bool { tileWidth != nil }
        var blockWidth: Int { tileWidth ?? width }
        /// The first non-empty block's offset (sparse blocks have offset 0).
        var firstDataOffset: UInt64? { zip(blockOffsets, blockCounts).first { $0.0 != 0 && $0.1 != 0 }?.0 }
    }

    struct Reader {
        let handle: FileHandle
        let little: Bool
        let big: Bool
        func bytes(_ offset: UInt64, _ n: Int) throws -> [UInt8] {
            try handle.seek(toOffset: offset)
            let d = try handle.read(upToCount: n) ?? Data()
            guard d.count == n else { throw ProductsError.io(path: "", reason: "truncated at byte \(offset)") }
            return [UInt8](d)
        }
        func uint(_ b: ArraySlice<UInt8>) -> UInt64 {
            var v: UInt64 = 0
            if little { for x in b.reversed() { v = v << 8 | UInt64(x) } } else { for x in b { v = v << 8 | UInt64(x) } }
            return v
        }
        /// Values of an entry: inline when they fit in the value field (4 or 8 bytes), else at the offset.
        func values(type: Int, count: Int, field: ArraySlice<UInt8>) throws -> [UInt64] {
            let size: Int
            switch type {
            case 1, 2, 6, 7: size = 1
            case 3, 8: size = 2
            case 4, 9, 13: size = 4
            case 16, 17, 18: size = 8
            default: return []
            }
            let total = size * count
            let raw: [UInt8]
            if total <= field.count { raw = Array(field.prefix(total)) } else {
                guard count < 50_000_000 else { throw ProductsError.io(path: "", reason: "implausible array of \(count) values") }
                raw = try bytes(uint(field), total)
            }
            return stride(from: 0, to: total, by: size).map { uint(raw[$0..<($0 + size)]) }
        }
    }

    static func validate(path: String) -> COGValidation {
        var errors: [String] = [], warnings: [String] = []
        if FileManager.default.fileExists(atPath: path + ".ovr") {
            errors.append("Overviews found in external .ovr file. They should be internal")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return COGValidation(errors: ["cannot open \(path)"], warnings: [])
        }
        defer { try? handle.close() }
        let ifds: [IFD]
        let big: Bool
        let ghostEnd: UInt64?
        var rowMajorDeclared = false
        var reader: Reader?
        do {
            let head = [UInt8](try handle.read(upToCount: 16) ?? Data())
            guard head.count >= 8, (head[0] == 0x49 && head[1] == 0x49) || (head[0] == 0x4D && head[1] == 0x4D) else {
                return COGValidation(errors: ["not a TIFF file"], warnings: [])
            }
            let little = head[0] == 0x49
            let probe = Reader(handle: handle, little: little, big: false)
            let magic = probe.uint(head[2..<4])
            guard magic == 42 || magic == 43 else { return COGValidation(errors: ["not a TIFF file (magic \(magic))"], warnings: []) }
            big = magic == 43
            let r = Reader(handle: handle, little: little, big: big)
            let first = big ? r.uint(head[8..<16]) : r.uint(head[4..<8])
            reader = r
            (ghostEnd, rowMajorDeclared) = try ghostArea(r, big: big)
            ifds = try readIFDs(r, first: first)
        } catch {
            return COGValidation(errors: ["cannot parse the TIFF structure: \((error as? ProductsError)?.description ?? "\(error)")"], warnings: [])
        }
        guard let main = ifds.first else { return COGValidation(errors: ["no IFD"], warnings: []) }
        // Overviews: later IFDs flagged reduced-resolution (bit 0) and not masks (bit 2).
        var overviews = ifds.dropFirst().filter { $0.subfileType & 1 == 1 && $0.subfileType & 4 == 0 }
        // GDAL also takes reduced-resolution SubIFDs (tag 330) of the main image as overviews, in listed order.
        for off in main.subIFDs {
            guard let sub = try? readIFDs(reader!, first: off, follow: false).first else { continue }
            if sub.subfileType & 1 == 1 && sub.subfileType & 4 == 0 { overviews.append(sub) }
        }
        for (i, o) in ifds.dropFirst().enumerated() where o.subfileType & 1 == 0 {
            warnings.append("IFD \(i + 1) has no NewSubfileType=1, so it is not an overview")
        }
        if main.width > 512 || main.height > 512 {
            if !main.tiled && main.blockWidth == main.width && main.blockWidth > 1024 {
                errors.append("The file is greater than 512xH or Wx512, but is not tiled")
            }
            if overviews.isEmpty {
                warnings.append("The file is greater than 512xH or Wx512, it is recommended to include internal overviews")
            }
        }
        if main.offset != 8 && main.offset != 16 && main.offset != ghostEnd {
            errors.append("The offset of the main IFD should be \(ghostEnd ?? (big ? 16 : 8)). It is \(main.offset) instead")
        }
        var prevW = main.width, prevH = main.height, prevOffset = main.offset
        for (i, o) in overviews.enumerated() {
            if !o.tiled { errors.append("Overview of index \(i) is not tiled") }
            if o.width >= prevW && o.height >= prevH || o.width > prevW || o.height > prevH {
                errors.append("Overview of index \(i) (\(o.width)x\(o.height)) is not smaller than the previous level (\(prevW)x\(prevH))")
            } else if abs(o.width - (prevW + 1) / 2) > 1 || abs(o.height - (prevH + 1) / 2) > 1 {
                warnings.append("Overview of index \(i) (\(o.width)x\(o.height)) is not half the previous level (\(prevW)x\(prevH))")
            }
            if o.offset <= prevOffset {
                errors.append("The offset of the IFD for overview of index \(i) is \(o.offset), whereas it should be greater than the one of the previous level, which is at byte \(prevOffset)")
            }
            prevW = o.width; prevH = o.height; prevOffset = o.offset
        }
        // Data order: smallest overview first, main resolution last.
        let levels = [main] + overviews
        if let smallest = levels.last, let d = smallest.firstDataOffset, d < smallest.offset {
            errors.append("The offset of the first block of the image should be after its IFD")
        }
        let lastIFD = levels.map(\.offset).max() ?? 0
        for (i, l) in levels.enumerated() {
            if let d = l.firstDataOffset, d < lastIFD {
                errors.append("The first block of \(i == 0 ? "the main image" : "overview of index \(i - 1)") (byte \(d)) lies before the last IFD (byte \(lastIFD))")
            }
        }
        for i in stride(from: overviews.count - 1, to: 0, by: -1) {
            if let a = overviews[i - 1].firstDataOffset, let b = overviews[i].firstDataOffset, a < b {
                errors.append("The offset of the first block of overview of index \(i - 1) should be after the one of the overview of index \(i)")
            }
        }
        if let o0 = overviews.first?.firstDataOffset, let m = main.firstDataOffset, m < o0 {
            errors.append("The offset of the first block of the main resolution image should be after the one of the overview of index 0")
        }
        for (i, l) in levels.enumerated() {
            let nonEmpty = zip(l.blockOffsets, l.blockCounts).filter { $0.0 != 0 && $0.1 != 0 }.map(\.0)
            if zip(nonEmpty, nonEmpty.dropFirst()).contains(where: { $0.0 >= $0.1 }) {
                let message = "The tile offsets of \(i == 0 ? "the main image" : "overview of index \(i - 1)") are not increasing (blocks not row-major)"
                if rowMajorDeclared { errors.append(message + " although BLOCK_ORDER=ROW_MAJOR is declared") } else { warnings.append(message) }
            }
        }
        return COGValidation(errors: errors, warnings: warnings)
    }

    /// The end of GDAL's optional ghost area (`GDAL_STRUCTURAL_METADATA_SIZE=nnnnnn bytes\n…`), or nil.
    static func ghostArea(_ r: Reader, big: Bool) throws -> (end: UInt64?, rowMajor: Bool) {
        let start: UInt64 = big ? 16 : 8
        guard let head = try? r.bytes(start, 43) else { return (nil, false) }
        let text = String(decoding: head, as: UTF8.self)
        let prefix = "GDAL_STRUCTURAL_METADATA_SIZE="
        guard text.hasPrefix(prefix) else { return (nil, false) }
        let digits = text.dropFirst(prefix.count).prefix(6)
        guard let size = UInt64(digits) else { return (nil, false) }
        let body = (try? r.bytes(start + 43, Int(size))).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let end = start + UInt64(prefix.count + 6 + " bytes\n".count) + size
        return (end + end % 2, body.contains("BLOCK_ORDER=ROW_MAJOR"))   // the IFD starts on a 2-byte boundary
    }

    static func readIFDs(_ r: Reader, first: UInt64, follow: Bool = true) throws -> [IFD] {
        var out: [IFD] = []
        var next = first
        var seen = Set<UInt64>()
        while next != 0 {
            guard seen.insert(next).inserted, out.count < 64 else { throw ProductsError.io(path: "", reason: "IFD chain loops") }
            let countBytes = try r.bytes(next, r.big ? 8 : 2)
            let n = Int(r.uint(countBytes[...]))
            guard n > 0, n < 4096 else { throw ProductsError.io(path: "", reason: "implausible IFD entry count \(n) at byte \(next)") }
            let entrySize = r.big ? 20 : 12
            let body = try r.bytes(next + UInt64(countBytes.count), n * entrySize + (r.big ? 8 : 4))
            var ifd = IFD(offset: next)
            for e in 0..<n {
                let base = e * entrySize
                let tag = Int(r.uint(body[base..<(base + 2)]))
                let type = Int(r.uint(body[(base + 2)..<(base + 4)]))
                let count = Int(r.big ? r.uint(body[(base + 4)..<(base + 12)]) : r.uint(body[(base + 4)..<(base + 8)]))
                let field = r.big ? body[(base + 12)..<(base + 20)] : body[(base + 8)..<(base + 12)]
                switch tag {
                case 254: ifd.subfileType = Int(try r.values(type: type, count: count, field: field).first ?? 0)
                case 256: ifd.width = Int(try r.values(type: type, count: count, field: field).first ?? 0)
                case 257: ifd.height = Int(try r.values(type: type, count: count, field: field).first ?? 0)
                case 278: ifd.rowsPerStrip = Int(try r.values(type: type, count: count, field: field).first ?? 0)
                case 322: ifd.tileWidth = Int(try r.values(type: type, count: count, field: field).first ?? 0)
                case 323: ifd.tileHeight = Int(try r.values(type: type, count: count, field: field).first ?? 0)
                case 273, 324: ifd.blockOffsets = try r.values(type: type, count: count, field: field)
                case 279, 325: ifd.blockCounts = try r.values(type: type, count: count, field: field)
                case 330: ifd.subIFDs = try r.values(type: type, count: count, field: field)
                default: break
                }
            }
            out.append(ifd)
            let tail = body[(n * entrySize)...]
            next = follow ? r.uint(tail) : 0
        }
        return out
    }
}
