import Foundation

/// A band-math expression, parsed once into a typed tree and evaluated chunk by chunk with one
/// vectorised loop per node per chunk (never interpreted per pixel).
///
/// Syntax: numbers, band names (any identifier given at parse time), `+ - * / ^` (`**` too),
/// unary minus, comparisons `< <= > >= == !=`, `and or not` (`&& || !`), parentheses, and the
/// functions `where(c, a, b)`, `min(a, b, ...)`, `max(a, b, ...)`, `abs`, `sqrt`, `log` (natural),
/// `exp`, `clamp(x, lo, hi)`, plus every catalogue index name (case-insensitive) as a function:
/// `ndvi(nir, red)` with arguments in the index's `requiredBands` order, or `ndvi()` using the
/// bands of the same names.
///
/// Semantics (Float32): NaN in any operand gives NaN (also for comparisons and logic, so nodata
/// stays nodata); `a / 0` is NaN; `log(x)` is NaN for x ≤ 0; `sqrt(x)` is NaN for x < 0; truth is
/// 1, falsehood 0, and a condition is true when non-zero; `where(c, a, b)` is NaN where c is NaN.
public struct BandMathExpression: Sendable, CustomStringConvertible {
    /// The deepest nesting accepted (parentheses, function arguments, prefix operators, right sides of `^`);
    /// deeper input is `KernelError.tooDeep` with the column where the limit is passed. Bounds the parser's and
    /// the evaluator's recursion whatever the input; long flat runs (`a + b + …`) have no limit.
    public static let maxDepth = 256

    /// The source text.
    public let text: String
    /// The checked tree.
    let root: BandMathNode
    /// The band names the expression reads, sorted.
    public let referencedBands: [String]

    /// Parses and checks `text` against the band names that will be supplied. Throws
    /// `KernelError.syntax`, `.unknownBand`, `.unknownFunction`, `.arity` or `.tooDeep`, each with its column.
    public init(parsing text: String, bands: Set<String>) throws(KernelError) {
        var parser = try BandMathParser(text: text, bands: bands)
        root = try parser.parse()
        self.text = text
        var used = Set<String>()
        root.collectBands(into: &used)
        referencedBands = used.sorted()
    }

    /// The source text.
    public var description: String { text }

    /// Evaluates over `count` pixels, `chunk` pixels at a time. `bands` must hold every band of
    /// `referencedBands` with at least `count` samples (a precondition: check with
    /// `missingBands(in:count:)` first when the bands come from outside).
    public func evaluate(bands: [String: [Float]], count: Int, chunk: Int = 4096) -> [Float] {
        precondition(count >= 0 && chunk > 0, "count must be ≥ 0 and chunk > 0")
        precondition(missingBands(in: bands, count: count).isEmpty,
                     "band math '\(text)': missing or short bands \(missingBands(in: bands, count: count))")
        let names = referencedBands
        return withBuffers(names.map { bands[$0]! }) { pointers in
            var lookup: [String: UnsafeBufferPointer<Float>] = [:]
            for (k, name) in names.enumerated() { lookup[name] = pointers[k] }
            return [Float](unsafeUninitializedCapacity: count) { out, initialised in
                var start = 0
                while start < count {
                    let n = min(chunk, count - start)
                    var views: [String: UnsafeBufferPointer<Float>] = [:]
                    for (name, p) in lookup { views[name] = UnsafeBufferPointer(rebasing: p[start..<(start + n)]) }
                    let value = root.evaluate(views, n)
                    let dst = UnsafeMutableBufferPointer(rebasing: out[start..<(start + n)])
                    switch value {
                    case .scalar(let v): for i in 0..<n { dst[i] = v }
                    case .view(let p): for i in 0..<n { dst[i] = p[i] }
                    case .owned(let a): a.withUnsafeBufferPointer { p in for i in 0..<n { dst[i] = p[i] } }
                    }
                    start += n
                }
                initialised = count
            }
        }
    }

    /// The referenced bands that `bands` lacks or that hold fewer than `count` samples.
    public func missingBands(in bands: [String: [Float]], count: Int) -> [String] {
        referencedBands.filter { (bands[$0]?.count ?? -1) < count }
    }
}

