/// A small seeded generator (Knuth's 64-bit LCG, the high bits taken) for the inputs the
/// benchmarks vary: the same numbers on every run, so figures compare across runs.
struct BenchmarkRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// A number in 0..<bound.
    mutating func below(_ bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(bound))
    }
}
