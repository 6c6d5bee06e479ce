/// Lexer and recursive-descent parser of band-math expressions into a checked `BandMathNode` tree.
///
/// Grammar (lowest precedence first):
/// ```
/// or      := and ( ("or" | "||") and )*
/// and     := not ( ("and" | "&&") not )*
/// not     := ("not" | "!") not | compare
/// compare := sum ( ("<" | "<=" | ">" | ">=" | "==" | "!=") sum )?
/// sum     := product ( ("+" | "-") product )*
/// product := unary ( ("*" | "/") unary )*
/// unary   := ("-" | "+") unary | power
/// power   := primary ( ("^" | "**") unary )?          right-associative; -x^2 = -(x^2)
/// primary := number | band | function "(" [or ("," or)*] ")" | "(" or ")"
/// ```
/// `×`, `÷` and `−` (U+00D7, U+00F7, U+2212) are accepted for `*`, `/`, `-`. Columns are 1-based
/// Unicode-scalar positions.
///
/// Bounded: nesting (parentheses, function arguments, prefix operators, the right side of `^`) deeper than
/// `BandMathExpression.maxDepth` is `KernelError.tooDeep` at the column where the limit is passed, so the
/// recursion depth is fixed whatever the input. Runs of `+ -`, `* /`, `and`, `or` become one n-ary `.chain`
/// node instead of a left-deep tree, so a 100,000-term sum is one node with 100,000 operands.

enum Token: Equatable {
    case number(Float), identifier(String), symbol(String), end
}

struct Lexeme { let token: Token; let column: Int }

func tokenize(_ text: String) throws(KernelError) -> [Lexeme] {
    let chars = Array(text.unicodeScalars)
    var out: [Lexeme] = []
    var i = 0
    func isIdentStart(_ c: Unicode.Scalar) -> Bool { c == "_" || c.properties.isAlphabetic }
    func isIdentPart(_ c: Unicode.Scalar) -> Bool { isIdentStart(c) || ("0"..."9").contains(c) }
    while i < chars.count {
        let c = chars[i]
        let column = i + 1
        if c == " " || c == "\t" || c == "\n" || c == "\r" { i += 1; continue }
        if ("0"..."9").contains(c) || (c == "." && i + 1 < chars.count && ("0"..."9").contains(chars[i + 1])) {
            var j = i
            while j < chars.count, ("0"..."9").contains(chars[j]) || chars[j] == "." { j += 1 }
            if j < chars.count, chars[j] == "e" || chars[j] == "E" {
                var k = j + 1
                if k < chars.count, chars[k] == "+" || chars[k] == "-" { k += 1 }
                if k < chars.count, ("0"..."9").contains(chars[k]) {
                    j = k
                    while j < chars.count, ("0"..."9").contains(chars[j]) { j += 1 }
                }
            }
            let literal = String(String.UnicodeScalarView(chars[i..<j]))
            guard let value = Double(literal) else {
                throw .syntax(expression: text, column: column, message: "malformed number '\(literal)'")
            }
            out.append(Lexeme(token: .number(Float(value)), column: column))
            i = j
            continue
        }
        if isIdentStart(c) {
            var j = i
            while j < chars.count, isIdentPart(chars[j]) { j += 1 }
            out.append(Lexeme(token: .identifier(String(String.UnicodeScalarView(chars[i..<j]))), column: column))
            i = j
            continue
        }
        let two = i + 1 < chars.count ? String(String.UnicodeScalarView([c, chars[i + 1]])) : ""
        if ["<=", ">=", "==", "!=", "&&", "||", "**"].contains(two) {
            out.append(Lexeme(token: .symbol(two == "**" ? "^" : two), column: column))
            i += 2
            continue
        }
        let single: String? = switch c {
        case "+", "-", "*", "/", "^", "(", ")", ",", "<", ">", "!": String(c)
        case "\u{00D7}": "*"
        case "\u{00F7}": "/"
        case "\u{2212}": "-"
        default: nil
        }
        guard let s = single else {
            throw .syntax(expression: text, column: column, message: "unexpected character '\(c)'")
        }
        out.append(Lexeme(token: .symbol(s), column: column))
        i += 1
    }
    out.append(Lexeme(token: .end, column: chars.count + 1))
    return out
}