/// Binary operators of band math.
enum BinaryOperator: Sendable {
    case add, subtract, multiply, divide, power
    case less, lessEqual, greater, greaterEqual, equal, notEqual
    case and, or
}

/// Built-in functions of band math (catalogue indices are `.index` nodes).
enum BuiltinFunction: String, Sendable {
    case `where`, min, max, abs, sqrt, log, exp, clamp
}

/// The typed expression tree.
indirect enum BandMathNode: Sendable {
    case constant(Float)
    case band(String)
    case negate(BandMathNode)
    case not(BandMathNode)
    case binary(BinaryOperator, BandMathNode, BandMathNode)
    /// A left-to-right run of one precedence level, `first op₁ x₁ op₂ x₂ …`, evaluated as a loop.
    case chain(BandMathNode, [(BinaryOperator, BandMathNode)])
    case call(BuiltinFunction, [BandMathNode])
    case index(SpectralIndex, [BandMathNode])

    /// `first` alone, or the run of `first` and `rest`.
    static func folded(_ first: BandMathNode, _ rest: [(BinaryOperator, BandMathNode)]) -> BandMathNode {
        rest.isEmpty ? first : .chain(first, rest)
    }

    func collectBands(into set: inout Set<String>) {
        switch self {
        case .constant: break
        case .band(let name): set.insert(name)
        case .negate(let a), .not(let a): a.collectBands(into: &set)
        case .binary(_, let a, let b): a.collectBands(into: &set); b.collectBands(into: &set)
        case .chain(let first, let rest): first.collectBands(into: &set); for (_, x) in rest { x.collectBands(into: &set) }
        case .call(_, let args), .index(_, let args): for a in args { a.collectBands(into: &set) }
        }
    }
}

/// A node's value over one chunk: a constant, a view of an input band, or a computed buffer.
enum ChunkValue {
    case scalar(Float)
    case view(UnsafeBufferPointer<Float>)
    case owned([Float])
}

extension BandMathNode {
    /// Evaluates this node over one chunk of `n` pixels; `bands` are views of the chunk.
    func evaluate(_ bands: [String: UnsafeBufferPointer<Float>], _ n: Int) -> ChunkValue {
        switch self {
        case .constant(let v):
            return .scalar(v)
        case .band(let name):
            return .view(bands[name]!)
        case .negate(let a):
            return map1(a.evaluate(bands, n), n) { -$0 }
        case .not(let a):
            return map1(a.evaluate(bands, n), n) { $0.isNaN ? .nan : ($0 == 0 ? 1 : 0) }
        case let .binary(op, a, b):
            return Self.apply(op, a.evaluate(bands, n), b.evaluate(bands, n), n)
        case let .chain(first, rest):
            return Self.fold(first.evaluate(bands, n), rest, bands, n)
        case let .call(f, args):
            let v = args.map { $0.evaluate(bands, n) }
            switch f {
            case .abs: return map1(v[0], n) { Swift.abs($0) }
            case .sqrt: return map1(v[0], n) { $0.squareRoot() }
            case .log: return map1(v[0], n) { $0 > 0 ? Foundation.log($0) : .nan }
            case .exp: return map1(v[0], n) { Foundation.exp($0) }
            case .min: return v.dropFirst().reduce(v[0]) { acc, next in
                map2(acc, next, n) { p, q in p.isNaN || q.isNaN ? .nan : Swift.min(p, q) } }
            case .max: return v.dropFirst().reduce(v[0]) { acc, next in
                map2(acc, next, n) { p, q in p.isNaN || q.isNaN ? .nan : Swift.max(p, q) } }
            case .clamp:
                let low = map2(v[0], v[1], n) { p, q in p.isNaN || q.isNaN ? .nan : Swift.max(p, q) }
                return map2(low, v[2], n) { p, q in p.isNaN || q.isNaN ? .nan : Swift.min(p, q) }
            case .where:
                return map3(v[0], v[1], v[2], n) { c, a, b in c.isNaN ? .nan : (c != 0 ? a : b) }
            }
        case let .index(index, args):
            let values = args.map { $0.evaluate(bands, n) }
            let owned: [[Float]] = values.map {
                switch $0 {
                case .scalar(let s): return [Float](repeating: s, count: n)
                case .view(let p): return Array(p)
                case .owned(let a): return a
                }
            }
            return .owned(withBuffers(owned) { inputs in
                [Float](unsafeUninitializedCapacity: n) { out, initialised in
                    index.kernel.apply(inputs, UnsafeMutableBufferPointer(rebasing: out[0..<n]))
                    initialised = n
                }
            })
        }
    }

