public import Foundation

/// The acquisition date of a plain raster (no scene manifest), and where it was found.
///
/// Sources, strongest first (the first that gives a valid date wins):
/// 1. `config`: `inputs[].date` in pipeline.yaml (the user said so);
/// 2. `metadata`: GDAL metadata `ACQUISITIONDATETIME` (IMAGERY domain, as GDAL's DIMAP/Pleiades/WorldView
///    drivers write it), `ACQUISITION_DATE`, `ACQUISITION_TIME` or `DATETIME` items of the dataset;
/// 3. `file name`: a date token in the file name: `YYYY-MM-DD`, `YYYYMMDD` (optionally followed by `THHMMSS`), or
///    a day-of-year token `AYYYYDDD` (MODIS, `A2020153`) or `YYYYDDD` standing alone between separators;
/// 4. `folder name`: the same tokens in the names of the enclosing folders, nearest first;
/// 5. `TIFFTAG_DATETIME`: the TIFF DateTime tag (`YYYY:MM:DD HH:MM:SS`). Last, because most software writes the
///    time the file was written there, not the time the image was taken.
///
/// Tokens must be real calendar dates in 1972–2099 (Landsat 1 onwards), so that a row/path or a product
/// counter (`20201325`, `2017018074804`) is not read as a date. When a name holds two different dates (an MTBS
/// `…_20150711_20150812_…` pair product) the name is ambiguous and is skipped, not guessed.
public struct AcquisitionDate: Sendable, Equatable {
    /// Where a date came from (logged per tile and recorded in the STAC item as `tilepipe:date_source`).
    public enum Source: String, Sendable, Codable, CaseIterable {
        /// A scene manifest (scene.json, MTL, STAC item).
        case manifest
        /// `inputs[].date` in pipeline.yaml.
        case config
        /// GDAL metadata of the file.
        case metadata
        /// A date token in the file name.
        case fileName = "file name"
        /// A date token in a folder name.
        case folderName = "folder name"
        /// The TIFF DateTime tag.
        case tiffDateTime = "TIFFTAG_DATETIME"
    }

    /// The date (UTC).
    public var date: Date
    /// Where it came from.
    public var source: Source
    /// The text it was read from (the token, the metadata item), for the log.
    public var evidence: String

    /// A date from its parts.
    public init(date: Date, source: Source, evidence: String) {
        self.date = date
        self.source = source
        self.evidence = evidence
    }

    /// The date of the raster at `path` with dataset metadata `metadata`, following the order above;
    /// nil when no source gives one. `configured` is `inputs[].date` (`YYYY-MM-DD` or an ISO 8601 time).
    public static func find(path: String, metadata: [String: String], configured: String? = nil) -> AcquisitionDate? {
        if let configured, let d = ISO8601.parse(configured) { return AcquisitionDate(date: d, source: .config, evidence: configured) }
        for key in ["IMAGERY::ACQUISITIONDATETIME", "ACQUISITIONDATETIME", "ACQUISITION_DATE", "ACQUISITION_TIME", "IMAGERY::ACQUISITION_DATE", "DATETIME"] {
            guard let v = metadata[key]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { continue }
            if let d = ISO8601.parse(v) ?? tiffDate(v) ?? ISO8601.parse(String(v.prefix(10))) {
                return AcquisitionDate(date: d, source: .metadata, evidence: "\(key)=\(v)")
            }
        }
        let url = URL(fileURLWithPath: path)
        let stem = url.deletingPathExtension().lastPathComponent
        if let (d, token) = fromName(stem) { return AcquisitionDate(date: d, source: .fileName, evidence: token) }
        var folder = url.deletingLastPathComponent()
        for _ in 0..<3 {
            let name = folder.lastPathComponent
            guard !name.isEmpty, name != "/" else { break }
            if let (d, token) = fromName(name) { return AcquisitionDate(date: d, source: .folderName, evidence: "\(name): \(token)") }
            folder = folder.deletingLastPathComponent()
        }
        if let v = metadata["TIFFTAG_DATETIME"], let d = tiffDate(v) ?? ISO8601.parse(v) {
            return AcquisitionDate(date: d, source: .tiffDateTime, evidence: v)
        }
        return nil
    }

