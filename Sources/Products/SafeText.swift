import Foundation

/// Text from data or config (file names, failure causes, titles, class and region names, tile ids) placed into a
/// file format other programs interpret: each function makes it inert in that format.
public enum SafeText {
    /// One CSV cell: neutralised against formula injection (OWASP "CSV Injection": a cell that starts with `=`,
    /// `+`, `-`, `@`, tab or carriage return gets a leading `'`, so a spreadsheet shows it as text), then quoted
    /// per RFC 4180 when it holds a comma, quote, CR or LF. Numbers TilePipe formats itself (`-0.25`, `1e-3`) are
    /// left as they are, so they stay numbers.
    public static func csvCell(_ s: String) -> String {
        var cell = s
        if let first = cell.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first), !isPlainNumber(cell) {
            cell = "'" + cell
        }
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// True for `-?digits(.digits)?([eE][+-]?digits)?` (a number, not a formula).
    static func isPlainNumber(_ s: String) -> Bool {
        s.range(of: #"^[-+]?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$"#, options: .regularExpression) != nil
    }

    /// Inline Markdown text: line breaks and other control characters become spaces (no injected heading, list or
    /// table row), `<`, `>` and `&` become entities (no raw HTML), and Markdown punctuation (`\ ` * _ [ ] ( ) # !
    /// | ~ { }`) is backslash-escaped (no link, image, emphasis or table cell break).
    public static func markdown(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\\", "`", "*", "_", "[", "]", "(", ")", "#", "!", "|", "~", "{", "}":
                out += "\\"; out.unicodeScalars.append(u)
            default:
                if u.properties.generalCategory == .control || u == "\u{2028}" || u == "\u{2029}" { out += " " } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out
    }

    /// A relative href for a file TilePipe wrote (`./T 1#a.tif`, `../tiles/x/x_item.json`): every path segment
    /// percent-encoded (RFC 3986: everything but unreserved characters and the sub-delimiters safe in a path; `:` is
    /// encoded too, so a first segment never reads as a scheme),
    /// `/` kept between segments, so `#`, `?`, `%`, spaces and non-ASCII names give a link that resolves.
    public static func href(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            var out = ""
            for b in segment.utf8 {
                switch b {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                     UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"),
                     UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"),
                     UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: "@"):
                    out.unicodeScalars.append(Unicode.Scalar(b))
                default:
                    out += String(format: "%%%02X", b)
                }
            }
            return out
        }.joined(separator: "/")
    }
}
