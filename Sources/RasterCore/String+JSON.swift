extension String {
    /// The string as a JSON string literal, quotes included (RFC 8259 §7): `"` and `\` escaped, `\n`, `\r` and `\t`
    /// by their short forms, every other character below U+0020 as `\u00XX`; everything else as it is (UTF-8).
    public var jsonQuoted: String {
        var out = "\""
        for u in unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