    /// The one date a name holds (token and date), or nil when it holds none or several different ones.
    public static func fromName(_ name: String) -> (Date, String)? {
        var found: [(Date, String)] = []
        let ns = name as NSString
        for (re, parse) in namePatterns {
            for m in re.matches(in: name, range: NSRange(location: 0, length: ns.length)) {
                let token = ns.substring(with: m.range)
                if let d = parse(token) { found.append((d, token)) }
            }
        }
        guard let first = found.first else { return nil }
        let cal = utcCalendar
        let days = Set(found.map { cal.startOfDay(for: $0.0) })
        return days.count == 1 ? first : nil
    }

    /// The date tokens of file and folder names with their parsers, compiled once per process (`fromName` runs for
    /// every tile and up to three of its folders; compiling the ICU patterns per call was half of discovery's time).
    private static let namePatterns: [(NSRegularExpression, @Sendable (String) -> Date?)] = {
        let patterns: [(String, @Sendable (String) -> Date?)] = [
            // YYYY-MM-DD
            (#"(?<![0-9])(19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}(?![0-9])"#, { calendarDate($0.replacingOccurrences(of: "-", with: "")) }),
            // YYYYMMDD, optionally THHMMSS
            (#"(?<![0-9])(19|20)[0-9]{6}(T[0-9]{6})?(?![0-9])"#, { calendarDate(String($0.prefix(8))) }),
            // MODIS AYYYYDDD
            (#"(?<![0-9A-Za-z])A(19|20)[0-9]{5}(?![0-9])"#, { dayOfYear(String($0.dropFirst())) }),
            // bare YYYYDDD between separators
            (#"(?<![0-9A-Za-z])(19|20)[0-9]{5}(?![0-9A-Za-z])"#, { dayOfYear($0) }),
        ]
        // The patterns are constants: one that does not compile is a programming error.
        return patterns.map { (try! NSRegularExpression(pattern: $0.0), $0.1) }
    }()

    /// `YYYYMMDD` as a valid calendar date in 1972...2099, else nil.
    static func calendarDate(_ s: String) -> Date? {
        guard s.count == 8, let y = Int(s.prefix(4)), let m = Int(s.dropFirst(4).prefix(2)), let d = Int(s.suffix(2)),
              (1972...2099).contains(y), (1...12).contains(m), (1...31).contains(d) else { return nil }
        var c = DateComponents()
        (c.year, c.month, c.day) = (y, m, d)
        guard let date = utcCalendar.date(from: c), utcCalendar.component(.day, from: date) == d else { return nil }
        return date
    }

    /// `YYYYDDD` (day of year 1...365/366) in 1972...2099, else nil.
    static func dayOfYear(_ s: String) -> Date? {
        guard s.count == 7, let y = Int(s.prefix(4)), let doy = Int(s.suffix(3)), (1972...2099).contains(y) else { return nil }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        guard doy >= 1, doy <= (leap ? 366 : 365) else { return nil }
        var c = DateComponents()
        (c.year, c.month, c.day) = (y, 1, 1)
        return utcCalendar.date(from: c).flatMap { utcCalendar.date(byAdding: .day, value: doy - 1, to: $0) }
    }

    /// `YYYY:MM:DD HH:MM:SS` (TIFF DateTime), read as UTC.
    static func tiffDate(_ s: String) -> Date? {
        let p = s.split(whereSeparator: { $0 == ":" || $0 == " " }).compactMap { Int($0) }
        guard p.count == 6 else { return nil }
        var c = DateComponents()
        (c.year, c.month, c.day, c.hour, c.minute, c.second) = (p[0], p[1], p[2], p[3], p[4], p[5])
        return utcCalendar.date(from: c)
    }

    static var utcCalendar: Calendar {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        return cal
    }
}