/// Recursive-descent parser; checks band and function names while it builds the tree.
struct BandMathParser {
    let text: String
    let bands: Set<String>
    var lexemes: [Lexeme]
    var position = 0
    /// Current nesting depth (see `nested`).
    var depth = 0

    init(text: String, bands: Set<String>) throws(KernelError) {
        self.text = text
        self.bands = bands
        self.lexemes = try tokenize(text)
    }

    var current: Lexeme { lexemes[position] }

    mutating func parse() throws(KernelError) -> BandMathNode {
        if case .end = current.token { throw .syntax(expression: text, column: 1, message: "empty expression") }
        let node = try parseOr()
        guard case .end = current.token else { throw unexpected("operator or end of expression") }
        return node
    }

    func unexpected(_ wanted: String) -> KernelError {
        let got: String = switch current.token {
        case .number(let v): "number \(v)"
        case .identifier(let s): "'\(s)'"
        case .symbol(let s): "'\(s)'"
        case .end: "end of expression"
        }
        return .syntax(expression: text, column: current.column, message: "expected \(wanted), found \(got)")
    }

    mutating func accept(symbol: String) -> Bool {
        if case .symbol(symbol) = current.token { position += 1; return true }
        return false
    }

    mutating func accept(keyword: String) -> Bool {
        if case .identifier(let s) = current.token, s.lowercased() == keyword {
            position += 1
            return true
        }
        return false
    }

    /// Runs `body` one nesting level deeper; past `BandMathExpression.maxDepth` levels throws `.tooDeep` at
    /// `column` (the token that opens the level) instead.
    mutating func nested(at column: Int, _ body: (inout BandMathParser) throws(KernelError) -> BandMathNode) throws(KernelError) -> BandMathNode {
        guard depth < BandMathExpression.maxDepth else {
            throw .tooDeep(expression: text, column: column, limit: BandMathExpression.maxDepth)
        }
        depth += 1
        defer { depth -= 1 }
        return try body(&self)
    }

    mutating func parseOr() throws(KernelError) -> BandMathNode {
        let first = try parseAnd()
        var rest: [(BinaryOperator, BandMathNode)] = []
        while accept(keyword: "or") || accept(symbol: "||") { rest.append((.or, try parseAnd())) }
        return .folded(first, rest)
    }

    mutating func parseAnd() throws(KernelError) -> BandMathNode {
        let first = try parseNot()
        var rest: [(BinaryOperator, BandMathNode)] = []
        while accept(keyword: "and") || accept(symbol: "&&") { rest.append((.and, try parseNot())) }
        return .folded(first, rest)
    }

    mutating func parseNot() throws(KernelError) -> BandMathNode {
        let column = current.column
        if accept(keyword: "not") || accept(symbol: "!") { return .not(try nested(at: column) { p throws(KernelError) in try p.parseNot() }) }
        return try parseCompare()
    }

    mutating func parseCompare() throws(KernelError) -> BandMathNode {
        let left = try parseSum()
        let ops: [(String, BinaryOperator)] = [("<", .less), ("<=", .lessEqual), (">", .greater), (">=", .greaterEqual),
                                               ("==", .equal), ("!=", .notEqual)]
        for (symbol, op) in ops {
            if accept(symbol: symbol) { return .binary(op, left, try parseSum()) }
        }
        return left
    }

    mutating func parseSum() throws(KernelError) -> BandMathNode {
        let first = try parseProduct()
        var rest: [(BinaryOperator, BandMathNode)] = []
        while true {
            if accept(symbol: "+") { rest.append((.add, try parseProduct())) }
            else if accept(symbol: "-") { rest.append((.subtract, try parseProduct())) }
            else { return .folded(first, rest) }
        }
    }