    /// Evaluates a run `value op₁ x₁ op₂ x₂ …` left to right. Arithmetic steps update one accumulator buffer in
    /// place, so a run of 100,000 terms costs 100,000 passes over the chunk and no allocation per term.
    static func fold(_ start: ChunkValue, _ rest: [(BinaryOperator, BandMathNode)],
                     _ bands: [String: UnsafeBufferPointer<Float>], _ n: Int) -> ChunkValue {
        var value = start
        var accumulator: [Float]?
        for (op, operand) in rest {
            let next = operand.evaluate(bands, n)
            let arithmetic = op == .add || op == .subtract || op == .multiply || op == .divide
            if arithmetic, accumulator == nil, case .scalar = value, case .scalar = next {
                value = apply(op, value, next, n)
                continue
            }
            guard arithmetic else {
                if let a = accumulator { value = .owned(a); accumulator = nil }
                value = apply(op, value, next, n)
                continue
            }
            if accumulator == nil {
                switch value {
                case .scalar(let s): accumulator = [Float](repeating: s, count: n)
                case .view(let p): accumulator = Array(p)
                case .owned(let a): accumulator = a
                }
            }
            accumulator!.withUnsafeMutableBufferPointer { acc in
                withView(next, n) { q in
                    switch (op, q) {
                    case (.add, .some(let q)): for i in 0..<n { acc[i] += q[i] }
                    case (.subtract, .some(let q)): for i in 0..<n { acc[i] -= q[i] }
                    case (.multiply, .some(let q)): for i in 0..<n { acc[i] *= q[i] }
                    case (.divide, .some(let q)): for i in 0..<n { let d = q[i]; acc[i] = d == 0 ? .nan : acc[i] / d }
                    case (_, .none):
                        guard case .scalar(let y) = next else { return }
                        switch op {
                        case .add: for i in 0..<n { acc[i] += y }
                        case .subtract: for i in 0..<n { acc[i] -= y }
                        case .multiply: for i in 0..<n { acc[i] *= y }
                        default: for i in 0..<n { acc[i] = y == 0 ? .nan : acc[i] / y }
                        }
                    default: break
                    }
                }
            }
        }
        if let a = accumulator { return .owned(a) }
        return value
    }

    /// `x op y` over one chunk.
    static func apply(_ op: BinaryOperator, _ x: ChunkValue, _ y: ChunkValue, _ n: Int) -> ChunkValue {
        switch op {
        case .add: return map2(x, y, n) { $0 + $1 }
        case .subtract: return map2(x, y, n) { $0 - $1 }
        case .multiply: return map2(x, y, n) { $0 * $1 }
        case .divide: return map2(x, y, n) { p, q in let v = p / q; return q == 0 ? .nan : v }
        case .power:
            if case .scalar(2) = y { return map1(x, n) { $0 * $0 } }
            if case .scalar(0.5) = y { return map1(x, n) { $0.squareRoot() } }
            return map2(x, y, n) { Foundation.pow($0, $1) }
        case .less: return map2(x, y, n) { p, q in p.isNaN || q.isNaN ? .nan : (p < q ? 1 : 0) }
        case .lessEqual: return map2(x, y, n) { p, q in p.isNaN || q.isNaN ? .nan : (p <= q ? 1 : 0) }
        case .greater: return map2(x, y, n) { p, q in p.isNaN || q.isNaN ? .nan : (p > q ? 1 : 0) }
        case .greaterEqual: return map2(x, y, n) { p, q in p.isNaN || q.isNaN ? .nan : (p >= q ? 1 : 0) }
        case .equal: return map2(x, y, n) { p, q in p.isNaN || q.isNaN ? .nan : (p == q ? 1 : 0) }
        case .notEqual: return map2(x, y, n) { p, q in p.isNaN || q.isNaN ? .nan : (p != q ? 1 : 0) }
        case .and: return map2(x, y, n) { p, q in p.isNaN || q.isNaN ? .nan : (p != 0 && q != 0 ? 1 : 0) }
        case .or: return map2(x, y, n) { p, q in p.isNaN || q.isNaN ? .nan : (p != 0 || q != 0 ? 1 : 0) }
        }
    }
}