    mutating func parseProduct() throws(KernelError) -> BandMathNode {
        let first = try parseUnary()
        var rest: [(BinaryOperator, BandMathNode)] = []
        while true {
            if accept(symbol: "*") { rest.append((.multiply, try parseUnary())) }
            else if accept(symbol: "/") { rest.append((.divide, try parseUnary())) }
            else { return .folded(first, rest) }
        }
    }

    mutating func parseUnary() throws(KernelError) -> BandMathNode {
        let column = current.column
        if accept(symbol: "-") {
            let operand = try nested(at: column) { p throws(KernelError) in try p.parseUnary() }
            if case .constant(let v) = operand { return .constant(-v) }
            return .negate(operand)
        }
        if accept(symbol: "+") { return try nested(at: column) { p throws(KernelError) in try p.parseUnary() } }
        return try parsePower()
    }

    mutating func parsePower() throws(KernelError) -> BandMathNode {
        let base = try parsePrimary()
        let column = current.column
        if accept(symbol: "^") { return .binary(.power, base, try nested(at: column) { p throws(KernelError) in try p.parseUnary() }) }
        return base
    }

    mutating func parsePrimary() throws(KernelError) -> BandMathNode {
        let lexeme = current
        switch lexeme.token {
        case .number(let v):
            position += 1
            return .constant(v)
        case .symbol("("):
            position += 1
            return try nested(at: lexeme.column) { p throws(KernelError) in
                let inner = try p.parseOr()
                guard p.accept(symbol: ")") else { throw p.unexpected("')'") }
                return inner
            }
        case .identifier(let name):
            position += 1
            if accept(symbol: "(") {
                var args: [BandMathNode] = []
                if !accept(symbol: ")") {
                    repeat { args.append(try nested(at: lexeme.column) { p throws(KernelError) in try p.parseOr() }) } while accept(symbol: ",")
                    guard accept(symbol: ")") else { throw unexpected("',' or ')'") }
                }
                return try call(name, args, column: lexeme.column)
            }
            if ["and", "or", "not"].contains(name.lowercased()) {
                throw .syntax(expression: text, column: lexeme.column, message: "'\(name)' needs an operand")
            }
            guard bands.contains(name) else {
                throw .unknownBand(expression: text, column: lexeme.column, name: name, available: Array(bands))
            }
            return .band(name)
        default:
            throw unexpected("a number, band, function or '('")
        }
    }

    func call(_ name: String, _ args: [BandMathNode], column: Int) throws(KernelError) -> BandMathNode {
        func arity(_ ok: Bool, _ expected: String) throws(KernelError) {
            if !ok { throw .arity(expression: text, column: column, function: name, expected: expected, got: args.count) }
        }
        if let f = BuiltinFunction(rawValue: name.lowercased()) {
            switch f {
            case .abs, .sqrt, .log, .exp: try arity(args.count == 1, "1")
            case .min, .max: try arity(args.count >= 2, "2 or more")
            case .clamp, .where: try arity(args.count == 3, "3")
            }
            return .call(f, args)
        }
        if IndexCatalog.lookup(name) == nil {
            do { _ = try IndexCatalog.require(name) } catch {
                if case .ambiguousIndex(_, let candidates) = error {
                    throw .syntax(expression: text, column: column,
                                  message: "unknown function '\(name)': index names are matched exactly (or all in lower case); did you mean \(candidates.joined(separator: " or "))?")
                }
            }
        }
        if let index = IndexCatalog.lookup(name), !name.contains(where: \.isWhitespace) {
            if args.isEmpty {
                // ndvi(): the bands of the same common names.
                for band in index.requiredBands where !bands.contains(band) {
                    throw .unknownBand(expression: text, column: column, name: band, available: Array(bands))
                }
                return .index(index, index.requiredBands.map { .band($0) })
            }
            try arity(args.count == index.requiredBands.count,
                      "0 or \(index.requiredBands.count) (\(index.requiredBands.joined(separator: ", ")))")
            return .index(index, args)
        }
        throw .unknownFunction(expression: text, column: column, name: name)
    }
}