/// Applies `f` element-wise: one plain loop over the chunk (vectorised after inlining).
@inline(__always)
func map1(_ a: ChunkValue, _ n: Int, _ f: (Float) -> Float) -> ChunkValue {
    switch a {
    case .scalar(let x): return .scalar(f(x))
    case .view(let p): return .owned(fill(n) { o in for i in 0..<n { o[i] = f(p[i]) } })
    case .owned(let arr): return .owned(arr.withUnsafeBufferPointer { p in fill(n) { o in for i in 0..<n { o[i] = f(p[i]) } } })
    }
}

/// Applies `f` element-wise to two operands (scalar or vector each).
@inline(__always)
func map2(_ a: ChunkValue, _ b: ChunkValue, _ n: Int, _ f: (Float, Float) -> Float) -> ChunkValue {
    if case .scalar(let x) = a, case .scalar(let y) = b { return .scalar(f(x, y)) }
    return withView(a, n) { p in
        withView(b, n) { q in
            switch (p, q) {
            case (.some(let p), .some(let q)): return .owned(fill(n) { o in for i in 0..<n { o[i] = f(p[i], q[i]) } })
            case (.some(let p), .none):
                guard case .scalar(let y) = b else { fatalError("unreachable") }
                return .owned(fill(n) { o in for i in 0..<n { o[i] = f(p[i], y) } })
            case (.none, .some(let q)):
                guard case .scalar(let x) = a else { fatalError("unreachable") }
                return .owned(fill(n) { o in for i in 0..<n { o[i] = f(x, q[i]) } })
            case (.none, .none): fatalError("unreachable")
            }
        }
    }
}

/// Applies `f` element-wise to three operands (scalars broadcast).
@inline(__always)
func map3(_ a: ChunkValue, _ b: ChunkValue, _ c: ChunkValue, _ n: Int, _ f: (Float, Float, Float) -> Float) -> ChunkValue {
    if case .scalar(let x) = a, case .scalar(let y) = b, case .scalar(let z) = c { return .scalar(f(x, y, z)) }
    let vectors = [a, b, c].map { v -> [Float] in
        switch v {
        case .scalar(let s): return [Float](repeating: s, count: n)
        case .view(let p): return Array(p)
        case .owned(let arr): return arr
        }
    }
    return .owned(withBuffers(vectors) { p in
        let x = p[0], y = p[1], z = p[2]
        return fill(n) { o in for i in 0..<n { o[i] = f(x[i], y[i], z[i]) } }
    })
}

/// Calls `body` with a pointer to the vector behind `v`, or nil when `v` is a scalar.
@inline(__always)
func withView<R>(_ v: ChunkValue, _ n: Int, _ body: (UnsafeBufferPointer<Float>?) -> R) -> R {
    switch v {
    case .scalar: return body(nil)
    case .view(let p): return body(p)
    case .owned(let arr): return arr.withUnsafeBufferPointer { body($0) }
    }
}

/// A new array of `n` Floats filled by `body` (no zero-fill pass).
@inline(__always)
func fill(_ n: Int, _ body: (UnsafeMutableBufferPointer<Float>) -> Void) -> [Float] {
    [Float](unsafeUninitializedCapacity: n) { o, initialised in
        body(UnsafeMutableBufferPointer(rebasing: o[0..<n]))
        initialised = n
    }
}
